//go:build !race

package core

const raceEnabled = false // see race_test.go
