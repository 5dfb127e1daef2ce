package oopsgrpc_test

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	testpb "google.golang.org/grpc/interop/grpc_testing"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/benchcpu"
	"github.com/oops-go/oops/oopsgrpc"
	"github.com/oops-go/oops/timeline"
)

type benchKey struct{}

// BenchmarkUnaryClientInterceptor measures what the client interceptor adds
// to a call, with an invoker that returns at once: bare (the invoker
// alone), through the interceptor with no timeline in the context, and
// recording into a fresh timeline per call (bare-fresh-timeline is the
// timeline alone, to subtract).
func BenchmarkUnaryClientInterceptor(b *testing.B) {
	invoker := func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, opts ...grpc.CallOption) error {
		return nil
	}
	icpt := oopsgrpc.UnaryClientInterceptor(nil)
	base := context.WithValue(context.Background(), benchKey{}, 1)
	const method = "/grpc.testing.TestService/UnaryCall"
	for _, bc := range []struct {
		name      string
		intercept bool
		timeline  bool
	}{
		{"bare", false, false},
		{"bare-fresh-timeline", false, true},
		{"no-timeline", true, false},
		{"fresh-timeline", true, true},
	} {
		b.Run("impl="+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			stop := benchcpu.Start(b)
			defer stop()
			for b.Loop() {
				ctx := base
				if bc.timeline {
					ctx = timeline.NewContext(base, timeline.New())
				}
				var err error
				if bc.intercept {
					err = icpt(ctx, method, nil, nil, nil, invoker)
				} else {
					err = invoker(ctx, method, nil, nil, nil)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUnaryServerInterceptor measures what the server interceptor adds
// to a call that succeeds: the fresh timeline and call state. The handler
// returns at once.
func BenchmarkUnaryServerInterceptor(b *testing.B) {
	handler := func(ctx context.Context, req any) (any, error) { return req, nil }
	icpt := oopsgrpc.UnaryServerInterceptor(&oops.Config{Publisher: oops.Discard}, nil)
	info := &grpc.UnaryServerInfo{FullMethod: "/grpc.testing.TestService/UnaryCall"}
	base := context.WithValue(context.Background(), benchKey{}, 1)
	b.Run("impl=bare", func(b *testing.B) {
		b.ReportAllocs()
		stop := benchcpu.Start(b)
		defer stop()
		for b.Loop() {
			if _, err := handler(base, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=oopsgrpc", func(b *testing.B) {
		b.ReportAllocs()
		stop := benchcpu.Start(b)
		defer stop()
		for b.Loop() {
			if _, err := icpt(base, nil, info, handler); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLoopback is one unary call over a real loopback connection:
// without interceptors, with the server interceptors, and with the client
// interceptor too, recording into a fresh timeline per call.
func BenchmarkLoopback(b *testing.B) {
	cfg := &oops.Config{Publisher: oops.Discard}
	for _, bc := range []struct {
		name     string
		server   []grpc.ServerOption
		client   []grpc.DialOption
		timeline bool
	}{
		{"bare", nil, nil, false},
		{"server", withInterceptors(cfg, nil), nil, false},
		{"client-no-timeline", nil, clientInterceptors(), false},
		{"client-fresh-timeline", nil, clientInterceptors(), true},
	} {
		b.Run("impl="+bc.name, func(b *testing.B) {
			conn := startServer(b, &testService{}, bc.server, bc.client...)
			client := testpb.NewTestServiceClient(conn)
			req := &testpb.SimpleRequest{}
			b.ReportAllocs()
			stop := benchcpu.Start(b)
			defer stop()
			for b.Loop() {
				ctx := context.Background()
				if bc.timeline {
					ctx = timeline.NewContext(ctx, timeline.New())
				}
				if _, err := client.UnaryCall(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
