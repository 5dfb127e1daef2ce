package oopsgrpc_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/oops-go/oops/oopsgrpc"
	"github.com/oops-go/oops/timeline"
)

func clientInterceptors() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(oopsgrpc.UnaryClientInterceptor(nil)),
		grpc.WithChainStreamInterceptor(oopsgrpc.StreamClientInterceptor(nil)),
	}
}

func TestClientRecordsCalls(t *testing.T) {
	conn := startServer(t, &testService{}, nil, clientInterceptors()...)
	client := testpb.NewTestServiceClient(conn)
	target := conn.Target()
	tl := timeline.New()
	ctx := timeline.NewContext(context.Background(), tl)

	_, err := client.UnaryCall(ctx, &testpb.SimpleRequest{})
	require.NoError(t, err)
	_, err = client.UnaryCall(ctx, &testpb.SimpleRequest{ResponseStatus: &testpb.EchoStatus{Code: int32(codes.NotFound), Message: "no such thing"}})
	require.Equal(t, codes.NotFound, status.Code(err))

	stream, err := client.StreamingOutputCall(ctx, &testpb.StreamingOutputCallRequest{ResponseParameters: []*testpb.ResponseParameters{{}, {}}})
	require.NoError(t, err)
	for {
		_, err := stream.Recv()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}

	duplex, err := client.FullDuplexCall(ctx)
	require.NoError(t, err)
	require.NoError(t, duplex.Send(&testpb.StreamingOutputCallRequest{}))
	_, err = duplex.Recv()
	require.NoError(t, err)
	// Not ended yet: the stream is open.
	es := tl.Entries()
	require.Len(t, es, 4)
	assert.True(t, es[3].Unfinished)
	assert.Equal(t, "/grpc.testing.TestService/FullDuplexCall "+target, es[3].Detail)
	require.NoError(t, duplex.CloseSend())
	_, err = duplex.Recv()
	require.Equal(t, io.EOF, err)

	var got []string
	for _, e := range tl.Entries() {
		got = append(got, e.Category+" "+e.Detail)
		assert.False(t, e.Unfinished, e.Detail)
	}
	assert.Equal(t, []string{
		"grpc-unary /grpc.testing.TestService/UnaryCall " + target + " -> OK",
		"grpc-unary /grpc.testing.TestService/UnaryCall " + target + " -> NotFound",
		"grpc-stream /grpc.testing.TestService/StreamingOutputCall " + target + " -> OK",
		"grpc-stream /grpc.testing.TestService/FullDuplexCall " + target + " -> OK",
	}, got)
	es = tl.Entries()
	assert.NoError(t, es[0].Err)
	assert.Equal(t, codes.NotFound, status.Code(es[1].Err))
	assert.NoError(t, es[2].Err)
}

func TestClientStreamError(t *testing.T) {
	conn := startServer(t, &testService{}, nil, clientInterceptors()...)
	client := testpb.NewTestServiceClient(conn)
	tl := timeline.New()
	ctx := timeline.NewContext(context.Background(), tl)
	stream, err := client.StreamingOutputCall(ctx, &testpb.StreamingOutputCallRequest{
		ResponseParameters: []*testpb.ResponseParameters{{}},
		ResponseStatus:     &testpb.EchoStatus{Code: int32(codes.Unavailable), Message: "later"},
	})
	require.NoError(t, err)
	_, err = stream.Recv()
	require.NoError(t, err)
	_, err = stream.Recv()
	require.Equal(t, codes.Unavailable, status.Code(err))
	es := tl.Entries()
	require.Len(t, es, 1)
	assert.False(t, es[0].Unfinished)
	assert.True(t, strings.HasSuffix(es[0].Detail, " -> Unavailable"), es[0].Detail)
	assert.Equal(t, codes.Unavailable, status.Code(es[0].Err))

	// A cancelled call.
	tl = timeline.New()
	ctx, cancel := context.WithCancel(timeline.NewContext(context.Background(), tl))
	cancel()
	_, err = client.UnaryCall(ctx, &testpb.SimpleRequest{})
	require.Equal(t, codes.Canceled, status.Code(err))
	es = tl.Entries()
	require.Len(t, es, 1)
	assert.True(t, strings.HasSuffix(es[0].Detail, " -> Canceled"), es[0].Detail)
}

func TestClientWithoutTimeline(t *testing.T) {
	conn := startServer(t, &testService{}, nil, clientInterceptors()...)
	client := testpb.NewTestServiceClient(conn)
	_, err := client.UnaryCall(context.Background(), &testpb.SimpleRequest{})
	require.NoError(t, err)
	stream, err := client.StreamingOutputCall(context.Background(), &testpb.StreamingOutputCallRequest{})
	require.NoError(t, err)
	_, err = stream.Recv()
	require.Equal(t, io.EOF, err)
}

// TestServerCallsDownstream: an outgoing call made while serving lands in
// the serving call's timeline, and so in its report.
func TestServerCallsDownstream(t *testing.T) {
	col := &collector{}
	// The downstream client records: its interceptors are on its conn.
	dconn := startServer(t, &testService{}, nil, clientInterceptors()...)
	svc := &testService{downstream: testpb.NewTestServiceClient(dconn)}
	conn := startServer(t, svc, withInterceptors(newConfig(col), nil))
	_, err := testpb.NewTestServiceClient(conn).UnaryCall(context.Background(), &testpb.SimpleRequest{ResponseStatus: &testpb.EchoStatus{Message: "panic"}})
	require.Equal(t, codes.Internal, status.Code(err))
	reports := col.all()
	require.Len(t, reports, 1)
	var cats []string
	for _, e := range reports[0].Timeline {
		cats = append(cats, e.Category+" "+e.Detail)
	}
	assert.Equal(t, []string{
		"work unary handler",
		"grpc-unary /grpc.testing.TestService/EmptyCall " + dconn.Target() + " -> OK",
	}, cats)
}

func TestClientFilter(t *testing.T) {
	opts := &oopsgrpc.ClientOptions{Filter: func(_ context.Context, method string) bool {
		return !strings.HasSuffix(method, "/EmptyCall")
	}}
	conn := startServer(t, &testService{}, nil,
		grpc.WithChainUnaryInterceptor(oopsgrpc.UnaryClientInterceptor(opts)),
		grpc.WithChainStreamInterceptor(oopsgrpc.StreamClientInterceptor(opts)))
	client := testpb.NewTestServiceClient(conn)
	tl := timeline.New()
	ctx := timeline.NewContext(context.Background(), tl)
	_, err := client.EmptyCall(ctx, &testpb.Empty{})
	require.NoError(t, err)
	_, err = client.UnaryCall(ctx, &testpb.SimpleRequest{})
	require.NoError(t, err)
	es := tl.Entries()
	require.Len(t, es, 1)
	assert.Contains(t, es[0].Detail, "/UnaryCall")
}
