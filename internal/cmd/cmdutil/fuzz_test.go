package cmdutil

import (
	"testing"
	"time"
)

// Argument values never panic the unit parsers.
func FuzzUnits(f *testing.F) {
	for _, s := range []string{"64M", "10s", "5m", "2026-01-01T00:00:00Z", "", "9999999999999999999999G"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ParseSize(s)
		ParseDuration(s)
		ParseSince(s, time.Unix(0, 0))
	})
}
