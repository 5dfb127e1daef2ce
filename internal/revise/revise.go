// Package revise carries oops.Draft's revision for an amend that replaces
// the report's maps rather than writing into them, from package oops to
// internal/incident (and through it the middleware that completes a
// request's report), without making it public: an amend that wrote into a
// map would race with the publisher of the revision out before.
package revise

import "context"

// Replacing is set by package oops. It is d.Revise(ctx, cfg, amend), for d
// an *oops.Draft, cfg an *oops.Config and amend a func(*oops.Report) that
// changes none of the report's maps (ReqVars, Attrs, Extra) in place: to
// change one, it sets a new map in its place. The draft then need not copy
// the maps the revisions out before share with it.
var Replacing func(ctx context.Context, d, cfg, amend any) ([]string, error)
