package oops

import "context"

type resourceKey struct{}

// WithResource returns a context that names the resource a failure in it
// concerns, such as "order/8123" or "db-instance/42". AttachResource copies
// it into a report's resource field, so that a store can answer "the latest
// fault of this resource" (after OpenStack's instance faults). A log
// attribute named "resource" does the same for one record.
func WithResource(ctx context.Context, resource string) context.Context {
	return context.WithValue(ctx, resourceKey{}, resource)
}

// ResourceFromContext returns the resource named by WithResource, or "".
func ResourceFromContext(ctx context.Context) string {
	s, _ := ctx.Value(resourceKey{}).(string)
	return s
}

// AttachResource sets r.Resource from the context (see WithResource) unless
// the template or an earlier hook set it.
func AttachResource(ctx context.Context, r *Report, _ *Event) {
	if r.Resource == "" {
		r.Resource = ResourceFromContext(ctx)
	}
}
