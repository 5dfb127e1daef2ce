//go:build race

package zapoops_test

// raceEnabled is true when the tests run under the race detector, whose
// instrumentation allocates on its own and whose sync.Pool drops values at
// random: allocation counts are then not the program's.
const raceEnabled = true
