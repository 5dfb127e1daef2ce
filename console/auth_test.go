package console_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oops-go/oops/console"
	"github.com/oops-go/oops/store"
)

func roleOf(t *testing.T, h http.Handler, remote string, header ...string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = remote
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return rec.Code, ""
	}
	who := find(parse(t, rec.Body.String()), byClass("span", "who"))
	require.Len(t, who, 1)
	return rec.Code, text(who[0])
}

func TestAuth(t *testing.T) {
	repo := newRepo(t)
	h := console.New(&console.Options{Store: repo, Auth: console.Auth{
		ViewerTokens:   []string{viewerToken},
		AdminTokens:    []string{adminToken},
		Users:          []console.User{{Name: "grace", Password: "hopper", Role: store.Admin}, {Name: "bob", Password: "pw", Role: store.Viewer}},
		ProxyHeader:    "X-Oops-Role",
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.5/32")},
	}})
	const local = "127.0.0.1:4000"
	basic := func(u, p string) []string {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.SetBasicAuth(u, p)
		return []string{"Authorization", r.Header.Get("Authorization")}
	}
	for _, c := range []struct {
		name   string
		remote string
		header []string
		code   int
		role   string
	}{
		{"no credentials", local, nil, http.StatusUnauthorized, ""},
		{"viewer token", local, bearer(viewerToken), http.StatusOK, "viewer"},
		{"admin token", local, bearer(adminToken), http.StatusOK, "admin"},
		{"wrong token", local, bearer("nope"), http.StatusUnauthorized, ""},
		{"token prefix", local, bearer(adminToken[:5]), http.StatusUnauthorized, ""},
		{"empty bearer", local, []string{"Authorization", "Bearer "}, http.StatusUnauthorized, ""},
		{"unknown scheme", local, []string{"Authorization", "Digest x"}, http.StatusUnauthorized, ""},
		{"basic admin", local, basic("grace", "hopper"), http.StatusOK, "admin"},
		{"basic viewer", local, basic("bob", "pw"), http.StatusOK, "viewer"},
		{"basic wrong password", local, basic("grace", "pw"), http.StatusUnauthorized, ""},
		{"basic with a token", local, basic("anyone", adminToken), http.StatusOK, "admin"},
		{"trusted proxy admin", "10.0.0.5:999", []string{"X-Oops-Role", "admin"}, http.StatusOK, "admin"},
		{"trusted proxy viewer", "10.0.0.5:999", []string{"X-Oops-Role", "Viewer"}, http.StatusOK, "viewer"},
		{"trusted proxy, bad role", "10.0.0.5:999", []string{"X-Oops-Role", "root"}, http.StatusUnauthorized, ""},
		{"untrusted proxy header", "10.0.0.6:999", []string{"X-Oops-Role", "admin"}, http.StatusUnauthorized, ""},
		{"proxy header from loopback", local, []string{"X-Oops-Role", "admin"}, http.StatusUnauthorized, ""},
		{"wrong token beats proxy", "10.0.0.5:999", []string{"X-Oops-Role", "admin", "Authorization", "Bearer x"}, http.StatusUnauthorized, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, role := roleOf(t, h, c.remote, c.header...)
			assert.Equal(t, c.code, code)
			assert.Equal(t, c.role, role)
		})
	}

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Contains(t, rec.Header().Values("WWW-Authenticate"), `Basic realm="oops console", charset="UTF-8"`, "a browser asks for a login")
	assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"), "refusals carry the headers too")
}

func TestAnonymous(t *testing.T) {
	repo := newRepo(t)
	code, role := roleOf(t, console.New(&console.Options{Store: repo}), "127.0.0.1:1")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "viewer", role, "no credentials configured: a viewer")

	admin := store.Admin
	code, role = roleOf(t, console.New(&console.Options{Store: repo, Auth: console.Auth{Anonymous: &admin}}), "127.0.0.1:1")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "admin", role)

	viewer := store.Viewer
	h := console.New(&console.Options{Store: repo, Auth: console.Auth{AdminTokens: []string{adminToken}, Anonymous: &viewer}})
	_, role = roleOf(t, h, "127.0.0.1:1")
	assert.Equal(t, "viewer", role)
	_, role = roleOf(t, h, "127.0.0.1:1", bearer(adminToken)...)
	assert.Equal(t, "admin", role)
}

func TestServeRefusesAnOpenConsoleBeyondLoopback(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := console.New(&console.Options{Store: newRepo(t)})
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	require.NoError(t, err)
	err = console.Serve(ctx, ln, h)
	require.ErrorIs(t, err, console.ErrExposed)

	ln, err = net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- console.Serve(ctx, ln, h) }()
	// The listener is open before Serve runs, so the request waits in its
	// backlog rather than failing.
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	cancel()
	assert.NoError(t, <-done)
}

func TestParsePrefixes(t *testing.T) {
	ps, err := console.ParsePrefixes(" 10.0.0.0/8, 192.168.1.7 ,::1")
	require.NoError(t, err)
	require.Len(t, ps, 3)
	assert.True(t, ps[1].Contains(netip.MustParseAddr("192.168.1.7")))
	assert.False(t, ps[1].Contains(netip.MustParseAddr("192.168.1.8")))
	_, err = console.ParsePrefixes("10.0.0.0/8,example.com")
	assert.Error(t, err)
}

func TestAuthFromEnv(t *testing.T) {
	env := map[string]string{
		"OOPS_VIEWER_TOKEN": "v", "OOPS_ADMIN_TOKEN": "a",
		"OOPS_PROXY_HEADER": "X-Oops-Role", "OOPS_TRUSTED_PROXIES": "10.1.0.0/16",
	}
	a, err := console.AuthFromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, []string{"v"}, a.ViewerTokens)
	assert.Equal(t, []string{"a"}, a.AdminTokens)
	assert.Equal(t, "X-Oops-Role", a.ProxyHeader)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}, a.TrustedProxies)
	env["OOPS_TRUSTED_PROXIES"] = "nope"
	_, err = console.AuthFromEnv(func(k string) string { return env[k] })
	assert.ErrorContains(t, err, "OOPS_TRUSTED_PROXIES")
}
