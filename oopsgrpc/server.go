package oopsgrpc

import (
	"context"
	"errors"
	"log"
	"slices"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/incident"
	"github.com/oops-go/oops/timeline"
)

// TrailerID is the trailer metadata key that carries the OOPS id of a call
// the interceptors made a report about.
const TrailerID = "x-oops-id"

// ErrorInfoReason is the Reason of the errdetails.ErrorInfo in the status
// of a call whose handler panicked; its Metadata["id"] is the OOPS id.
const ErrorInfoReason = "OOPS"

// Keys of Report.Extra that the interceptors write.
const (
	// StatusKey holds the status code of the call a report is about, by
	// name ("Internal"), as oopshttp's HTTP_STATUS.
	StatusKey = "GRPC_STATUS"
	// RelatedKey holds the ids ([]string) of the other reports stored
	// during the call, oldest first.
	RelatedKey = incident.RelatedKey
	// RelatedDroppedKey holds how many (int) further related ids were not
	// listed: a call keeps at most 100.
	RelatedDroppedKey = incident.RelatedDroppedKey
	// PanicKey holds the panic ("panic: …", or the panic error's text) of a
	// call whose report was made before the handler panicked: the report
	// stays about the earlier cause, and says how the call ended.
	PanicKey = "panic"
	// HandlerErrorKey holds the text of the error the handler returned when
	// the call's report was made before, about an earlier cause.
	HandlerErrorKey = "handler_error"
)

// DefaultReportCodes are the status codes that make a report when
// Options.ReportCodes is empty: the ones that mean the service failed, not the
// client.
var DefaultReportCodes = []codes.Code{codes.Internal, codes.Unknown, codes.DataLoss}

// Options configure the server interceptors. The zero value (or nil) is
// ready to use.
type Options struct {
	// ReportCodes are the status codes that, returned by a handler, make a
	// report. Empty means DefaultReportCodes.
	ReportCodes []codes.Code
	// NoReportCodes turns reports by status code off: only panics (and
	// reports made during the call) make the call's report.
	NoReportCodes bool

	// HiddenMetadata names metadata keys whose values reports show as
	// "<hidden>", besides cookie, authorization and proxy-authorization
	// (the last two keep their scheme). Names are matched
	// case-insensitively.
	HiddenMetadata []string

	// Timeline configures the timeline each call gets.
	Timeline timeline.Options

	// PublishError is called when publishing one of the interceptors'
	// reports fails. Nil means the standard logger prints it. A report
	// dropped by a filter is not an error. The report may already be in the
	// publisher's hands: do not change it.
	PublishError func(ctx context.Context, r *oops.Report, err error)
}

// server is what the interceptors made by one call share.
type server struct {
	cfg    *oops.Config
	opts   Options
	report []codes.Code
	hidden map[string]bool // lower-case metadata keys
	// publishError is Options.PublishError or its default.
	publishError func(ctx context.Context, r *oops.Report, err error)
}

func newServer(cfg *oops.Config, opts *Options) *server {
	if cfg == nil {
		cfg = new(oops.Config)
	}
	s := &server{cfg: cfg}
	if opts != nil {
		s.opts = *opts
	}
	switch {
	case s.opts.NoReportCodes:
		s.report = nil
	case len(s.opts.ReportCodes) == 0:
		s.report = DefaultReportCodes
	default:
		s.report = s.opts.ReportCodes
	}
	s.publishError = s.opts.PublishError
	if s.publishError == nil {
		s.publishError = func(_ context.Context, r *oops.Report, err error) {
			log.Printf("oopsgrpc: publishing %s for %s: %v", r.ID, r.ReqVars["GRPC_METHOD"], err)
		}
	}
	s.hidden = make(map[string]bool, len(s.opts.HiddenMetadata))
	for _, k := range s.opts.HiddenMetadata {
		s.hidden[strings.ToLower(strings.TrimSpace(k))] = true
	}
	return s
}

// UnaryServerInterceptor returns an interceptor that gives each unary call
// a fresh timeline and makes reports of its failures with cfg (see the
// package documentation). A nil cfg is the zero oops.Config, a nil opts the
// zero Options.
func UnaryServerInterceptor(cfg *oops.Config, opts *Options) grpc.UnaryServerInterceptor {
	s := newServer(cfg, opts)
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		if callFrom(ctx) != nil {
			return handler(ctx, req) // an outer interceptor of ours serves it
		}
		c := s.newCall(ctx, info.FullMethod, false)
		defer func() {
			if p := recover(); p != nil {
				resp, err = nil, c.panicked(p, func(md metadata.MD) { _ = grpc.SetTrailer(&c.ctx, md) })
			}
		}()
		resp, err = handler(&c.ctx, req)
		c.returned(err, func(md metadata.MD) { _ = grpc.SetTrailer(&c.ctx, md) })
		return resp, err
	}
}

