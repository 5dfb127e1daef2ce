// Package oopsgrpc does for gRPC services what oopshttp does for net/http:
// server interceptors that give every call a timeline and turn its failures
// into OOPS reports, and client interceptors that record outgoing calls in
// the caller's timeline.
//
// Install the server interceptors, and add AttachCall and NoteReport to the
// Config's hooks so that every report made during a call, by whatever code
// (the slog handler, the zap core), carries the call and is listed on the
// call's own report:
//
//	cfg := &oops.Config{Publisher: store}
//	cfg.Hooks = append(oops.DefaultHooks(), oopsgrpc.AttachCall, oopsgrpc.NoteReport)
//	srv := grpc.NewServer(
//		grpc.ChainUnaryInterceptor(oopsgrpc.UnaryServerInterceptor(cfg, nil)),
//		grpc.ChainStreamInterceptor(oopsgrpc.StreamServerInterceptor(cfg, nil)),
//	)
//
// Each call's context (for a stream, its Context) then carries a fresh
// timeline.Timeline: the statements (sqltimeline, pgxtimeline), outgoing
// calls and log records of the call land in it. The interceptors make a
// report when
//
//   - the handler panics. The call answers with codes.Internal and the
//     message "internal error; please quote OOPS-…" (the panic's value is
//     not sent to the client). The report's id is in the trailer metadata
//     "x-oops-id" (see TrailerID) and in the status details, as an
//     errdetails.ErrorInfo with Reason "OOPS" and Metadata["id"]. A panic with a context's error after
//     the call's context ended (the client went away or the deadline passed)
//     is not a failure of the service: it answers with the context's status
//     and makes no report.
//   - the handler returns an error whose status code is one of
//     Options.ReportCodes (by default Internal, Unknown and DataLoss: the
//     codes that say the service failed; Unknown is what a plain Go error
//     becomes). The status goes to the client unchanged, and the trailer
//     "x-oops-id" holds the report's id.
//
// Reports are made with the Config's Create and Publish, so its hooks,
// filters and publisher apply; use an asynchronous publisher (oops.Async) in
// front of a slow store. They carry, besides what the hooks add:
//
//	topic     the full method, "/pkg.Service/Method"
//	url       grpc://authority/pkg.Service/Method
//	duration  seconds since the call began
//	req_vars  GRPC_METHOD, GRPC_STREAMING, REMOTE_ADDR (the peer), and
//	          HTTP_<KEY> for each metadata key, as oops-wsgi names headers
//	          (HTTP_USER_AGENT, HTTP_X_REQUEST_ID). HTTP_COOKIE is
//	          "<hidden>", HTTP_AUTHORIZATION and HTTP_PROXY_AUTHORIZATION keep
//	          only their scheme ("Bearer <hidden>"), keys named in
//	          Options.HiddenMetadata are "<hidden>".
//	extra     GRPC_STATUS, the code's name ("Internal"), and related_ids, the
//	          ids of the other reports made during the call (see
//	          NoteReport), oldest first, so one call reads as one incident
//
// A call that already passed through one of these interceptors (installed
// twice in a chain) is served by the outermost only.
//
// # Outgoing calls
//
// UnaryClientInterceptor and StreamClientInterceptor record every call made
// with a context that carries a timeline: category "grpc-unary" or
// "grpc-stream", the method, target and status code as detail, lasting
// until the call ends (for a stream: until RecvMsg returns io.EOF or an
// error), with its error:
//
//	conn, err := grpc.NewClient(target,
//		grpc.WithChainUnaryInterceptor(oopsgrpc.UnaryClientInterceptor(nil)),
//		grpc.WithChainStreamInterceptor(oopsgrpc.StreamClientInterceptor(nil)),
//		...)
//
// Without a timeline in the context they cost a context lookup.
//
// Package oopsgrpc imports the standard library, this module's oops and
// timeline packages, gRPC, and the errdetails messages gRPC itself depends
// on.
package oopsgrpc
