package mcp

import (
	"math"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// parseJSON reads what 1.2.1's parser reads, and refuses what it refuses.
func TestParseJSON(t *testing.T) {
	ok := map[string]string{ // input → rendered back
		`{"b":1,"a":[1.50,-0,-7,18446744073709551615,18446744073709551616,1e2,1E-2]}`: `{"a":[1.5,-0.0,-7,18446744073709551615,1.8446744073709552e+19,100.0,0.01],"b":1}`,
		`{"a":1,"a":2}`:          `{"a":2}`,
		` "\u00e9\ud83d\ude00" `: `"é😀"`,
		`"\\ud800"`:              `"\\ud800"`,
		`1e-400`:                 `0.0`,
		strings.Repeat("[", 127) + strings.Repeat("]", 127): strings.Repeat("[", 127) + strings.Repeat("]", 127),
	}
	for in, want := range ok {
		v, good := parseJSON([]byte(in))
		if got := string(jsonfmt.AppendValue(nil, v, jsonfmt.Compact)); !good || got != want {
			t.Errorf("%.60s: %v %s, want %s", in, good, got, want)
		}
	}
	for _, in := range []string{``, ` `, `{`, `{} x`, `"\ud800"`, `"\udc00\ud800"`, `"\ud800\u0041"`, "\"\xff\"", `1e400`, `-1e400`,
		strings.Repeat("[", 128) + strings.Repeat("]", 128), `{"a":` + strings.Repeat("{\"a\":", 127) + `1` + strings.Repeat("}", 128)} {
		if v, good := parseJSON([]byte(in)); good {
			t.Errorf("%.60q accepted: %v", in, v)
		}
	}
}

func TestIntegers(t *testing.T) {
	v, _ := parseJSON([]byte(`[0,1,-1,9223372036854775807,9223372036854775808,-9223372036854775808,-9223372036854775809,1.0,-0]`))
	want := []struct {
		u  uint64
		uk bool
		i  int64
		ik bool
	}{
		{0, true, 0, true}, {1, true, 1, true}, {0, false, -1, true}, {math.MaxInt64, true, math.MaxInt64, true},
		{1 << 63, true, 0, false}, {0, false, math.MinInt64, true}, {0, false, 0, false}, {0, false, 0, false}, {0, false, 0, false},
	}
	for i, e := range v.([]any) {
		u, uk := asU64(e)
		n, ik := asI64(e)
		if u != want[i].u || uk != want[i].uk || n != want[i].i || ik != want[i].ik {
			t.Errorf("%d (%v): u64 %d %v, i64 %d %v", i, e, u, uk, n, ik)
		}
	}
}
