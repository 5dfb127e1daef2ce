package oopshttp_test

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/oopshttp"
	"github.com/stretchr/testify/assert"
)

type panickyStringer struct{}

func (panickyStringer) String() string { panic("no String today") }

func TestErrorTexts(t *testing.T) {
	assert.Equal(t, "panic: kaboom", (&oops.PanicError{Value: "kaboom"}).Error())
	assert.Equal(t, "panic: 42", (&oops.PanicError{Value: 42}).Error())
	assert.Equal(t, "panic: <nil>", (&oops.PanicError{}).Error())
	assert.Equal(t, "panic: %!v(PANIC=String method: no String today)", (&oops.PanicError{Value: panickyStringer{}}).Error())

	pe := &oops.PanicError{Value: io.ErrUnexpectedEOF}
	assert.Equal(t, "unexpected EOF", pe.Error())
	assert.ErrorIs(t, pe, io.ErrUnexpectedEOF)
	assert.Equal(t, "*errors.errorString", oops.ErrorType(pe), "the report's type is the panic value's")
	assert.Equal(t, "*oops.PanicError", oops.ErrorType(&oops.PanicError{Value: "x"}))
	var typedNil *oopshttp.StatusError
	assert.Equal(t, "<nil>", oops.ErrorText(&oops.PanicError{Value: typedNil}))

	assert.Equal(t, "HTTP status 503 Service Unavailable", (&oopshttp.StatusError{Code: 503}).Error())
	assert.Equal(t, "HTTP status 599", (&oopshttp.StatusError{Code: 599}).Error())
	var se *oopshttp.StatusError
	assert.True(t, errors.As(error(&oopshttp.StatusError{Code: 500}), &se))

	assert.Equal(t, "first response byte after 1.5s, over the soft time-out of 1s",
		(&oopshttp.SoftTimeoutError{FirstByte: 1500 * time.Millisecond, Limit: time.Second}).Error())
}
