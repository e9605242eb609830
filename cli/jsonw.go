package main

// Thin names over core/jsonfmt for the CLI's own documents (pool info,
// errors, notices): sorted keys, raw non-ASCII, reference float form.

import (
	"encoding/json"
	"strconv"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

type jsonStyle = jsonfmt.Style

const (
	styleCompact = jsonfmt.Compact
	stylePretty  = jsonfmt.Pretty
	styleColor   = jsonfmt.Pretty | jsonfmt.Color
)

const sgrReset = "\x1b[0m"

func appendJSONValue(dst []byte, v any, style jsonStyle) []byte {
	return jsonfmt.AppendValue(dst, v, style)
}

func appendJSONString(dst []byte, s string) []byte { return jsonfmt.AppendString(dst, s) }

func appendJSONFloat(dst []byte, f float64) []byte { return jsonfmt.AppendFloat(dst, f) }

// normalizeNumbers turns json.Number into int64/uint64/float64 the way the
// reference prints them (integers exact, reals as doubles).
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i
		}
		if u, err := strconv.ParseUint(string(x), 10, 64); err == nil {
			return u
		}
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	case []any:
		for i := range x {
			x[i] = normalizeNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normalizeNumbers(x[k])
		}
	}
	return v
}
