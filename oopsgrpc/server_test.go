package oopsgrpc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/oopsgrpc"
	"github.com/oops-go/oops/slogoops"
	"github.com/oops-go/oops/timeline"
)

const unaryMethod = "/grpc.testing.TestService/UnaryCall"

func TestUnaryOKGetsTimeline(t *testing.T) {
	col := &collector{}
	svc := &testService{seen: make(chan context.Context, 1)}
	conn := startServer(t, svc, withInterceptors(newConfig(col), nil))
	client := testpb.NewTestServiceClient(conn)
	resp, err := client.UnaryCall(context.Background(), &testpb.SimpleRequest{Payload: &testpb.Payload{Body: []byte("hi")}})
	require.NoError(t, err)
	assert.Equal(t, "hi", string(resp.GetPayload().GetBody()))
	ctx := <-svc.seen
	tl := timeline.FromContext(ctx)
	require.NotNil(t, tl)
	assert.Equal(t, []string{"unary handler"}, entryDetails(tl))
	assert.Equal(t, unaryMethod, oopsgrpc.MethodFromContext(ctx))
	assert.Empty(t, oopsgrpc.MethodFromContext(context.Background()))
	assert.Empty(t, col.all())
}

func entryDetails(tl *timeline.Timeline) []string {
	var out []string
	for _, e := range tl.Entries() {
		out = append(out, e.Detail)
	}
	return out
}

func TestUnaryPanic(t *testing.T) {
	col := &collector{}
	conn := startServer(t, &testService{}, withInterceptors(newConfig(col), &oopsgrpc.Options{HiddenMetadata: []string{"X-Api-Key"}}))
	client := testpb.NewTestServiceClient(conn)
	ctx := metadata.AppendToOutgoingContext(context.Background(),
		"authorization", "Bearer s3cr3t-t0k3n",
		"cookie", "session=abc123",
		"x-api-key", "k3y",
		"x-request-id", "req-42",
		"trace-bin", string([]byte{0, 1, 2}),
	)
	var trailer metadata.MD
	_, err := client.UnaryCall(ctx, &testpb.SimpleRequest{ResponseStatus: &testpb.EchoStatus{Message: "panic"}}, grpc.Trailer(&trailer))
	require.Error(t, err)
	st := status.Convert(err)
	assert.Equal(t, codes.Internal, st.Code())
	assert.NotContains(t, st.Message(), "boom", "the panic's value is not sent")

	reports := col.all()
	require.Len(t, reports, 1)
	r := reports[0]
	assert.Equal(t, []string{r.ID}, trailer.Get(oopsgrpc.TrailerID))
	assert.Contains(t, st.Message(), r.ID)
	require.Len(t, st.Details(), 1)
	info, ok := st.Details()[0].(*errdetails.ErrorInfo)
	require.True(t, ok, "%T", st.Details()[0])
	assert.Equal(t, oopsgrpc.ErrorInfoReason, info.GetReason())
	assert.Equal(t, r.ID, info.GetMetadata()["id"])
	assert.Equal(t, "*oops.PanicError", r.Type)
	assert.Equal(t, "panic: boom in UnaryCall", r.Value)
	assert.Equal(t, unaryMethod, r.Topic)
	assert.True(t, strings.HasPrefix(r.URL, "grpc://127.0.0.1:"), r.URL)
	assert.True(t, strings.HasSuffix(r.URL, unaryMethod), r.URL)
	assert.Equal(t, "Internal", r.Extra[oopsgrpc.StatusKey])
	assert.GreaterOrEqual(t, r.Duration, 0.0)
	first, _, _ := strings.Cut(r.TBText, "\n")
	assert.Contains(t, first, "testService).UnaryCall", r.TBText)

	v := r.ReqVars
	assert.Equal(t, unaryMethod, v["GRPC_METHOD"])
	assert.Equal(t, "Bearer <hidden>", v["HTTP_AUTHORIZATION"])
	assert.Equal(t, "<hidden>", v["HTTP_COOKIE"])
	assert.Equal(t, "<hidden>", v["HTTP_X_API_KEY"])
	assert.Equal(t, "req-42", v["HTTP_X_REQUEST_ID"])
	assert.Equal(t, "AAEC", v["HTTP_TRACE_BIN"])
	assert.Contains(t, v["HTTP_USER_AGENT"], "grpc-go")
	assert.Contains(t, v["REMOTE_ADDR"], "127.0.0.1:")
	for k, val := range v {
		for _, secret := range []string{"s3cr3t", "abc123", "k3y"} {
			assert.NotContains(t, val, secret, k)
		}
	}
	// The call's timeline is in the report.
	require.Len(t, r.Timeline, 1)
	assert.Equal(t, "unary handler", r.Timeline[0].Detail)
}

