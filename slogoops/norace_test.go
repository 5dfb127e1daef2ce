//go:build !race

package slogoops_test

const raceEnabled = false
