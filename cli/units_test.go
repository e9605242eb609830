package main

import (
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/plasmite-go/plasmite/core"
)

func TestParseSize(t *testing.T) {
	good := map[string]int64{"1048576": 1 << 20, "64K": 64 << 10, "64k": 64 << 10, "8M": 8 << 20, "1g": 1 << 30, " 2M": 2 << 20}
	for in, want := range good {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	bad := map[string]string{"": "invalid size", "M": "invalid size", "1.5M": "invalid size suffix", "1MB": "invalid size suffix", "1Gi": "invalid size suffix", "99999999999999999999": "size overflow", "99999999999G": "size overflow"}
	for in, msg := range bad {
		_, err := parseSize(in)
		if e, ok := err.(*core.Error); !ok || e.Message != msg || e.Kind != core.Usage {
			t.Errorf("parseSize(%q) error = %v; want Usage %q", in, err, msg)
		}
	}
}

func TestParseDuration(t *testing.T) {
	good := map[string]time.Duration{"500ms": 500 * time.Millisecond, "10s": 10 * time.Second, "5m": 5 * time.Minute, "2h": 2 * time.Hour, "0s": 0}
	for in, want := range good {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "5", "5d", "1.5s", "5S", " 5s", "1h30m", "ms"} {
		if _, err := parseDuration(in); err == nil {
			t.Errorf("parseDuration(%q) accepted", in)
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
		if got, err := parseSince(in, now); err != nil || got != want.UnixNano() {
			t.Errorf("parseSince(%q) = %v, %v; want %v", in, time.Unix(0, got).UTC(), err, want)
		}
	}
	for _, in := range []string{"", "5ms", "1w", "1.5h", "2026-01-15", "2026-01-15T10:00:00", "yesterday"} {
		if _, err := parseSince(in, now); err == nil {
			t.Errorf("parseSince(%q) accepted", in)
		}
	}
}

func TestHumanBytesAndAgo(t *testing.T) {
	for n, want := range map[uint64]string{0: "0", 1023: "1023", 1024: "1K", 1536: "1.5K", 65536: "64K", 978944: "956K", 1 << 20: "1M", 8 << 20: "8M", 1 << 30: "1G"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q; want %q", n, got, want)
		}
	}
	now := time.Now()
	for d, want := range map[time.Duration]string{0: "1s ago", 5 * time.Second: "5s ago", 3 * time.Minute: "3m ago", 2 * time.Hour: "2h ago", 50 * time.Hour: "2d ago", 15 * 24 * time.Hour: "2w ago"} {
		if got := ago(now.Add(-d), now); got != want {
			t.Errorf("ago(%v) = %q; want %q", d, got, want)
		}
	}
}

func TestJSONFloatAndStrings(t *testing.T) {
	for f, want := range map[float64]string{1: "1.0", 0: "0.0", 23.5: "23.5", 0.02: "0.02", 25.25: "25.25", 1e20: "1e+20", 1e16: "1e+16", 1e15: "1000000000000000.0", 1.5e-7: "1.5e-7", 0.0001: "0.0001", -2.5: "-2.5", 100: "100.0"} {
		if got := string(appendJSONFloat(nil, f)); got != want {
			t.Errorf("float %v = %q; want %q", f, got, want)
		}
	}
	got := string(appendJSONString(nil, "a\"b\\c\n\t\x01/<é>&\u2028"))
	want := `"a\"b\\c\n\t\u0001/<é>&` + "\u2028" + `"`
	if got != want {
		t.Errorf("string = %s; want %s", got, want)
	}
	v := map[string]any{"b": []any{int64(1), 2.5}, "a": map[string]any{}, "c": []any{}}
	if got := string(appendJSONValue(nil, v, styleCompact)); got != `{"a":{},"b":[1,2.5],"c":[]}` {
		t.Errorf("compact = %s", got)
	}
	if got := string(appendJSONValue(nil, v, stylePretty)); got != "{\n  \"a\": {},\n  \"b\": [\n    1,\n    2.5\n  ],\n  \"c\": []\n}" {
		t.Errorf("pretty = %s", got)
	}
	if got := string(appendJSONValue(nil, map[string]any{"k": true}, styleColor)); got != "\x1b[39m{\x1b[0m\n  \x1b[36m\"k\"\x1b[0m\x1b[39m:\x1b[0m \x1b[35mtrue\x1b[0m\n\x1b[39m}\x1b[0m" {
		t.Errorf("color = %q", got)
	}
}

// split runs the splitter over in and returns records as "text" or "!Fail".
func split(t *testing.T, in, mode string, skip bool) []string {
	t.Helper()
	s := newSplitter(strings.NewReader(in), mode)
	if skip {
		s.fallback = "jsonl"
	}
	var out []string
	for {
		r, err := s.next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.fail == "" && s.mode == "jsonl" && !jsonValid(r.data) {
			r = s.recover(r, skip)
		}
		if r.fail != "" {
			out = append(out, "!"+r.fail)
			continue
		}
		out = append(out, string(r.data))
	}
}

func TestSplitter(t *testing.T) {
	cases := []struct {
		name, in, mode string
		skip           bool
		want           []string
	}{
		{"jsonl", "{\"a\":1}\n\n  \n{\"b\":2}\r\n", "auto", false, []string{`{"a":1}`, `{"b":2}`}},
		{"objects on one line", `{"a":1} {"b":"}"}`, "auto", false, []string{`{"a":1}`, `{"b":"}"}`}},
		{"pretty", "{\n  \"a\": [1,\n 2]\n}\n{\"b\":2}", "auto", false, []string{"{\n  \"a\": [1,\n 2]\n}", `{"b":2}`}},
		{"escaped quote", `{"a":"x\"}"}`, "json", false, []string{`{"a":"x\"}"}`}},
		{"not an object", "[1]", "auto", false, []string{"!NotObject"}},
		{"incomplete", `{"a":`, "auto", false, []string{"!Incomplete"}},
		{"empty", " \n\t", "auto", false, nil},
		{"journald seq", "\x1e{\"MESSAGE\":\"a\"}\n\x1e{\"MESSAGE\":\"b\"}\n", "auto", false, []string{`{"MESSAGE":"a"}`, `{"MESSAGE":"b"}`}},
		{"seq trailing chunk", "\x1e{\"a\":1}\x1e{\"b\":2}", "seq", false, []string{`{"a":1}`, `{"b":2}`}},
		{"sse", "event: x\ndata: {\"a\":\ndata: 1}\n\n: comment\nid: 3\ndata: {\"b\":2}\n", "auto", false, []string{"{\"a\":\n1}", `{"b":2}`}},
		{"jsonl skip resync", "{\"a\":1}\nnot json\n{\"b\":\n{\"c\":3}\n", "auto", true, []string{`{"a":1}`, "!Parse", "!Parse", `{"c":3}`}},
		{"jsonl multi-line recovery", "{\n\"a\": 1\n}\n", "auto", true, []string{"{\n\"a\": 1\n}"}},
		{"oversize line", "{\"a\":\"" + strings.Repeat("x", maxRecord) + "\"}\n{\"b\":1}\n", "jsonl", true, []string{"!Oversize", `{"b":1}`}},
		{"oversize object", "{\"a\":\"" + strings.Repeat("x", maxRecord) + "\"}", "auto", false, []string{"!Oversize"}},
	}
	for _, c := range cases {
		got := split(t, c.in, c.mode, c.skip)
		if d := cmp.Diff(c.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, d)
		}
	}
}

