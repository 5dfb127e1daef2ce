package oopsgrpc_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/testpub"
	"github.com/oops-go/oops/oopsgrpc"
	"github.com/oops-go/oops/timeline"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// collector keeps what is published, as a store does: see
// testpub.Collector.
type collector struct{ testpub.Collector }

// all returns the latest revision of each id.
func (c *collector) all() []*oops.Report { return c.All() }

// raw returns every publication, in order.
func (c *collector) raw() []*oops.Report { return c.Raw() }

func newConfig(c *collector) *oops.Config {
	return &oops.Config{
		Publisher: c,
		Hooks:     append(oops.DefaultHooks(), oopsgrpc.AttachCall),
	}
}

// testService is grpc.testing.TestService, told by each request what to
// do: answer, fail with a status (ResponseStatus), or panic (a status
// message "panic").
type testService struct {
	testpb.UnimplementedTestServiceServer
	// seen gets the context of each call, to check what the handler got.
	seen chan context.Context
	// downstream, when set, is called from UnaryCall with the call's
	// context (an outgoing call made while serving).
	downstream testpb.TestServiceClient
	// cfg, when set, makes a report with the call's context in UnaryCall
	// (as a logger would) before anything else.
	cfg *oops.Config
	// logger, when set, logs an error with the call's context in UnaryCall
	// before anything else, and runs a step after it.
	logger *slog.Logger
}

func (s *testService) note(ctx context.Context) {
	if s.seen != nil {
		s.seen <- ctx
	}
}

func (s *testService) UnaryCall(ctx context.Context, req *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	s.note(ctx)
	timeline.FromContext(ctx).Start("work", "unary handler").Finish()
	if s.cfg != nil {
		r := s.cfg.Create(ctx, oops.Event{Level: "ERROR", Msg: "logged on the way"})
		_, _ = s.cfg.Publish(ctx, r)
	}
	if s.logger != nil {
		s.logger.ErrorContext(ctx, "charging the card failed", "err", errors.New("card declined"))
		timeline.FromContext(ctx).Start("work", "after the log").Finish()
	}
	if s.downstream != nil {
		if _, err := s.downstream.EmptyCall(ctx, &testpb.Empty{}); err != nil {
			return nil, err
		}
	}
	if st := req.GetResponseStatus(); st != nil {
		if st.GetMessage() == "panic" {
			panic("boom in UnaryCall")
		}
		if st.GetMessage() == "panic-cancel" {
			<-ctx.Done()
			panic(ctx.Err())
		}
		return nil, status.Error(codes.Code(st.GetCode()), st.GetMessage())
	}
	if p := req.GetPayload(); p != nil && string(p.GetBody()) == "plain error" {
		return nil, errors.New("a plain error")
	}
	return &testpb.SimpleResponse{Payload: req.GetPayload()}, nil
}

func (s *testService) EmptyCall(ctx context.Context, _ *testpb.Empty) (*testpb.Empty, error) {
	return &testpb.Empty{}, nil
}

func (s *testService) StreamingOutputCall(req *testpb.StreamingOutputCallRequest, stream grpc.ServerStreamingServer[testpb.StreamingOutputCallResponse]) error {
	ctx := stream.Context()
	s.note(ctx)
	timeline.FromContext(ctx).Start("work", "stream handler").Finish()
	for range req.GetResponseParameters() {
		if err := stream.Send(&testpb.StreamingOutputCallResponse{Payload: req.GetPayload()}); err != nil {
			return err
		}
	}
	if st := req.GetResponseStatus(); st != nil {
		if st.GetMessage() == "panic" {
			panic(errors.New("boom in StreamingOutputCall"))
		}
		return status.Error(codes.Code(st.GetCode()), st.GetMessage())
	}
	return nil
}

func (s *testService) FullDuplexCall(stream grpc.BidiStreamingServer[testpb.StreamingOutputCallRequest, testpb.StreamingOutputCallResponse]) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(&testpb.StreamingOutputCallResponse{Payload: req.GetPayload()}); err != nil {
			return err
		}
	}
}

// startServer serves svc on a loopback listener with the given server
// options and returns a client connection to it, closed at cleanup.
func startServer(t testing.TB, svc testpb.TestServiceServer, serverOpts []grpc.ServerOption, dialOpts ...grpc.DialOption) *grpc.ClientConn {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer(serverOpts...)
	testpb.RegisterTestServiceServer(srv, svc)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	dialOpts = append(dialOpts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	conn, err := grpc.NewClient("passthrough:///"+l.Addr().String(), dialOpts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = conn.Close()
		srv.Stop()
		<-done
	})
	return conn
}

// withInterceptors returns the server options installing both server
// interceptors.
func withInterceptors(cfg *oops.Config, opts *oopsgrpc.Options) []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(oopsgrpc.UnaryServerInterceptor(cfg, opts)),
		grpc.ChainStreamInterceptor(oopsgrpc.StreamServerInterceptor(cfg, opts)),
	}
}

// answeredTo returns an interceptor that sends answered the error of each
// call once the interceptors inside it have returned it.
func answeredTo(answered chan<- error) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		resp, err := handler(ctx, req)
		answered <- err
		return resp, err
	}
}

// callToCancel starts a UnaryCall whose handler (svc's, which must have a
// seen channel) panics with its context's error once the client cancels.
// It returns the call's context, as the handler got it, and a function that
// cancels the call and returns the error the client got.
func callToCancel(client testpb.TestServiceClient, svc *testService) (context.Context, func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := client.UnaryCall(ctx, &testpb.SimpleRequest{ResponseStatus: &testpb.EchoStatus{Message: "panic-cancel"}})
		errc <- err
	}()
	callCtx := <-svc.seen
	return callCtx, func() error {
		cancel()
		return <-errc
	}
}