func TestUnaryReportCodes(t *testing.T) {
	col := &collector{}
	conn := startServer(t, &testService{}, withInterceptors(newConfig(col), nil))
	client := testpb.NewTestServiceClient(conn)
	call := func(req *testpb.SimpleRequest) (metadata.MD, error) {
		var trailer metadata.MD
		_, err := client.UnaryCall(context.Background(), req, grpc.Trailer(&trailer))
		return trailer, err
	}
	for _, code := range []codes.Code{codes.Internal, codes.DataLoss, codes.NotFound, codes.InvalidArgument} {
		trailer, err := call(&testpb.SimpleRequest{ResponseStatus: &testpb.EchoStatus{Code: int32(code), Message: "failed: " + code.String()}})
		st := status.Convert(err)
		assert.Equal(t, code, st.Code(), "the status goes to the client unchanged")
		assert.Equal(t, "failed: "+code.String(), st.Message())
		reported := code == codes.Internal || code == codes.DataLoss
		assert.Equal(t, reported, len(trailer.Get(oopsgrpc.TrailerID)) == 1, code)
	}
	// A plain error is Unknown: reported.
	trailer, err := call(&testpb.SimpleRequest{Payload: &testpb.Payload{Body: []byte("plain error")}})
	assert.Equal(t, codes.Unknown, status.Code(err))
	require.Len(t, trailer.Get(oopsgrpc.TrailerID), 1)

	reports := col.all()
	require.Len(t, reports, 3)
	assert.Equal(t, "Internal", reports[0].Extra[oopsgrpc.StatusKey])
	assert.Equal(t, "rpc error: code = Internal desc = failed: Internal", reports[0].Value)
	assert.Equal(t, "DataLoss", reports[1].Extra[oopsgrpc.StatusKey])
	assert.Equal(t, "Unknown", reports[2].Extra[oopsgrpc.StatusKey])
	assert.Equal(t, "a plain error", reports[2].Value)
	assert.Equal(t, trailer.Get(oopsgrpc.TrailerID)[0], reports[2].ID)

	// Chosen codes.
	col2 := &collector{}
	conn2 := startServer(t, &testService{}, withInterceptors(newConfig(col2), &oopsgrpc.Options{ReportCodes: []codes.Code{codes.NotFound}}))
	client2 := testpb.NewTestServiceClient(conn2)
	for _, code := range []codes.Code{codes.Internal, codes.NotFound} {
		_, err := client2.UnaryCall(context.Background(), &testpb.SimpleRequest{ResponseStatus: &testpb.EchoStatus{Code: int32(code)}})
		require.Error(t, err)
	}
	require.Len(t, col2.all(), 1)
	assert.Equal(t, "NotFound", col2.all()[0].Extra[oopsgrpc.StatusKey])

	// None but panics.
	col3 := &collector{}
	conn3 := startServer(t, &testService{}, withInterceptors(newConfig(col3), &oopsgrpc.Options{NoReportCodes: true}))
	_, err = testpb.NewTestServiceClient(conn3).UnaryCall(context.Background(), &testpb.SimpleRequest{ResponseStatus: &testpb.EchoStatus{Code: int32(codes.Internal)}})
	require.Error(t, err)
	assert.Empty(t, col3.all())
}

