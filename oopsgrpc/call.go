package oopsgrpc

import (
	"context"
	"encoding/base64"
	"strings"
	"time"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"

	"github.com/oops-go/oops"
	"github.com/oops-go/oops/internal/incident"
	"github.com/oops-go/oops/internal/reqvars"
)

// call is what the server interceptors keep for one call. Its context and
// stream wrapper live inside it so that one allocation serves all three.
type call struct {
	ctx       callContext
	stream    serverStream // streaming calls only
	s         *server
	method    string
	streaming bool
	// u holds the call's incident and timeline (its Started time is the
	// call's start).
	u incident.Unit
	// detached is ctx without its cancellation, for publishing: a report
	// outlives the client.
	detached incident.Detached
}

type ctxKey struct{}

// callContext is the call's context: gRPC's, with the timeline, and
// answering ctxKey with the call.
type callContext struct {
	context.Context
	c *call
}

// Value returns the call for ctxKey and asks the parent for anything else.
func (c *callContext) Value(key any) any {
	if key == (ctxKey{}) {
		return c.c
	}
	return c.Context.Value(key)
}

func callFrom(ctx context.Context) *call {
	if ctx == nil {
		return nil
	}
	c, _ := ctx.Value(ctxKey{}).(*call)
	return c
}

// MethodFromContext returns the full method ("/pkg.Service/Method") of the
// call the server interceptors are serving with ctx (or a context made from
// it), or "" when ctx comes from no such call.
func MethodFromContext(ctx context.Context) string {
	if c := callFrom(ctx); c != nil {
		return c.method
	}
	return ""
}

// AttachCall is a create hook that fills in, when ctx belongs to a call the
// server interceptors serve, the report's topic (the full method, unless
// already set), url (grpc://authority/pkg.Service/Method), duration (so far)
// and req_vars: GRPC_METHOD, GRPC_STREAMING ("true" for a streaming call),
// REMOTE_ADDR, and HTTP_<KEY> for each metadata key (HTTP_USER_AGENT,
// HTTP_X_REQUEST_ID), with secrets hidden: HTTP_COOKIE and keys named in
// Options.HiddenMetadata are "<hidden>", HTTP_AUTHORIZATION and
// HTTP_PROXY_AUTHORIZATION keep only their scheme ("Bearer <hidden>").
// Binary metadata ("-bin" keys) is shown in base64, as it travels. With any
// other ctx it does nothing.
func AttachCall(ctx context.Context, r *oops.Report, _ *oops.Event) {
	if c := callFrom(ctx); c != nil {
		c.attach(r)
	}
}

// attach fills r from the call: see AttachCall.
func (c *call) attach(r *oops.Report) {
	if r.Topic == "" {
		r.Topic = reqvars.ValidText(c.method)
	}
	r.Duration = time.Since(c.u.TL.Started()).Seconds()
	md, _ := metadata.FromIncomingContext(&c.ctx)
	if auth := md.Get(":authority"); len(auth) > 0 && r.URL == "" {
		r.URL = reqvars.ValidText("grpc://" + auth[0] + c.method)
	}
	vars := c.reqVars(md)
	if r.ReqVars == nil {
		r.ReqVars = vars
		return
	}
	for k, v := range vars {
		r.ReqVars[k] = v
	}
}

// reqVars returns the call as request variables, secrets hidden.
func (c *call) reqVars(md metadata.MD) map[string]string {
	vars := make(map[string]string, len(md)+3)
	vars["GRPC_METHOD"] = reqvars.ValidText(c.method)
	if c.streaming {
		vars["GRPC_STREAMING"] = "true"
	}
	if p, ok := peer.FromContext(&c.ctx); ok && p.Addr != nil {
		vars["REMOTE_ADDR"] = reqvars.ValidText(p.Addr.String())
	}
	for key, values := range md {
		key = strings.ToLower(key)
		if strings.HasPrefix(key, ":") {
			continue // pseudo-headers: the method and authority are above
		}
		name := reqvars.EnvName(key)
		switch {
		case key == "cookie" || c.s.hidden[key]:
			vars[name] = reqvars.Hidden
		case key == "authorization" || key == "proxy-authorization":
			vars[name] = reqvars.HideCredentials(strings.Join(values, ", "))
		case strings.HasSuffix(key, "-bin"):
			enc := make([]string, len(values))
			for i, v := range values {
				enc[i] = base64.StdEncoding.EncodeToString([]byte(v))
			}
			vars[name] = strings.Join(enc, ", ")
		default:
			vars[name] = reqvars.ValidText(strings.Join(values, ", "))
		}
	}
	return vars
}
