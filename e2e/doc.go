// Package e2e holds the tests that need more than the library: the web
// console driven in a real browser (headless Chromium through
// github.com/chromedp/chromedp). It is a module of its own so that its
// dependencies never reach the library's users.
//
// The browser tests run when Chromium is found: the binary named by
// OOPS_TEST_CHROMIUM, else chromium or chromium-browser on the PATH. They
// skip, saying so, where there is none.
//
//	cd e2e && go test ./...
//	cd e2e && go test -run Console -update-docs ./...   # refresh ../docs/console-report.png
package e2e