// TestPanicAfterClientLeft: a handler that panics with its context's error
// once the client cancelled makes no report.
func TestPanicAfterClientLeft(t *testing.T) {
	col := &collector{}
	svc := &testService{seen: make(chan context.Context, 1)}
	// An interceptor outside ours sees what ours answered, once it has.
	answered := make(chan error, 1)
	outer := answeredTo(answered)
	conn := startServer(t, svc, []grpc.ServerOption{grpc.ChainUnaryInterceptor(outer, oopsgrpc.UnaryServerInterceptor(newConfig(col), nil))})
	client := testpb.NewTestServiceClient(conn)
	_, cancel := callToCancel(client, svc)
	assert.Equal(t, codes.Canceled, status.Code(cancel()))
	assert.Equal(t, codes.Canceled, status.Code(<-answered))
	assert.Empty(t, col.all())
}

func TestStreamPanicAndCodes(t *testing.T) {
	col := &collector{}
	svc := &testService{seen: make(chan context.Context, 3)}
	conn := startServer(t, svc, withInterceptors(newConfig(col), nil))
	client := testpb.NewTestServiceClient(conn)

	read := func(req *testpb.StreamingOutputCallRequest) (int, metadata.MD, error) {
		stream, err := client.StreamingOutputCall(context.Background(), req)
		require.NoError(t, err)
		n := 0
		for {
			_, err := stream.Recv()
			if err == io.EOF {
				return n, stream.Trailer(), nil
			}
			if err != nil {
				return n, stream.Trailer(), err
			}
			n++
		}
	}
	params := []*testpb.ResponseParameters{{}, {}}
	n, _, err := read(&testpb.StreamingOutputCallRequest{ResponseParameters: params})
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	ctx := <-svc.seen
	require.NotNil(t, timeline.FromContext(ctx))
	assert.Equal(t, []string{"stream handler"}, entryDetails(timeline.FromContext(ctx)))

	n, trailer, err := read(&testpb.StreamingOutputCallRequest{ResponseParameters: params, ResponseStatus: &testpb.EchoStatus{Message: "panic"}})
	assert.Equal(t, 2, n)
	assert.Equal(t, codes.Internal, status.Code(err))
	<-svc.seen
	reports := col.all()
	require.Len(t, reports, 1)
	r := reports[0]
	assert.Equal(t, []string{r.ID}, trailer.Get(oopsgrpc.TrailerID))
	assert.Equal(t, "*errors.errorString", r.Type)
	assert.Equal(t, "boom in StreamingOutputCall", r.Value)
	assert.Equal(t, "/grpc.testing.TestService/StreamingOutputCall", r.Topic)
	assert.Equal(t, "true", r.ReqVars["GRPC_STREAMING"])

	_, trailer, err = read(&testpb.StreamingOutputCallRequest{ResponseStatus: &testpb.EchoStatus{Code: int32(codes.DataLoss), Message: "lost"}})
	assert.Equal(t, codes.DataLoss, status.Code(err))
	<-svc.seen
	require.Len(t, col.all(), 2)
	assert.Equal(t, []string{col.all()[1].ID}, trailer.Get(oopsgrpc.TrailerID))
}

// TestAttachCallHook: a report any code makes with the call's context
// carries the call.
func TestAttachCallHook(t *testing.T) {
	col := &collector{}
	cfg := newConfig(col)
	svc := &testService{seen: make(chan context.Context, 1)}
	conn := startServer(t, svc, withInterceptors(cfg, nil))
	_, err := testpb.NewTestServiceClient(conn).UnaryCall(
		metadata.AppendToOutgoingContext(context.Background(), "authorization", "Basic dXNlcjpwYXNz"), &testpb.SimpleRequest{})
	require.NoError(t, err)
	ctx := <-svc.seen
	r := cfg.Create(ctx, oops.Event{Level: "ERROR", Msg: "something"})
	assert.Equal(t, unaryMethod, r.Topic)
	assert.Equal(t, "Basic <hidden>", r.ReqVars["HTTP_AUTHORIZATION"])
	assert.Equal(t, unaryMethod, r.ReqVars["GRPC_METHOD"])

	// Outside a call the hook does nothing.
	r = cfg.Create(context.Background(), oops.Event{Level: "ERROR", Msg: "x"})
	assert.Empty(t, r.Topic)
	assert.Nil(t, r.ReqVars)
}