func TestCompleteMessage(t *testing.T) {
	data, tags, ok, err := completeMessage([]byte(`{"data":{"q":1},"meta":{"tags":["z"]},"seq":5,"time":"2020-01-01T00:00:00Z"}`))
	if !ok || err != nil || string(data) != `{"q":1}` || !cmp.Equal(tags, []string{"z"}) {
		t.Fatalf("envelope: %s %v %v %v", data, tags, ok, err)
	}
	for _, in := range []string{`{"data":{"q":1}}`, `{"data":{},"meta":{"tags":[],"o":1},"seq":1,"time":"2020-01-01T00:00:00Z"}`, `{"data":{},"meta":{"tags":[]},"seq":1,"time":"x","extra":1}`} {
		if _, _, ok, _ := completeMessage([]byte(in)); ok {
			t.Errorf("%s taken as a complete message", in)
		}
	}
	for in, msg := range map[string]string{
		`{"data":{},"meta":{"tags":[]},"seq":"x","time":"2020-01-01T00:00:00Z"}`: "invalid complete message",
		`{"data":{},"meta":{"tags":[]},"seq":1,"time":"bad"}`:                    "invalid source message time",
		`{"data":[1],"meta":{"tags":[]},"seq":1,"time":"2020-01-01T00:00:00Z"}`:  "data must be object",
	} {
		_, _, ok, err := completeMessage([]byte(in))
		if e, isCLI := err.(*core.Error); !ok || !isCLI || e.Message != msg {
			t.Errorf("%s: ok=%v err=%v; want %q", in, ok, err, msg)
		}
	}
}

func jsonValid(b []byte) bool { return jsonValidStd(b) }

func TestResolveRef(t *testing.T) {
	for _, c := range [][3]string{
		{"./p", "demo", "./p/demo.plasmite"},
		{"p/", "demo", "p/demo.plasmite"},
		{"p//", "demo", "p//demo.plasmite"},
		{"/abs", "demo.plasmite", "/abs/demo.plasmite"},
		{"/abs", "sub/x", "sub/x"},
		{"/abs", "./x.plasmite", "./x.plasmite"},
	} {
		if got := core.ResolveRef(c[0], c[1]); got != c[2] {
			t.Errorf("core.ResolveRef(%q, %q) = %q; want %q", c[0], c[1], got, c[2])
		}
	}
}

func TestRetryable(t *testing.T) {
	yes := []error{core.Busy, &core.Error{Kind: core.Busy}, &core.Error{Kind: core.IO, Err: syscall.EINTR}, &core.Error{Kind: core.IO, Err: syscall.EAGAIN}, &core.Error{Kind: core.IO, Err: syscall.ETIMEDOUT}}
	no := []error{core.Usage, &core.Error{Kind: core.IO, Err: syscall.ENOSPC}, &core.Error{Kind: core.Corrupt}, &core.Error{Kind: core.NotFound}}
	for _, e := range yes {
		if !retryable(e) {
			t.Errorf("%v must be retried", e)
		}
	}
	for _, e := range no {
		if retryable(e) {
			t.Errorf("%v must not be retried", e)
		}
	}
}
