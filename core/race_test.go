//go:build race

package core

// raceEnabled: under -race, sync/atomic calls into the race runtime's C code
// for addresses outside the Go heap (our mapping). A fault there cannot be
// turned into a panic (debug.SetPanicOnFault covers Go code only), so tests
// that truncate a pool file while a goroutine is loading from its mapping
// cannot run: the race runtime touches the word first from Go code, and only
// a truncation landing between that touch and the C load kills the process.
const raceEnabled = true
