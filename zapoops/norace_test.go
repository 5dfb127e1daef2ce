//go:build !race

package zapoops_test

const raceEnabled = false
