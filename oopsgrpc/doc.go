// Package oopsgrpc does for gRPC services what oopshttp does for net/http:
// server interceptors that give every call a timeline and turn its failures
// into OOPS reports, and client interceptors that record outgoing calls in
// the caller's timeline.
//
// Install the server interceptors, and add AttachCall to the Config's hooks
// so that every report made during a call, by whatever code (the slog
// handler, the zap core), carries the call:
//
//	cfg := &oops.Config{Publisher: store}
//	cfg.Hooks = append(oops.DefaultHooks(), oopsgrpc.AttachCall)
//	srv := grpc.NewServer(
//		grpc.ChainUnaryInterceptor(oopsgrpc.UnaryServerInterceptor(cfg, nil)),
//		grpc.ChainStreamInterceptor(oopsgrpc.StreamServerInterceptor(cfg, nil)),
//	)
//
// Each call's context (for a stream, its Context) then carries a fresh
// timeline.Timeline, where the statements (sqltimeline, pgxtimeline),
// outgoing calls and log records of the call land, and the call's
// oops.Incident.
//
// # One call, one incident
//
// A call is one incident, as an HTTP request is for oopshttp: the first
// report stored during the call (an error logged with the call's context
// through slogoops or zapoops, say) is the call's report. It is published at
// once, with Report.Pending set, and the interceptors publish it again under
// the same id when the call ends, completed with the method, the status code,
// the duration, the metadata as request variables, the whole timeline (also
// what ran after the report) and the ids of the other reports stored during
// the call: Report.Revision one higher, Pending cleared. The id the client
// is given is its id, so the id a user quotes leads to the cause. A call
// that stored no report before it failed gets its own. Only stored reports
// are quoted: when no store takes a report, the client gets no id.
//
// The client is given the id of the call's report when
//
//   - the handler panics. The call answers with codes.Internal and the
//     message "internal error; please quote OOPS-…" (the panic's value is
//     not sent to the client). The id is in the trailer metadata
//     "x-oops-id" (see TrailerID) and in the status details, as an
//     errdetails.ErrorInfo with Reason "OOPS" and Metadata["id"]. A report
//     made before the panic keeps its cause and gets the panic under
//     PanicKey. A panic with a context's error after the call's context
//     ended (the client went away or the deadline passed) is not a failure
//     of the service: it answers with the context's status and makes no
//     report.
//   - the handler returns an error whose status code is one of
//     Options.ReportCodes (by default Internal, Unknown and DataLoss: the
//     codes that say the service failed; Unknown is what a plain Go error
//     becomes). The status goes to the client unchanged, and the trailer
//     "x-oops-id" holds the id. A report made before keeps its cause and
//     gets the error's text under HandlerErrorKey.
//
// A call that stored a report and then ended otherwise (answered, or with a
// code not to report) still has it completed, with its code, but gives the
// client no id.
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
//	extra     GRPC_STATUS, the code's name ("Internal"), related_ids, the
//	          ids of the other reports stored during the call, oldest
//	          first, and panic or handler_error, how the call ended when
//	          that was not its report's cause
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
