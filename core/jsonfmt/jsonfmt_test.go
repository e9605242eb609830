package jsonfmt

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestAppendString(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{"q\"b\\s/<>&", `"q\"b\\s/<>&"`},
		{"\n\r\t\b\f", `"\n\r\t\b\f"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f` + "\x7f" + `"`},
		{"h\u00e9 \u4e2d \U0001F642 \u2028\u2029", "\"h\u00e9 \u4e2d \U0001F642 \u2028\u2029\""},
		{"bad\xffx\xe2\x82", "\"bad\ufffdx\ufffd\ufffd\""},
		{"\xed\xa0\x80", "\"\ufffd\ufffd\ufffd\""}, // surrogate half encoded in UTF-8 is invalid
	}
	for _, c := range cases {
		if got := string(AppendString(nil, c.in)); got != c.want {
			t.Errorf("AppendString(%q) = %s, want %s", c.in, got, c.want)
		}
		if got := string(AppendStringBytes([]byte("x"), []byte(c.in))); got != "x"+c.want {
			t.Errorf("AppendStringBytes(%q) = %s", c.in, got)
		}
	}
	// Valid strings decode back to themselves.
	for _, s := range []string{"a\u2028b", "\x00\x1f\"\\", "\U0010FFFF"} {
		var back string
		if err := json.Unmarshal(AppendString(nil, s), &back); err != nil || back != s {
			t.Errorf("round trip of %q: %q, %v", s, back, err)
		}
	}
}

func TestAppendFloat(t *testing.T) {
	cases := []struct {
		f    float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1, "1.0"},
		{-1, "-1.0"},
		{3, "3.0"},
		{1.5, "1.5"},
		{-0.125, "-0.125"},
		{100, "100.0"},
		{23.5, "23.5"},
		{0.1, "0.1"},
		{1e15, "1000000000000000.0"},
		{1e16, "1e+16"},
		{1.5e16, "1.5e+16"},
		{123456789012345.6, "123456789012345.6"},
		{1e20, "1e+20"},
		{18446744073709551615, "1.8446744073709552e+19"},
		{1e-5, "0.00001"},
		{0.000123, "0.000123"},
		{1e-6, "1e-6"},
		{1e-7, "1e-7"},
		{1.5e-7, "1.5e-7"},
		{5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{2.5e300, "2.5e+300"},
		{math.NaN(), "null"},
		{math.Inf(1), "null"},
		{math.Inf(-1), "null"},
	}
	for _, c := range cases {
		if got := string(AppendFloat(nil, c.f)); got != c.want {
			t.Errorf("AppendFloat(%v) = %s, want %s", c.f, got, c.want)
		}
	}
}

func TestAppendFloatRoundTrips(t *testing.T) {
	// Every output parses back to the same float64 and keeps a '.' or an exponent.
	f := 1.0
	for i := 0; i < 4000; i++ {
		for _, v := range []float64{f, -f, 1 / f, f * 1.2345678901234567, math.Nextafter(f, 0)} {
			if math.IsInf(v, 0) {
				continue
			}
			s := string(AppendFloat(nil, v))
			var back float64
			if err := json.Unmarshal([]byte(s), &back); err != nil || back != v {
				t.Fatalf("%v → %s → %v (%v)", v, s, back, err)
			}
			if !strings.ContainsAny(s, ".e") {
				t.Fatalf("%v → %s has neither '.' nor exponent", v, s)
			}
		}
		f *= 1.37
		if math.IsInf(f, 0) {
			f = 1e-300
		}
	}
}

