package console

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/netip"
	"strings"

	"github.com/oops-go/oops/store"
)

// Auth says who may read the console and with which role. Its zero value
// lets every request in as a viewer, which suits a console that listens on
// loopback only; configure a credential before listening elsewhere.
//
// A request is authenticated by the first of these that it presents:
//
//   - "Authorization: Bearer TOKEN" with one of ViewerTokens or AdminTokens;
//   - "Authorization: Basic …" with a user of Users and its password, or with
//     any user name and a token as the password (so that a browser's login
//     prompt takes a token);
//   - the ProxyHeader, holding "viewer" or "admin", on a request whose
//     remote address is in TrustedProxies (a reverse proxy that
//     authenticated the user and sets the header, and strips it from what
//     clients send). The header is ignored on any other request.
//
// Credentials that are presented and wrong are refused (401); they never fall
// back to anonymous access. A request that presents none gets the role
// Anonymous points to; when Anonymous is nil it is a viewer if no credential
// is configured at all, and refused otherwise.
type Auth struct {
	ViewerTokens []string
	AdminTokens  []string
	Users        []User

	ProxyHeader    string         // e.g. "X-Oops-Role"; "" disables it
	TrustedProxies []netip.Prefix // remote addresses allowed to set ProxyHeader

	Anonymous *store.Role
}

// A User is a basic-auth account.
type User struct {
	Name     string
	Password string
	Role     store.Role
}

// A Principal is who a request was authenticated as.
type Principal struct {
	Name string // the user name, "token", the proxy's name for the user, or "anonymous"
	Role store.Role
}

// authenticator holds an Auth in the form requests are checked against:
// secrets as SHA-256 digests, compared in constant time, so that neither
// their content nor their length leaks through timing.
type authenticator struct {
	tokens      []secret
	users       []userSecret
	proxyHeader string
	trusted     []netip.Prefix
	anonymous   *store.Role
}

type secret struct {
	sum  [sha256.Size]byte
	role store.Role
}

type userSecret struct {
	name [sha256.Size]byte
	pass [sha256.Size]byte
	user User
}

func newAuthenticator(a Auth) *authenticator {
	au := &authenticator{proxyHeader: http.CanonicalHeaderKey(strings.TrimSpace(a.ProxyHeader)), trusted: a.TrustedProxies}
	for _, t := range a.ViewerTokens {
		if t != "" {
			au.tokens = append(au.tokens, secret{sha256.Sum256([]byte(t)), store.Viewer})
		}
	}
	for _, t := range a.AdminTokens {
		if t != "" {
			au.tokens = append(au.tokens, secret{sha256.Sum256([]byte(t)), store.Admin})
		}
	}
	for _, u := range a.Users {
		if u.Name != "" && u.Password != "" {
			au.users = append(au.users, userSecret{sha256.Sum256([]byte(u.Name)), sha256.Sum256([]byte(u.Password)), u})
		}
	}
	switch {
	case a.Anonymous != nil:
		r := *a.Anonymous
		au.anonymous = &r
	case len(au.tokens) == 0 && len(au.users) == 0 && au.proxyHeader == "":
		r := store.Viewer
		au.anonymous = &r
	}
	return au
}

// challenges says whether a refusal should ask for basic auth, so that a
// browser shows its login prompt.
func (au *authenticator) challenges() bool { return len(au.tokens) > 0 || len(au.users) > 0 }

// authenticate returns who r is, or false when r must be refused.
func (au *authenticator) authenticate(r *http.Request) (Principal, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, cred, _ := strings.Cut(h, " ")
		switch {
		case strings.EqualFold(scheme, "Bearer"):
			if role, ok := au.token(strings.TrimSpace(cred)); ok {
				return Principal{Name: "token", Role: role}, true
			}
		case strings.EqualFold(scheme, "Basic"):
			if name, pass, ok := r.BasicAuth(); ok {
				return au.basic(name, pass)
			}
		}
		return Principal{}, false
	}
	if au.proxyHeader != "" {
		if v := r.Header.Values(au.proxyHeader); len(v) > 0 && au.fromTrustedProxy(r) {
			if len(v) != 1 {
				return Principal{}, false
			}
			role, err := store.ParseRole(v[0])
			if err != nil {
				return Principal{}, false
			}
			return Principal{Name: "proxy", Role: role}, true
		}
	}
	if au.anonymous != nil {
		return Principal{Name: "anonymous", Role: *au.anonymous}, true
	}
	return Principal{}, false
}

func (au *authenticator) token(t string) (store.Role, bool) {
	if t == "" {
		return store.Viewer, false
	}
	sum := sha256.Sum256([]byte(t))
	role, found := store.Viewer, 0
	// Every token is compared, so that the time taken does not say which
	// one matched.
	for _, s := range au.tokens {
		if subtle.ConstantTimeCompare(sum[:], s.sum[:]) == 1 {
			found = 1
			if s.role == store.Admin {
				role = store.Admin
			}
		}
	}
	return role, found == 1
}

func (au *authenticator) basic(name, pass string) (Principal, bool) {
	n, p := sha256.Sum256([]byte(name)), sha256.Sum256([]byte(pass))
	var match *User
	for i := range au.users {
		u := &au.users[i]
		if subtle.ConstantTimeCompare(n[:], u.name[:])&subtle.ConstantTimeCompare(p[:], u.pass[:]) == 1 {
			match = &u.user
		}
	}
	if match != nil {
		return Principal{Name: match.Name, Role: match.Role}, true
	}
	if role, ok := au.token(pass); ok {
		return Principal{Name: "token", Role: role}, true
	}
	return Principal{}, false
}

func (au *authenticator) fromTrustedProxy(r *http.Request) bool {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	addr := ap.Addr().Unmap()
	for _, p := range au.trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
