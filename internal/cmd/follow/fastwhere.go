package follow

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/plasmite-go/plasmite/core/lite3"
)

// fastPred is a --where expression of the form `.data.a.b == LITERAL` (or
// !=) evaluated on the Lite3 bytes without decoding the message. It gives
// exactly jq's answer: a missing key or null container is null, indexing a
// scalar is a runtime error (no match), numbers compare by value.
type fastPred struct {
	path []string
	neg  bool
	lit  any // string, json.Number, bool or nil
}

var fastRE = regexp.MustCompile(`^\s*\.data((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*(==|!=)\s*(.+?)\s*$`)

// parseFast recognises the simple predicate forms; nil means "use jq".
func parseFast(expr string) *fastPred {
	m := fastRE.FindStringSubmatch(expr)
	if m == nil || strings.Contains(m[3], `\(`) {
		return nil
	}
	d := json.NewDecoder(strings.NewReader(m[3]))
	d.UseNumber()
	var lit any
	if err := d.Decode(&lit); err != nil || d.More() {
		return nil
	}
	switch lit.(type) {
	case string, json.Number, bool, nil:
	default:
		return nil
	}
	return &fastPred{path: strings.Split(m[1][1:], "."), neg: m[2] == "!=", lit: lit}
}

// match returns 1 (true), 0 (false or runtime error: no match) or -1 when
// the bytes hold something this evaluator does not model (use jq).
func (f *fastPred) match(doc []byte) int {
	root, err := lite3.Root(doc)
	if err != nil {
		return -1
	}
	v, ok := root.Get("data")
	if !ok {
		return -1
	}
	null := false
	for _, k := range f.path {
		switch v.Kind() {
		case lite3.Object:
			next, ok := v.Get(k)
			if !ok {
				null = true
			}
			v = next
		case lite3.Null:
			null = true
		default:
			return 0 // jq: cannot index a scalar or array with a string
		}
		if null {
			break
		}
	}
	eq, known := f.equal(v, null)
	if !known {
		return -1
	}
	if eq != f.neg {
		return 1
	}
	return 0
}

func (f *fastPred) equal(v lite3.Value, null bool) (eq, known bool) {
	if null || v.Kind() == lite3.Null {
		return f.lit == nil, true
	}
	switch lit := f.lit.(type) {
	case nil:
		return false, v.Kind() != lite3.Bytes
	case bool:
		b, ok := v.Bool()
		return ok && b == lit, v.Kind() != lite3.Bytes
	case string:
		s, ok := v.StrBytes()
		return ok && bytes.Equal(s, []byte(lit)), v.Kind() != lite3.Bytes
	case json.Number:
		switch v.Kind() {
		case lite3.Int:
			i, _ := v.Int()
			if li, err := strconv.ParseInt(string(lit), 10, 64); err == nil {
				return i == li, true
			}
			lf, err := strconv.ParseFloat(string(lit), 64)
			return err == nil && float64(i) == lf, err == nil
		case lite3.Float:
			x, _ := v.Float()
			lf, err := strconv.ParseFloat(string(lit), 64)
			if err != nil || math.IsNaN(x) {
				return false, err == nil
			}
			return x == lf, true
		case lite3.Bytes:
			return false, false
		}
		return false, true
	}
	return false, false
}