func TestAppendRFC3339(t *testing.T) {
	base := time.Date(2026, 2, 2, 23, 45, 0, 0, time.UTC).UnixNano()
	cases := []struct {
		ns   int64
		want string
	}{
		{base + 123456789, "2026-02-02T23:45:00.123456789Z"},
		{base + 500000000, "2026-02-02T23:45:00.5Z"},
		{base, "2026-02-02T23:45:00Z"},
		{base + 1000, "2026-02-02T23:45:00.000001Z"},
		{0, "1970-01-01T00:00:00Z"},
	}
	for _, c := range cases {
		if got := string(AppendRFC3339(nil, c.ns)); got != c.want {
			t.Errorf("AppendRFC3339(%d) = %s, want %s", c.ns, got, c.want)
		}
	}
	// Agrees with the time package across eras, leap days and negatives.
	ns := int64(-9e18) // 1684
	for ns < 9e18 {    // 2255
		want := time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
		if got := string(AppendRFC3339(nil, ns)); got != want {
			t.Fatalf("AppendRFC3339(%d) = %s, want %s", ns, got, want)
		}
		ns += 86400e9*29 + 3599e9 + 123456789 + ns%1000
	}
	for _, ns := range []int64{math.MinInt64, math.MaxInt64, -1, 1, 951782400e9, 4107542400e9} {
		want := time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
		if got := string(AppendRFC3339(nil, ns)); got != want {
			t.Errorf("AppendRFC3339(%d) = %s, want %s", ns, got, want)
		}
	}
}

func TestAppendValue(t *testing.T) {
	v := map[string]any{
		"b": []any{int64(1), 2.0, "x", nil, true, map[string]any{}, []any{}},
		"a": map[string]any{"z": uint64(18446744073709551615), "y": json.Number("1e5"), "é": false},
		"c": RawJSON(`{"k":[1,{"m":"v"}],"e":[],"o":{}}`),
		"d": []string{"p", "q"},
		"":  int(-7),
	}
	compact := `{"":-7,"a":{"y":1e5,"z":18446744073709551615,"é":false},"b":[1,2.0,"x",null,true,{},[]],"c":{"k":[1,{"m":"v"}],"e":[],"o":{}},"d":["p","q"]}`
	if got := string(AppendValue(nil, v, Compact)); got != compact {
		t.Errorf("compact:\n got %s\nwant %s", got, compact)
	}
	// Pretty is encoding/json's MarshalIndent layout of the same tree
	// (RawJSON keeps its own key order, as MarshalIndent does for RawMessage).
	var tree any
	if err := json.Unmarshal([]byte(compact), &tree); err != nil {
		t.Fatal(err)
	}
	pretty := string(AppendValue(nil, v, Pretty))
	std, _ := json.MarshalIndent(map[string]any{
		"":  json.RawMessage(`-7`),
		"a": json.RawMessage(`{"y":1e5,"z":18446744073709551615,"é":false}`),
		"b": json.RawMessage(`[1,2.0,"x",null,true,{},[]]`),
		"c": json.RawMessage(`{"k":[1,{"m":"v"}],"e":[],"o":{}}`),
		"d": []string{"p", "q"},
	}, "", "  ")
	if pretty != string(std) {
		t.Errorf("pretty:\n%s\nwant\n%s", pretty, std)
	}
	// Colors: each token wrapped, layout unchanged.
	col := string(AppendValue(nil, map[string]any{"k": []any{1, "s", true, nil}, "e": map[string]any{}}, Pretty|Color))
	want := "\x1b[39m{\x1b[0m\n" +
		"  \x1b[36m\"e\"\x1b[0m\x1b[39m:\x1b[0m \x1b[39m{}\x1b[0m\x1b[39m,\x1b[0m\n" +
		"  \x1b[36m\"k\"\x1b[0m\x1b[39m:\x1b[0m \x1b[39m[\x1b[0m\n" +
		"    \x1b[33m1\x1b[0m\x1b[39m,\x1b[0m\n" +
		"    \x1b[32m\"s\"\x1b[0m\x1b[39m,\x1b[0m\n" +
		"    \x1b[35mtrue\x1b[0m\x1b[39m,\x1b[0m\n" +
		"    \x1b[39mnull\x1b[0m\n" +
		"  \x1b[39m]\x1b[0m\n" +
		"\x1b[39m}\x1b[0m"
	if col != want {
		t.Errorf("color:\n got %q\nwant %q", col, want)
	}
	// RawJSON re-laid out with colors equals the same tree rendered directly.
	raw := string(AppendValue(nil, RawJSON(`{"e":{},"k":[1,"s",true,null]}`), Pretty|Color))
	if raw != want {
		t.Errorf("raw color:\n got %q\nwant %q", raw, want)
	}
	if got := string(AppendValue(nil, struct{}{}, Compact)); got != "null" {
		t.Errorf("unknown type: %s", got)
	}
}
