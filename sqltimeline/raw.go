package sqltimeline

import "database/sql/driver"

// Raw returns the driver's own connection this one wraps. sql.Conn.Raw hands
// its function the wrapped connection, which offers only database/sql's
// interfaces; Raw reaches the driver's other methods (pgx's CopyFrom, say),
// as otelsql's wrapper offers too. See RawConn.
func (c *conn) Raw() driver.Conn { return c.inner }

// RawConn returns the driver's own connection behind driverConn, the value
// sql.Conn.Raw gives its function, looking through any number of this
// package's wrappers; any other value is returned as it is:
//
//	err := conn.Raw(func(dc any) error {
//		pc := sqltimeline.RawConn(dc).(*stdlib.Conn).Conn() // *pgx.Conn
//		_, err := pc.CopyFrom(ctx, pgx.Identifier{"t"}, cols, src)
//		return err
//	})
//
// What runs on the driver's connection directly is not recorded in any
// timeline. As with sql.Conn.Raw itself, the connection must not be used
// after the function returns.
func RawConn(driverConn any) any {
	for {
		w, ok := driverConn.(interface{ Raw() driver.Conn })
		if !ok || !isWrapper(driverConn) {
			return driverConn
		}
		driverConn = w.Raw()
	}
}

// isWrapper reports whether c is one of this package's connections.
func isWrapper(c any) bool {
	_, ok := c.(interface{ wrapped() *conn })
	return ok
}

func (c *conn) wrapped() *conn { return c }