// TestInstalledTwice: the outer interceptor serves the call, once.
func TestInstalledTwice(t *testing.T) {
	col := &collector{}
	cfg := newConfig(col)
	conn := startServer(t, &testService{}, []grpc.ServerOption{grpc.ChainUnaryInterceptor(
		oopsgrpc.UnaryServerInterceptor(cfg, nil), oopsgrpc.UnaryServerInterceptor(cfg, nil))})
	_, err := testpb.NewTestServiceClient(conn).UnaryCall(context.Background(), &testpb.SimpleRequest{ResponseStatus: &testpb.EchoStatus{Message: "panic"}})
	assert.Equal(t, codes.Internal, status.Code(err))
	assert.Len(t, col.all(), 1)
}

// TestEarlierReportIsTheCalls: a report stored during the call (by a
// logger, say) is the call's report: the panic completes it under the same
// id, which the client gets, instead of making another.
func TestEarlierReportIsTheCalls(t *testing.T) {
	col := &collector{}
	cfg := newConfig(col)
	conn := startServer(t, &testService{cfg: cfg}, withInterceptors(cfg, nil))
	var trailer metadata.MD
	_, err := testpb.NewTestServiceClient(conn).UnaryCall(context.Background(),
		&testpb.SimpleRequest{ResponseStatus: &testpb.EchoStatus{Message: "panic"}}, grpc.Trailer(&trailer))
	st := status.Convert(err)
	assert.Equal(t, codes.Internal, st.Code())
	reports := col.all()
	require.Len(t, reports, 1, "one call, one incident")
	r := reports[0]
	assert.Equal(t, []string{r.ID}, trailer.Get(oopsgrpc.TrailerID))
	assert.Contains(t, st.Message(), r.ID)
	assert.Equal(t, "logged on the way", r.Value, "the report keeps its cause")
	assert.Equal(t, "panic: boom in UnaryCall", r.Extra[oopsgrpc.PanicKey])
	assert.Equal(t, "Internal", r.Extra[oopsgrpc.StatusKey])
	assert.Equal(t, unaryMethod, r.Topic)
	assert.False(t, r.Pending)
	assert.Equal(t, 1, r.Revision)
	assert.Len(t, col.raw(), 2)
}

// TestRelatedIDs: the other reports stored during the call are listed on
// the call's report.
func TestRelatedIDs(t *testing.T) {
	col := &collector{}
	cfg := newConfig(col)
	svc := &testService{seen: make(chan context.Context, 1)}
	// An interceptor outside ours sees what ours answered, once it has.
	answered := make(chan error, 1)
	outer := answeredTo(answered)
	conn := startServer(t, svc, []grpc.ServerOption{grpc.ChainUnaryInterceptor(outer, oopsgrpc.UnaryServerInterceptor(cfg, nil))})
	client := testpb.NewTestServiceClient(conn)
	// The handler blocks until the client's context ends: a report stored
	// meanwhile with the call's context is the call's, others are related.
	callCtx, cancel := callToCancel(client, svc)
	var ids []string
	for _, msg := range []string{"first", "second", "third"} {
		r := cfg.Create(callCtx, oops.Event{Level: "ERROR", Msg: msg})
		got, err := cfg.Publish(callCtx, r)
		require.NoError(t, err)
		ids = append(ids, got...)
	}
	assert.Equal(t, codes.Canceled, status.Code(cancel()))
	assert.Equal(t, codes.Canceled, status.Code(<-answered))
	require.Len(t, col.raw(), 4, "three reports and the completion of the first")
	own := col.all()[0]
	assert.Equal(t, ids[0], own.ID)
	assert.False(t, own.Pending)
	assert.Equal(t, "Canceled", own.Extra[oopsgrpc.StatusKey])
	assert.Equal(t, ids[1:], own.Extra[oopsgrpc.RelatedKey])
}

