package mcp

import (
	"math"
	"testing"
	"time"
)

// parseSince follows 1.2.1's time filter: relative ages (saturating at the
// epoch), RFC 3339 as its time library reads it, clamped to uint64.
func TestParseSince(t *testing.T) {
	now := time.Unix(600, 0)
	cases := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"5m", 300e9, true}, {"5M", 300e9, true}, {" 10s\n", 590e9, true}, {"0s", 600e9, true}, {"1h", 0, true},
		{"18446744073709551615d", 0, true}, {"99999999999999999999s", 0, false},
		{"1970-01-01T00:10:00Z", 600e9, true}, {"1970-01-01t00:10:00z", 600e9, true}, {"1970-01-01 00:10:00.5Z", 600.5e9, true},
		{"1970-01-01T01:10:00+01:00", 600e9, true}, {"1970-01-01T00:00:00.123456789999Z", 123456789, true},
		{"1969-12-31T23:59:59Z", 0, true}, {"0000-01-01T00:00:00Z", 0, true}, {"9999-12-31T23:59:59Z", math.MaxUint64, true},
		{"2262-04-11T23:47:16.854775807Z", math.MaxInt64, true},
		{"2016-12-31T23:59:60Z", 1483228799999999999, true}, {"2016-12-31T23:59:60+01:00", 0, false},
		{"2016-12-30T23:59:60Z", 0, false}, {"2024-01-15T00:00:60Z", 0, false}, {"2024-02-30T00:00:00Z", 0, false},
		{"2024-02-29T00:00:00Z", 1709164800e9, true}, {"2023-02-29T00:00:00Z", 0, false},
		{"2024-01-15T24:00:00Z", 0, false}, {"2024-01-15T00:60:00Z", 0, false}, {"2024-01-15T00:00:00+24:00", 0, false},
		{"2024-01-15T00:00:00+23:60", 0, false}, {"2024-01-15T00:00Z", 0, false}, {"2024-01-15T00:00:00.Z", 0, false},
		{"2024-01-15T00:00:00", 0, false}, {"2024-01-15T00:00:00Zx", 0, false}, {"24-01-15T00:00:00Z", 0, false},
		{"", 0, false}, {"5", 0, false}, {"m", 0, false}, {"-5m", 0, false}, {"+5m", 0, false}, {"5w", 0, false},
		{"5mm", 0, false}, {"٣m", 0, false}, {"5é", 0, false},
	}
	for _, c := range cases {
		got, ok := parseSince(c.in, now)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("%q: %d %v, want %d %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
