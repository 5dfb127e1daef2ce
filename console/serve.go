package console

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"
)

// DefaultAddr is the address the console listens on unless told otherwise:
// loopback only.
const DefaultAddr = "127.0.0.1:8080"

// Environment variables AuthFromEnv reads.
const (
	EnvViewerToken    = "OOPS_VIEWER_TOKEN"
	EnvAdminToken     = "OOPS_ADMIN_TOKEN"
	EnvProxyHeader    = "OOPS_PROXY_HEADER"
	EnvTrustedProxies = "OOPS_TRUSTED_PROXIES"
)

// AuthFromEnv returns the Auth the environment configures: a viewer token
// in OOPS_VIEWER_TOKEN, an admin token in OOPS_ADMIN_TOKEN, the header a
// reverse proxy sets the role in (OOPS_PROXY_HEADER) and the proxies'
// addresses (OOPS_TRUSTED_PROXIES, comma-separated addresses or CIDR
// prefixes). getenv reads the environment; nil means os.Getenv.
func AuthFromEnv(getenv func(string) string) (Auth, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var a Auth
	if t := getenv(EnvViewerToken); t != "" {
		a.ViewerTokens = []string{t}
	}
	if t := getenv(EnvAdminToken); t != "" {
		a.AdminTokens = []string{t}
	}
	a.ProxyHeader = getenv(EnvProxyHeader)
	var err error
	a.TrustedProxies, err = ParsePrefixes(getenv(EnvTrustedProxies))
	if err != nil {
		return a, fmt.Errorf("%s: %w", EnvTrustedProxies, err)
	}
	return a, nil
}

// ParsePrefixes reads a comma-separated list of addresses and CIDR
// prefixes; an address stands for itself alone.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var ps []netip.Prefix
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			ps = append(ps, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("oops console: %q is neither an address nor a CIDR prefix", f)
		}
		ps = append(ps, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return ps, nil
}

// Open reports whether the console lets in requests that present no
// credentials.
func (h *Handler) Open() bool { return h.auth.anonymous != nil }

// ErrExposed is wrapped by Serve's error when it refuses to serve a console
// that lets anyone in on an address other than loopback.
var ErrExposed = errors.New("oops console: refusing to serve reports without credentials beyond loopback")

// Serve serves h on ln until ctx is done, then shuts down, giving requests
// in flight five seconds to finish. It returns nil after a shutdown that
// ctx asked for.
//
// When h is a *Handler that lets in requests without credentials only
// because none are configured (Auth.Anonymous is nil), Serve refuses to
// serve on an address other than loopback: configure tokens, users or a
// trusted proxy, or set Auth.Anonymous to say that is meant.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	if c, ok := h.(*Handler); ok && c.opts.Auth.Anonymous == nil && c.Open() && !isLoopback(ln.Addr()) {
		ln.Close()
		return fmt.Errorf("%w: %s (set %s or %s)", ErrExposed, ln.Addr(), EnvViewerToken, EnvAdminToken)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return <-done
}

// ListenAndServe listens on addr (DefaultAddr when "") and calls Serve.
func ListenAndServe(ctx context.Context, addr string, h http.Handler) error {
	if addr == "" {
		addr = DefaultAddr
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("oops console: %w", err)
	}
	return Serve(ctx, ln, h)
}

func isLoopback(a net.Addr) bool {
	ap, err := netip.ParseAddrPort(a.String())
	return err == nil && ap.Addr().Unmap().IsLoopback()
}
