// Package console serves the web console of oops reports, after Launchpad's
// oops-tools: paste an OOPS id and read the story at a glance, with the
// request's timeline drawn as a waterfall in which the slow statement and the
// statement repeated 200 times stand out.
//
// New returns an http.Handler, so a service can mount it in its own admin
// mux; the oops command's "serve" runs it on its own. It reads any
// store.Reader (a datedir directory, a SQL store) and, when the store also
// implements store.FaultReader, shows resources' faults.
//
// # Pages
//
//	/                  a box to paste an id in (any form oops.ParseID takes),
//	                   the newest reports, today's most frequent groups
//	/go?id=…           opens the pasted id's report
//	/report/{id}       one report: headline, request, the timeline as an SVG
//	                   waterfall (one bar per step, coloured by category,
//	                   failed steps, N+1 runs and the longest statement
//	                   marked, the statement on hover and in a table below),
//	                   SQL against other time, repeated statements, kept log
//	                   records, traceback, request variables, attributes,
//	                   related reports
//	/reports?…         the list, with the oops command's filters (from, to,
//	                   type, topic, reporter, signature, resource, q for text,
//	                   limit), a page at a time
//	/summary?from=&to= the groups by signature over a time range (the last
//	                   24 hours by default), in sections by class (those of
//	                   package analysis); the 100 most frequent, limit= for
//	                   more
//	/faults?resource=R the resource's latest fault and its history
//	/static/…          the console's stylesheet and script
//
// All paths are under Options.BasePath.
//
// # Safe to expose
//
// There are two roles (store.Role). A viewer sees ids, times, types,
// messages, topics and counts; an admin also sees the details: traceback,
// request variables, URL, user, statement texts, attributes, log records and
// other keys. Every page shows what store.ForRole and store.FaultOf return
// for the reader's role, the rule the stores apply too, so the console has no
// rule of its own to get wrong.
//
// Readers authenticate with a bearer token, basic auth, or a header set by a
// trusted reverse proxy; see Auth. AuthFromEnv reads tokens from
// OOPS_VIEWER_TOKEN and OOPS_ADMIN_TOKEN. With no credential configured every
// request is a viewer, which is why the console listens on loopback
// (DefaultAddr) unless told otherwise, and why Serve refuses to serve such a
// console elsewhere unless Auth.Anonymous says it is meant.
//
// Behind a reverse proxy that authenticates people, let it set a header with
// the role and name the proxy's address as trusted:
//
//	console.Auth{
//		ProxyHeader:    "X-Oops-Role",                                   // "viewer" or "admin"
//		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.5/32")},
//	}
//
// The proxy must set the header on every request it forwards and drop any
// copy a client sent. The header is ignored on requests from other
// addresses.
//
// Everything that comes from a report is escaped by html/template, in the
// page and in the SVG. Every response carries a Content-Security-Policy that
// allows the console's own script and stylesheet only (no inline script or
// style, no framing: frame-ancestors 'none'), X-Content-Type-Options:
// nosniff, Referrer-Policy: no-referrer and Cache-Control: no-store. The
// console only reads: it answers GET and HEAD and refuses every other
// method, so it has no form that changes data and needs no CSRF token;
// deleting and pruning are left to the oops command.
//
// Package console imports the oops core, the store API, the analysis
// package and the standard library only.
package console