// StreamServerInterceptor returns an interceptor that does for streaming
// calls what UnaryServerInterceptor does for unary ones. The handler's
// stream returns the call's context, with its timeline, from Context.
func StreamServerInterceptor(cfg *oops.Config, opts *Options) grpc.StreamServerInterceptor {
	s := newServer(cfg, opts)
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		if callFrom(ss.Context()) != nil {
			return handler(srv, ss)
		}
		c := s.newCall(ss.Context(), info.FullMethod, true)
		c.stream = serverStream{ServerStream: ss, c: c}
		defer func() {
			if p := recover(); p != nil {
				err = c.panicked(p, ss.SetTrailer)
			}
		}()
		err = handler(srv, &c.stream)
		c.returned(err, ss.SetTrailer)
		return err
	}
}

// serverStream is the handler's stream: the caller's, with the call's
// context.
type serverStream struct {
	grpc.ServerStream
	c *call
}

// Context returns the call's context, which carries its timeline.
func (s *serverStream) Context() context.Context { return &s.c.ctx }

func (s *server) newCall(ctx context.Context, method string, stream bool) *call {
	c := &call{s: s, method: method, streaming: stream}
	c.u.Cfg, c.u.TL, c.u.PublishError = s.cfg, timeline.NewWithOptions(&s.opts.Timeline), s.publishError
	c.ctx = callContext{Context: oops.WithIncident(timeline.NewContext(ctx, c.u.TL), &c.u.Inc), c: c}
	c.detached.Parent = &c.ctx
	return c
}

// returned ends the call's incident once the handler returned err: the
// call's report, if one was stored during the call, is completed; else a
// code to report makes one. The trailer quotes the report's id when the
// code is one to report.
func (c *call) returned(err error, setTrailer func(metadata.MD)) {
	code := status.Code(err)
	reported := err != nil && slices.Contains(c.s.report, code)
	var id string
	if d := c.u.Inc.End(); d != nil {
		id = c.revise(d, code, func(r *oops.Report) {
			if err != nil {
				r.Extra[HandlerErrorKey] = oops.ErrorText(err)
			}
		})
	} else if reported {
		id = c.publish(c.create(oops.Event{Err: err}, code))
	}
	if reported && id != "" {
		setTrailer(metadata.Pairs(TrailerID, id))
	}
}

// panicked ends the call's incident once the handler panicked with p, and
// returns the error the call answers with: codes.Internal quoting the id of
// the call's report (one stored earlier during the call, or one made now
// about the panic). A panic with a context's error after the client went
// away is not a failure of the service: the call answers with the context's
// status, unreported.
func (c *call) panicked(p any, setTrailer func(metadata.MD)) error {
	if err, ok := p.(error); ok && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) && c.ctx.Err() != nil {
		st := status.FromContextError(c.ctx.Err())
		if d := c.u.Inc.End(); d != nil {
			c.revise(d, st.Code(), nil)
		}
		return st.Err()
	}
	perr := &oops.PanicError{Value: p}
	var id string
	if d := c.u.Inc.End(); d != nil {
		// The call's report is about an earlier cause: it stays so, and
		// says how the call ended.
		id = c.revise(d, codes.Internal, func(r *oops.Report) { r.Extra[PanicKey] = perr.Error() })
	} else {
		id = c.publish(c.create(oops.Event{Err: perr, Stack: oops.Callers(1)}, codes.Internal))
	}
	if id == "" {
		// No store took it: there is no id to quote.
		return status.Error(codes.Internal, "internal error")
	}
	setTrailer(metadata.Pairs(TrailerID, id))
	st := status.New(codes.Internal, "internal error; please quote "+id)
	if withID, err := st.WithDetails(&errdetails.ErrorInfo{Reason: ErrorInfoReason, Metadata: map[string]string{"id": id}}); err == nil {
		st = withID
	}
	return st.Err()
}

// create makes one of the interceptors' own reports: the Config's hooks,
// then the call (if the hooks did not attach it), its status and the ids
// of the other reports stored during the call.
func (c *call) create(ev oops.Event, code codes.Code) *oops.Report {
	r := c.s.cfg.Create(&c.ctx, ev)
	if _, ok := r.ReqVars["GRPC_METHOD"]; !ok {
		c.attach(r)
	}
	if r.Extra == nil {
		r.Extra = make(map[string]any, 3)
	}
	r.Extra[StatusKey] = code.String()
	c.u.AddRelated(r)
	return r
}

// publish publishes r, with a context that outlives the call, and returns
// its id, or "" when no store took it.
func (c *call) publish(r *oops.Report) string {
	return c.u.Publish(&c.detached, r)
}

// revise publishes the call's report d completed: the call, its status
// code, duration and whole timeline, the related ids, and what amend adds.
// It returns the report's id, or "" when it was never stored.
func (c *call) revise(d *oops.Draft, code codes.Code, amend func(*oops.Report)) string {
	return c.u.Revise(&c.detached, d, func(r *oops.Report) {
		c.attach(r)
		if r.Extra == nil {
			r.Extra = make(map[string]any, 2)
		}
		r.Extra[StatusKey] = code.String()
		if amend != nil {
			amend(r)
		}
	})
}
