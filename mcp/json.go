package mcp

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Incoming JSON is read into a generic tree as release 1.2.1's parser
// (serde_json) reads it, because which requests are valid, which ids and
// numbers are integers, and what an echoed value looks like all follow
// from that: nil, bool, string, float64, int64 (negative integers), uint64
// (non-negative integers), []any and map[string]any (the last of duplicate
// keys wins). Rendered with jsonfmt.AppendValue, a tree comes out as 1.2.1
// writes it: keys sorted, floats in its form.

// maxDepth is how deeply arrays and objects may nest (1.2.1's parser
// refuses a 128th level).
const maxDepth = 127

// parseJSON parses one JSON text. It refuses what 1.2.1's parser refuses
// and Go's would accept: invalid UTF-8, unpaired surrogate escapes, more
// than maxDepth levels, numbers out of float64 range.
func parseJSON(b []byte) (any, bool) {
	if !utf8.Valid(b) || !json.Valid(b) || !surrogatesPaired(b) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	return normalize(v, 1)
}

// normalize turns the decoder's json.Numbers into int64, uint64 or float64
// and checks the depth (v is at level depth when it is a container).
func normalize(v any, depth int) (any, bool) {
	switch x := v.(type) {
	case json.Number:
		return number(string(x))
	case []any:
		if depth > maxDepth {
			return nil, false
		}
		for i, e := range x {
			n, ok := normalize(e, depth+1)
			if !ok {
				return nil, false
			}
			x[i] = n
		}
	case map[string]any:
		if depth > maxDepth {
			return nil, false
		}
		for k, e := range x {
			n, ok := normalize(e, depth+1)
			if !ok {
				return nil, false
			}
			x[k] = n
		}
	}
	return v, true
}

// number reads a valid JSON number literal: an integer literal as uint64
// (non-negative) or int64 (negative) when it fits, "-0" and everything
// else as float64; a float beyond float64's range is invalid.
func number(s string) (any, bool) {
	if !strings.ContainsAny(s, ".eE") {
		if s[0] != '-' {
			if u, err := strconv.ParseUint(s, 10, 64); err == nil {
				return u, true
			}
		} else if s != "-0" {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i, true
			}
		}
	}
	f, _ := strconv.ParseFloat(s, 64)
	if math.IsInf(f, 0) {
		return nil, false
	}
	return f, true
}

// surrogatesPaired reports whether every \u escape of a UTF-16 surrogate
// in the (valid) JSON text b is a high surrogate followed by a low one.
func surrogatesPaired(b []byte) bool {
	in := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !in {
			in = c == '"'
			continue
		}
		switch c {
		case '"':
			in = false
		case '\\':
			i++
			if b[i] != 'u' {
				continue
			}
			r := hex4(b[i+1 : i+5])
			i += 4
			switch {
			case r >= 0xDC00 && r <= 0xDFFF:
				return false
			case r >= 0xD800 && r <= 0xDBFF:
				if i+6 >= len(b) || b[i+1] != '\\' || b[i+2] != 'u' {
					return false
				}
				if lo := hex4(b[i+3 : i+7]); lo < 0xDC00 || lo > 0xDFFF {
					return false
				}
				i += 6
			}
		}
	}
	return true
}

// hex4 is the value of four hexadecimal digits.
func hex4(h []byte) rune {
	var r rune
	for _, c := range h {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

// asU64 is v as a non-negative integer (1.2.1's as_u64).
func asU64(v any) (uint64, bool) {
	u, ok := v.(uint64)
	return u, ok
}

// asI64 is v as an integer that fits int64 (1.2.1's as_i64).
func asI64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
	}
	return 0, false
}
