//go:build race

package slogoops_test

// raceEnabled is true when the tests run under the race detector, which
// makes the storm test's million records take too long; it logs fewer.
const raceEnabled = true
