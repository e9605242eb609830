package cmdutil

import (
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

func TestParseSize(t *testing.T) {
	good := map[string]int64{"1048576": 1 << 20, "64K": 64 << 10, "64k": 64 << 10, "8M": 8 << 20, "1g": 1 << 30, " 2M": 2 << 20}
	for in, want := range good {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	bad := map[string]string{"": "invalid size", "M": "invalid size", "1.5M": "invalid size suffix", "1MB": "invalid size suffix", "1Gi": "invalid size suffix", "99999999999999999999": "size overflow", "99999999999G": "size overflow"}
	for in, msg := range bad {
		_, err := ParseSize(in)
		if e, ok := err.(*core.Error); !ok || e.Message != msg || e.Kind != core.Usage {
			t.Errorf("ParseSize(%q) error = %v; want Usage %q", in, err, msg)
		}
	}
}

func TestParseDuration(t *testing.T) {
	good := map[string]time.Duration{"500ms": 500 * time.Millisecond, "10s": 10 * time.Second, "5m": 5 * time.Minute, "2h": 2 * time.Hour, "0s": 0}
	for in, want := range good {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "5", "5d", "1.5s", "5S", " 5s", "1h30m", "ms"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) accepted", in)
		}
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 2, 2, 23, 45, 0, 0, time.UTC)
	good := map[string]time.Time{
		"30s":                       now.Add(-30 * time.Second),
		"5M":                        now.Add(-5 * time.Minute),
		"2h":                        now.Add(-2 * time.Hour),
		"1d":                        now.Add(-24 * time.Hour),
		"2026-01-15T10:00:00Z":      time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC),
		"2026-01-15T12:00:00+02:00": time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC),
		"2026-01-15T10:00:00.5Z":    time.Date(2026, 1, 15, 10, 0, 0, 5e8, time.UTC),
	}
	for in, want := range good {
		if got, err := ParseSince(in, now); err != nil || got != want.UnixNano() {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", in, time.Unix(0, got).UTC(), err, want)
		}
	}
	for _, in := range []string{"", "5ms", "1w", "1.5h", "2026-01-15", "2026-01-15T10:00:00", "yesterday"} {
		if _, err := ParseSince(in, now); err == nil {
			t.Errorf("ParseSince(%q) accepted", in)
		}
	}
}

func TestHumanBytesAndAgo(t *testing.T) {
	for n, want := range map[uint64]string{0: "0", 1023: "1023", 1024: "1K", 1536: "1.5K", 65536: "64K", 978944: "956K", 1 << 20: "1M", 8 << 20: "8M", 1 << 30: "1G"} {
		if got := HumanBytes(n); got != want {
			t.Errorf("HumanBytes(%d) = %q; want %q", n, got, want)
		}
	}
	now := time.Now()
	for d, want := range map[time.Duration]string{0: "1s ago", 5 * time.Second: "5s ago", 3 * time.Minute: "3m ago", 2 * time.Hour: "2h ago", 50 * time.Hour: "2d ago", 15 * 24 * time.Hour: "2w ago"} {
		if got := Ago(now.Add(-d), now); got != want {
			t.Errorf("Ago(%v) = %q; want %q", d, got, want)
		}
	}
}

func TestJSONFloatAndStrings(t *testing.T) {
	for f, want := range map[float64]string{1: "1.0", 0: "0.0", 23.5: "23.5", 0.02: "0.02", 25.25: "25.25", 1e20: "1e+20", 1e16: "1e+16", 1e15: "1000000000000000.0", 1.5e-7: "1.5e-7", 0.0001: "0.0001", -2.5: "-2.5", 100: "100.0"} {
		if got := string(jsonfmt.AppendFloat(nil, f)); got != want {
			t.Errorf("float %v = %q; want %q", f, got, want)
		}
	}
	got := string(jsonfmt.AppendString(nil, "a\"b\\c\n\t\x01/<é>&\u2028"))
	want := `"a\"b\\c\n\t\u0001/<é>&` + "\u2028" + `"`
	if got != want {
		t.Errorf("string = %s; want %s", got, want)
	}
	v := map[string]any{"b": []any{int64(1), 2.5}, "a": map[string]any{}, "c": []any{}}
	if got := string(jsonfmt.AppendValue(nil, v, jsonfmt.Compact)); got != `{"a":{},"b":[1,2.5],"c":[]}` {
		t.Errorf("compact = %s", got)
	}
	if got := string(jsonfmt.AppendValue(nil, v, jsonfmt.Pretty)); got != "{\n  \"a\": {},\n  \"b\": [\n    1,\n    2.5\n  ],\n  \"c\": []\n}" {
		t.Errorf("pretty = %s", got)
	}
	if got := string(jsonfmt.AppendValue(nil, map[string]any{"k": true}, jsonfmt.Pretty|jsonfmt.Color)); got != "\x1b[39m{\x1b[0m\n  \x1b[36m\"k\"\x1b[0m\x1b[39m:\x1b[0m \x1b[35mtrue\x1b[0m\n\x1b[39m}\x1b[0m" {
		t.Errorf("color = %q", got)
	}
}

// split runs the splitter over in and returns records as "text" or "!Fail".
