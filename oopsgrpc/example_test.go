package oopsgrpc_test

import (
	"context"
	"fmt"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/oopsgrpc"
)

// panicky is a service whose UnaryCall panics.
type panicky struct {
	testpb.UnimplementedTestServiceServer
}

func (panicky) UnaryCall(context.Context, *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	panic("out of cheese")
}

func Example() {
	// Reports go to a publisher; here, one that prints.
	cfg := &oops.Config{
		Hooks: append(oops.DefaultHooks(), oopsgrpc.AttachCall, oopsgrpc.NoteReport),
		Publisher: oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
			fmt.Println("report:", r.Type, "|", r.Topic, "|", r.Extra[oopsgrpc.StatusKey], "|", r.ReqVars["HTTP_AUTHORIZATION"])
			return []string{r.ID}, nil
		}),
	}
	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(oopsgrpc.UnaryServerInterceptor(cfg, nil)),
		grpc.ChainStreamInterceptor(oopsgrpc.StreamServerInterceptor(cfg, nil)),
	)
	testpb.RegisterTestServiceServer(srv, panicky{})
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(l)
	defer srv.Stop()

	conn, _ := grpc.NewClient(l.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	defer conn.Close()
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer s3cr3t")
	var trailer metadata.MD
	_, err := testpb.NewTestServiceClient(conn).UnaryCall(ctx, &testpb.SimpleRequest{}, grpc.Trailer(&trailer))
	st := status.Convert(err)
	fmt.Println("client got:", st.Code(), "with an id in the trailer:", len(trailer.Get(oopsgrpc.TrailerID)) == 1)
	// Output:
	// report: *oopsgrpc.PanicError | /grpc.testing.TestService/UnaryCall | Internal | Bearer <hidden>
	// client got: Internal with an id in the trailer: true
}