// TestLoggedErrorThenInternal: an error logged with slogoops during the
// call, then codes.Internal: the trailer quotes the logged report, which is
// completed with the code, the call and the whole timeline, and is the only
// report stored.
func TestLoggedErrorThenInternal(t *testing.T) {
	col := &collector{}
	cfg := newConfig(col)
	var logBuf bytes.Buffer
	logger := slog.New(slogoops.NewHandler(slog.NewJSONHandler(&logBuf, nil), cfg, nil))
	conn := startServer(t, &testService{logger: logger}, withInterceptors(cfg, nil))
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer s3cr3t", "x-request-id", "req-7")
	var trailer metadata.MD
	_, err := testpb.NewTestServiceClient(conn).UnaryCall(ctx,
		&testpb.SimpleRequest{ResponseStatus: &testpb.EchoStatus{Code: int32(codes.Internal), Message: "charge failed"}}, grpc.Trailer(&trailer))
	require.Equal(t, codes.Internal, status.Code(err))

	ids := trailer.Get(oopsgrpc.TrailerID)
	require.Len(t, ids, 1)
	id := ids[0]
	var line map[string]any
	require.NoError(t, json.Unmarshal(logBuf.Bytes(), &line))
	assert.Equal(t, id, line["oops_id"], "the log line quotes the same id")

	raw := col.raw()
	require.NotEmpty(t, raw)
	for _, r := range raw {
		assert.Equal(t, id, r.ID, "only the logged report is stored")
	}
	require.Len(t, raw, 2)
	assert.True(t, raw[0].Pending)
	last := raw[len(raw)-1]
	assert.Equal(t, 1, last.Revision)
	assert.False(t, last.Pending)
	assert.Equal(t, "charging the card failed", last.Msg, "the report keeps its cause")
	assert.Equal(t, "Internal", last.Extra[oopsgrpc.StatusKey])
	assert.Equal(t, "rpc error: code = Internal desc = charge failed", last.Extra[oopsgrpc.HandlerErrorKey])
	assert.Equal(t, unaryMethod, last.Topic)
	assert.Equal(t, unaryMethod, last.ReqVars["GRPC_METHOD"])
	assert.Equal(t, "Bearer <hidden>", last.ReqVars["HTTP_AUTHORIZATION"])
	assert.Equal(t, "req-7", last.ReqVars["HTTP_X_REQUEST_ID"])
	assert.Greater(t, last.Duration, 0.0)
	var details []string
	for _, e := range last.Timeline {
		details = append(details, e.Detail)
	}
	assert.Equal(t, []string{"unary handler", "after the log"}, details, "the whole timeline, also what ran after the report")
}

// TestNothingStoredNothingQuoted: when no store takes the report, the
// client is told of an internal error without an id.
func TestNothingStoredNothingQuoted(t *testing.T) {
	cfg := &oops.Config{
		Hooks:     append(oops.DefaultHooks(), oopsgrpc.AttachCall),
		Publisher: oops.PublisherFunc(func(context.Context, *oops.Report) ([]string, error) { return nil, nil }),
	}
	conn := startServer(t, &testService{cfg: cfg}, withInterceptors(cfg, nil))
	client := testpb.NewTestServiceClient(conn)
	for _, msg := range []string{"panic", "failed"} {
		var trailer metadata.MD
		_, err := client.UnaryCall(context.Background(),
			&testpb.SimpleRequest{ResponseStatus: &testpb.EchoStatus{Code: int32(codes.Internal), Message: msg}}, grpc.Trailer(&trailer))
		st := status.Convert(err)
		assert.Equal(t, codes.Internal, st.Code(), msg)
		assert.NotContains(t, st.Message(), "OOPS-", msg)
		assert.Empty(t, st.Details(), msg)
		assert.Empty(t, trailer.Get(oopsgrpc.TrailerID), msg)
	}
}
