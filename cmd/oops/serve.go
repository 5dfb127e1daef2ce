package main

import (
	"fmt"
	"net"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oops-go/oops/console"
	"github.com/oops-go/oops/store"
)

func newServe(e *env) *cobra.Command {
	var listen, basePath, anonymous, viewerToken, adminToken, proxyHeader, trusted string
	var users []string
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web console on the store",
		Long: `Serve runs the web console (package console) on the store: paste an id,
read a report with its timeline as a waterfall, list, summarise, and read a
resource's faults. It listens on loopback (` + console.DefaultAddr + `) unless
--listen says otherwise, and stops on Ctrl-C.

Readers are viewers (ids, times, types, messages, counts) or admins (also
tracebacks, request variables, statements, attributes, log records). They
authenticate with a bearer token or basic auth (any user name, the token as
password): tokens come from OOPS_VIEWER_TOKEN and OOPS_ADMIN_TOKEN (better
than the flags, which other users can see in the process list). --user adds
basic-auth accounts. Behind a reverse proxy that authenticates people, set
--proxy-header to the header it puts the role in ("viewer" or "admin") and
--trusted-proxy to its addresses (or OOPS_PROXY_HEADER and
OOPS_TRUSTED_PROXIES); the header is ignored from anyone else.

With no credential at all every reader is a viewer, and serve refuses to
listen beyond loopback. --anonymous sets the role of readers that present no
credential: none, viewer or admin.`,
		Example: `  oops -s /var/lib/oops serve
  OOPS_ADMIN_TOKEN=$(openssl rand -hex 16) oops -s sqlite:/var/lib/oops.db serve --listen :8080
  oops -s /var/lib/oops serve --proxy-header X-Oops-Role --trusted-proxy 10.0.0.5`,
		Args: args(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			auth, err := console.AuthFromEnv(e.getenv)
			if err != nil {
				return usageErr("%v", err)
			}
			if viewerToken != "" {
				auth.ViewerTokens = append(auth.ViewerTokens, viewerToken)
			}
			if adminToken != "" {
				auth.AdminTokens = append(auth.AdminTokens, adminToken)
			}
			for _, u := range users {
				name, rest, ok1 := strings.Cut(u, ":")
				pass, roleName, ok2 := strings.Cut(rest, ":")
				role, err := store.ParseRole(roleName)
				if !ok1 || !ok2 || name == "" || pass == "" || err != nil {
					return usageErr("--user wants NAME:PASSWORD:viewer|admin")
				}
				auth.Users = append(auth.Users, console.User{Name: name, Password: pass, Role: role})
			}
			if proxyHeader != "" {
				auth.ProxyHeader = proxyHeader
			}
			if trusted != "" {
				if auth.TrustedProxies, err = console.ParsePrefixes(trusted); err != nil {
					return usageErr("--trusted-proxy: %v", err)
				}
			}
			switch anonymous {
			case "":
			case "none":
				auth.Anonymous = nil
				if len(auth.ViewerTokens)+len(auth.AdminTokens)+len(auth.Users) == 0 && auth.ProxyHeader == "" {
					return usageErr("--anonymous none with no credential would let nobody in")
				}
			default:
				role, err := store.ParseRole(anonymous)
				if err != nil {
					return usageErr("--anonymous wants none, viewer or admin")
				}
				auth.Anonymous = &role
			}

			h, err := e.open(c.Context())
			if err != nil {
				return err
			}
			defer h.close()
			handler := console.New(&console.Options{Store: h.reader, Auth: auth, BasePath: basePath})
			var lc net.ListenConfig
			ln, err := lc.Listen(c.Context(), "tcp", listen)
			if err != nil {
				return usageErr("--listen %s: %v", listen, err)
			}
			fmt.Fprintf(e.stdout, "The console for %s is at http://%s%s/ (Ctrl-C to stop)\n", h.name, ln.Addr(), strings.TrimRight(basePath, "/"))
			if err := console.Serve(c.Context(), ln, handler); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&listen, "listen", console.DefaultAddr, "the address to listen on; loopback unless you say otherwise")
	f.StringVar(&basePath, "base-path", "", "the path the console is served under, e.g. /oops, behind a proxy")
	f.StringVar(&viewerToken, "viewer-token", "", "a viewer's bearer token (prefer $OOPS_VIEWER_TOKEN)")
	f.StringVar(&adminToken, "admin-token", "", "an admin's bearer token (prefer $OOPS_ADMIN_TOKEN)")
	f.StringArrayVar(&users, "user", nil, "a basic-auth account, NAME:PASSWORD:viewer|admin (repeatable)")
	f.StringVar(&proxyHeader, "proxy-header", "", "the header a trusted reverse proxy sets the role in (default $OOPS_PROXY_HEADER)")
	f.StringVar(&trusted, "trusted-proxy", "", "the proxies' addresses or CIDR prefixes, comma-separated (default $OOPS_TRUSTED_PROXIES)")
	f.StringVar(&anonymous, "anonymous", "", "the role of readers without credentials: none, viewer or admin (default: viewer when no credential is configured, else none)")
	return c
}
