package main

// Temporary JSON writer used until core/jsonfmt lands on main; it follows the
// same contract (sorted keys, compact/pretty/color styles, raw non-ASCII,
// shortest round-trip floats) so the switch is a rename.

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"
)

type jsonStyle uint8

const (
	styleCompact jsonStyle = 0
	stylePretty  jsonStyle = 1
	styleColor   jsonStyle = 2
)

// rawJSON is pre-rendered JSON inserted verbatim (compact) or re-indented.
type rawJSON []byte

const (
	sgrKey   = "\x1b[36m"
	sgrStr   = "\x1b[32m"
	sgrNum   = "\x1b[33m"
	sgrBool  = "\x1b[35m"
	sgrNull  = "\x1b[39m"
	sgrPunct = "\x1b[39m"
	sgrReset = "\x1b[0m"
)

func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			if c < utf8.RuneSelf {
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, s[start:i]...)
				dst = append(dst, "\ufffd"...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendJSONFloat writes f the way serde_json/ryu does: shortest round trip,
// integral values keep ".0", exponent form outside 1e-5..1e16.
func appendJSONFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // d[.ddd]e±XX
	mant := e
	exp := 0
	for i := range e {
		if e[i] == 'e' {
			mant = e[:i]
			exp, _ = strconv.Atoi(string(e[i+1:]))
			break
		}
	}
	digits := make([]byte, 0, 20)
	for _, c := range mant {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	n := len(digits)
	kk := exp + 1 // value = 0.digits × 10^kk
	switch {
	case kk >= n && kk <= 16:
		dst = append(dst, digits...)
		for i := n; i < kk; i++ {
			dst = append(dst, '0')
		}
		return append(dst, '.', '0')
	case kk > 0 && kk <= 16:
		dst = append(dst, digits[:kk]...)
		dst = append(dst, '.')
		return append(dst, digits[kk:]...)
	case kk > -5 && kk <= 0:
		dst = append(dst, '0', '.')
		for i := kk; i < 0; i++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	default:
		dst = append(dst, digits[0])
		if n > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		return strconv.AppendInt(dst, int64(kk-1), 10)
	}
}

func appendRFC3339(dst []byte, unixNanos int64) []byte {
	return time.Unix(0, unixNanos).UTC().AppendFormat(dst, time.RFC3339Nano)
}

type jsonWriter struct {
	style jsonStyle
	buf   []byte
}

func (w *jsonWriter) tok(color, s string) {
	if w.style == styleColor {
		w.buf = append(w.buf, color...)
		w.buf = append(w.buf, s...)
		w.buf = append(w.buf, sgrReset...)
		return
	}
	w.buf = append(w.buf, s...)
}

func (w *jsonWriter) tokBytes(color string, b []byte) {
	if w.style == styleColor {
		w.buf = append(w.buf, color...)
		w.buf = append(w.buf, b...)
		w.buf = append(w.buf, sgrReset...)
		return
	}
	w.buf = append(w.buf, b...)
}

func (w *jsonWriter) nl(depth int) {
	if w.style == styleCompact {
		return
	}
	w.buf = append(w.buf, '\n')
	for i := 0; i < depth; i++ {
		w.buf = append(w.buf, ' ', ' ')
	}
}

func (w *jsonWriter) value(v any, depth int) {
	switch x := v.(type) {
	case nil:
		w.tok(sgrNull, "null")
	case bool:
		if x {
			w.tok(sgrBool, "true")
		} else {
			w.tok(sgrBool, "false")
		}
	case string:
		w.tokBytes(sgrStr, appendJSONString(nil, x))
	case int:
		w.tokBytes(sgrNum, strconv.AppendInt(nil, int64(x), 10))
	case int64:
		w.tokBytes(sgrNum, strconv.AppendInt(nil, x, 10))
	case uint64:
		w.tokBytes(sgrNum, strconv.AppendUint(nil, x, 10))
	case uint32:
		w.tokBytes(sgrNum, strconv.AppendUint(nil, uint64(x), 10))
	case float64:
		w.tokBytes(sgrNum, appendJSONFloat(nil, x))
	case json.Number:
		w.tokBytes(sgrNum, []byte(x))
	case []string:
		a := make([]any, len(x))
		for i := range x {
			a[i] = x[i]
		}
		w.value(a, depth)
	case []any:
		if len(x) == 0 {
			w.tok(sgrPunct, "[]")
			return
		}
		w.tok(sgrPunct, "[")
		for i, e := range x {
			if i > 0 {
				w.tok(sgrPunct, ",")
			}
			w.nl(depth + 1)
			w.value(e, depth+1)
		}
		w.nl(depth)
		w.tok(sgrPunct, "]")
	case map[string]any:
		if len(x) == 0 {
			w.tok(sgrPunct, "{}")
			return
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		w.tok(sgrPunct, "{")
		for i, k := range keys {
			if i > 0 {
				w.tok(sgrPunct, ",")
			}
			w.nl(depth + 1)
			w.tokBytes(sgrKey, appendJSONString(nil, k))
			w.tok(sgrPunct, ":")
			if w.style != styleCompact {
				w.buf = append(w.buf, ' ')
			}
			w.value(x[k], depth+1)
		}
		w.nl(depth)
		w.tok(sgrPunct, "}")
	case rawJSON:
		if w.style == styleCompact {
			w.buf = append(w.buf, x...)
			return
		}
		var a any
		d := json.NewDecoder(bytes.NewReader(x))
		d.UseNumber()
		if err := d.Decode(&a); err != nil {
			w.buf = append(w.buf, x...)
			return
		}
		w.value(normalizeNumbers(a), depth)
	default:
		b, _ := json.Marshal(x)
		w.buf = append(w.buf, b...)
	}
}

// appendJSONValue renders v (maps, slices, scalars) with sorted keys.
func appendJSONValue(dst []byte, v any, style jsonStyle) []byte {
	w := jsonWriter{style: style, buf: dst}
	w.value(v, 0)
	return w.buf
}

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
