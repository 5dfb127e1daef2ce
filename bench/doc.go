// Package bench holds side-by-side benchmarks of oops against peer
// libraries. It is a module of its own so that the peers never enter the
// library's go.mod; see README.md for how to rerun them.
package bench
