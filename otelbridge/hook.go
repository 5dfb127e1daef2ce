package otelbridge

import (
	"context"

	"github.com/oops-go/oops"
	"go.opentelemetry.io/otel/trace"
)

// AttachTrace is an oops.Hook that sets r.TraceID and r.SpanID to the ids (in
// lowercase hex) of the span in ctx, and r.TraceFlags to its trace flags. It does nothing when ctx carries no
// valid span context, and leaves a report alone whose TraceID or SpanID an
// earlier hook or the template already set. Add it to Config.Hooks after the
// default hooks:
//
//	cfg.Hooks = append(oops.DefaultHooks(), otelbridge.AttachTrace)
func AttachTrace(ctx context.Context, r *oops.Report, _ *oops.Event) {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() || r.TraceID != "" || r.SpanID != "" {
		return
	}
	r.TraceID = sc.TraceID().String()
	r.SpanID = sc.SpanID().String()
	r.TraceFlags = int(sc.TraceFlags())
}

// compile-time check that AttachTrace is a Hook.
var _ oops.Hook = AttachTrace
