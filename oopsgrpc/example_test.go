package oopsgrpc_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/oopsgrpc"
	"github.com/oops-go/oops/slogoops"
)

// payments is a service whose UnaryCall logs why it failed, then fails.
type payments struct {
	testpb.UnimplementedTestServiceServer
	log *slog.Logger
}

func (p payments) UnaryCall(ctx context.Context, _ *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	p.log.ErrorContext(ctx, "charging the card failed", "err", errors.New("card declined"))
	return nil, status.Error(codes.Internal, "payment failed")
}

func Example() {
	// Reports go to a publisher; here, one that prints each publication.
	stored := make(chan string, 2)
	cfg := &oops.Config{
		Hooks: append(oops.DefaultHooks(), oopsgrpc.AttachCall),
		Publisher: oops.PublisherFunc(func(_ context.Context, r *oops.Report) ([]string, error) {
			fmt.Println("report:", r.Msg, "| revision", r.Revision, "| pending", r.Pending, "|",
				r.Extra[oopsgrpc.StatusKey], "|", r.ReqVars["HTTP_AUTHORIZATION"])
			stored <- r.ID
			return []string{r.ID}, nil
		}),
	}
	logger := slog.New(slogoops.NewHandler(slog.DiscardHandler, cfg, nil))
	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(oopsgrpc.UnaryServerInterceptor(cfg, nil)),
		grpc.ChainStreamInterceptor(oopsgrpc.StreamServerInterceptor(cfg, nil)),
	)
	testpb.RegisterTestServiceServer(srv, payments{log: logger})
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(l)
	defer srv.Stop()

	conn, _ := grpc.NewClient(l.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	defer conn.Close()
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer s3cr3t")
	var trailer metadata.MD
	_, err := testpb.NewTestServiceClient(conn).UnaryCall(ctx, &testpb.SimpleRequest{}, grpc.Trailer(&trailer))
	fmt.Println("client got:", status.Code(err))
	fmt.Println("the trailer quotes the logged report:", trailer.Get(oopsgrpc.TrailerID)[0] == <-stored)
	// Output:
	// report: charging the card failed | revision 0 | pending true | <nil> | Bearer <hidden>
	// report: charging the card failed | revision 1 | pending false | Internal | Bearer <hidden>
	// client got: Internal
	// the trailer quotes the logged report: true
}
