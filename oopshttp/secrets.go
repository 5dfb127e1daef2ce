package oopshttp

import "github.com/oops-go/oops/internal/reqvars"

// DefaultHiddenQueryParams are the query parameters whose values reports
// show as "<hidden>" in url, QUERY_STRING and HTTP_REFERER, and in the URLs a
// Transport records, besides those named in Options.HiddenQueryParams and
// TransportOptions.HiddenQueryParams. The middleware and NewTransport read
// it when they are made. Names are compared case-insensitively
// and without '-', '_' and '.', so "api_key", "API-Key" and "apikey" are one
// name. The entries below "contains:" hide every parameter whose name
// contains them ("db_password", "csrf_token", "X-Amz-Signature").
var DefaultHiddenQueryParams = []string{
	"pwd", "pass", "key", "sig", "sid", "auth", "jwt", "code", "otp", "pin",
	"contains:password", "contains:passwd", "contains:secret", "contains:token",
	"contains:apikey", "contains:accesskey", "contains:signature", "contains:session",
	"contains:credential", "contains:privatekey", "contains:authorization",
}

// newQuerySecrets returns what hides DefaultHiddenQueryParams and extra.
func newQuerySecrets(extra ...[]string) *reqvars.QuerySecrets {
	return reqvars.NewQuerySecrets(append([][]string{DefaultHiddenQueryParams}, extra...)...)
}
