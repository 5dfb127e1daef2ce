package sqltimeline

import (
	"context"
	"database/sql/driver"
	"io"
	"unsafe"
)

// The wrapper asks on every statement whether the driver's rows or
// statement are of the type it saw last, and whether an error is io.EOF.
// Comparing interface values (or reflect.Types) for that costs a runtime call
// each; comparing their words does not. A non-empty interface value is two
// words, its itab and its data. There is one itab per pair of interface type
// and dynamic type, so for values of one interface type (driver.Rows,
// driver.Stmt) equal itabs mean the same dynamic type.

// ifaceWords are the two words of a non-empty interface value.
type ifaceWords struct {
	tab  unsafe.Pointer
	data unsafe.Pointer
}

// rowsTypeOf identifies r's dynamic type (nil for a nil r).
func rowsTypeOf(r driver.Rows) unsafe.Pointer {
	return (*ifaceWords)(unsafe.Pointer(&r)).tab
}

// stmtTypeOf identifies s's dynamic type (nil for a nil s).
func stmtTypeOf(s driver.Stmt) unsafe.Pointer {
	return (*ifaceWords)(unsafe.Pointer(&s)).tab
}

// isEOF says err == io.EOF. io.EOF's dynamic type is a pointer, so an error
// equals it exactly when both words are io.EOF's.
func isEOF(err error) bool {
	return *(*ifaceWords)(unsafe.Pointer(&err)) == *(*ifaceWords)(unsafe.Pointer(&io.EOF))
}

// sameContext says a and b are the same context: equal words mean equal
// interface values (the converse need not hold for a context that is not a
// pointer, which only costs a statement a check of its context).
func sameContext(a, b context.Context) bool {
	return *(*ifaceWords)(unsafe.Pointer(&a)) == *(*ifaceWords)(unsafe.Pointer(&b))
}

// sameString says a and b are the same string: same bytes at the same
// place. A statement's text is nearly always the same constant, which this
// finds without comparing bytes (a runtime call).
func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}
