package oopsgrpc

import (
	"context"
	"errors"
	"io"
	"strconv"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/oops-go/oops/timeline"
)

// Categories of the timeline entries of outgoing calls.
const (
	CategoryUnary  = "grpc-unary"
	CategoryStream = "grpc-stream"
)

// ClientOptions configure the client interceptors. The zero value (or nil)
// is ready to use.
type ClientOptions struct {
	// Filter, when set, is asked about every call made with a context that
	// carries a timeline, with its full method ("/pkg.Service/Method");
	// false leaves the call out of the timeline (health checks, say).
	Filter func(ctx context.Context, method string) bool
}

func (o *ClientOptions) records(ctx context.Context, method string) bool {
	return o == nil || o.Filter == nil || o.Filter(ctx, method)
}

// UnaryClientInterceptor returns an interceptor that records each unary
// call made with a context that carries a timeline as an entry of it:
// category "grpc-unary", detail the full method and the target it went to,
// then " -> " and the status code once the call ended
// ("/pkg.Service/Method passthrough:///api:443 -> NotFound"), and the call's
// error. Request and response messages are not recorded. Without a timeline
// in the context the call goes straight on. A nil opts is the zero
// ClientOptions.
func UnaryClientInterceptor(opts *ClientOptions) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, callOpts ...grpc.CallOption) error {
		tl := timeline.FromContext(ctx)
		if tl == nil || !opts.records(ctx, method) {
			return invoker(ctx, method, req, reply, cc, callOpts...)
		}
		o := newOutgoing(method, cc)
		o.a = tl.StartLazy(CategoryUnary, o)
		err := invoker(ctx, method, req, reply, cc, callOpts...)
		o.end(err)
		return err
	}
}

// StreamClientInterceptor returns an interceptor that records each
// streaming call made with a context that carries a timeline, as
// UnaryClientInterceptor does, under the category "grpc-stream". The entry
// lasts until the stream ends: RecvMsg returns io.EOF (status OK) or an
// error, or a send or header read fails. A stream whose end is never read
// stays unfinished (a report shows it ending when the report was made), as
// gRPC itself keeps it open. A nil opts is the zero ClientOptions.
func StreamClientInterceptor(opts *ClientOptions) grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, callOpts ...grpc.CallOption) (grpc.ClientStream, error) {
		tl := timeline.FromContext(ctx)
		if tl == nil || !opts.records(ctx, method) {
			return streamer(ctx, desc, cc, method, callOpts...)
		}
		o := newOutgoing(method, cc)
		o.a = tl.StartLazy(CategoryStream, o)
		cs, err := streamer(ctx, desc, cc, method, callOpts...)
		if err != nil {
			o.end(err)
			return cs, err
		}
		o.cs = cs
		return o, nil // an *outgoing is a grpc.ClientStream
	}
}

// outgoing is one recorded client call: the entry's lazy detail and, for a
// stream, the stream wrapper. One allocation holds both.
type outgoing struct {
	cs     grpc.ClientStream // streams only
	method string
	target string
	a      timeline.Action
	code   atomic.Int32 // -1 until the call ended
	done   atomic.Bool
}

func newOutgoing(method string, cc *grpc.ClientConn) *outgoing {
	o := &outgoing{method: method}
	if cc != nil {
		o.target = cc.Target()
	}
	o.code.Store(-1)
	return o
}

// end finishes the entry once, with err's status code.
func (o *outgoing) end(err error) {
	if !o.done.CompareAndSwap(false, true) {
		return
	}
	o.code.Store(int32(status.Code(err)))
	o.a.FinishErr(err)
}

// String is the entry's detail, rendered when the timeline is read.
func (o *outgoing) String() string {
	s := o.method
	if o.target != "" {
		s += " " + o.target
	}
	if c := o.code.Load(); c >= 0 {
		s += " -> " + codeName(codes.Code(c))
	}
	return s
}

func codeName(c codes.Code) string {
	if c <= codes.Unauthenticated {
		return c.String()
	}
	return "Code(" + strconv.Itoa(int(c)) + ")"
}

// The stream methods pass through to gRPC's stream and end the entry when
// it ends.

// Header waits for the header metadata; an error ends the entry.
func (o *outgoing) Header() (md metadata.MD, err error) {
	md, err = o.cs.Header()
	if err != nil {
		o.end(err)
	}
	return md, err
}

// SendMsg sends m; an error other than io.EOF (which means the stream
// ended and RecvMsg tells how) ends the entry.
func (o *outgoing) SendMsg(m any) error {
	err := o.cs.SendMsg(m)
	if err != nil && !errors.Is(err, io.EOF) {
		o.end(err)
	}
	return err
}

// RecvMsg receives into m; io.EOF ends the entry with status OK, another
// error with that error.
func (o *outgoing) RecvMsg(m any) error {
	err := o.cs.RecvMsg(m)
	if err != nil {
		if errors.Is(err, io.EOF) {
			o.end(nil)
		} else {
			o.end(err)
		}
	}
	return err
}

// CloseSend closes the sending side; it does not end the call.
func (o *outgoing) CloseSend() error { return o.cs.CloseSend() }

// Trailer returns the trailer metadata.
func (o *outgoing) Trailer() metadata.MD { return o.cs.Trailer() }

// Context returns the stream's context.
func (o *outgoing) Context() context.Context { return o.cs.Context() }

var _ grpc.ClientStream = (*outgoing)(nil)
