// Package jsonfmt writes JSON text the way the Plasmite reference prints it,
// byte for byte: object keys sorted byte-wise, only '"', '\\' and control
// characters escaped (non-ASCII, '/', '<', '>', '&', U+2028 and U+2029 stay
// raw), floats in serde_json's shortest round-trip layout (1.0, 1e+20,
// 0.00001, -0.0), a compact form without spaces, a pretty form indented by
// two spaces, and an ANSI-colored variant of either.
//
// The rules are those of ../shared/spec/cli.md §0.2–§0.4 and
// ../shared/spec/pool-format.md §3.5. Everything here appends to a caller's
// byte slice and allocates nothing beyond growing it.
package jsonfmt

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Style selects the text layout. It is a bit set: Compact (the zero value)
// is one line without spaces; Pretty indents by two spaces with one member
// or element per line; Color wraps every token in ANSI SGR colors (cli.md
// §0.4) and combines with either layout.
type Style uint8

const (
	// Compact is one line, no spaces: {"a":1,"b":[1,2]}.
	Compact Style = 0
	// Pretty indents by two spaces, one member or element per line,
	// "key": value, empty containers as {} and [] (encoding/json's
	// MarshalIndent layout).
	Pretty Style = 1
	// Color wraps each token in an SGR color (keys 36, strings 32,
	// numbers 33, booleans 35, null and punctuation 39), whitespace
	// uncolored; the CLI combines it with Pretty.
	Color Style = 2
	// ExactFloats matters only to core/lite3's renderers: they then print
	// each stored f64 exactly (shortest round-trip digits) instead of the
	// value the reference release prints, which passes through a lossy
	// re-parse and can be one ulp off (see lite3.AppendJSON).
	ExactFloats Style = 4
)

// SGR color codes of the palette (cli.md §0.4).
const (
	colorKey    = "36"
	colorString = "32"
	colorNumber = "33"
	colorBool   = "35"
	colorNull   = "39"
	colorPunct  = "39"
)

// RawJSON is already-rendered compact JSON. AppendValue inserts it verbatim
// in the Compact style and re-lays it out (indentation, colors) otherwise.
// It must be valid JSON; invalid text is copied through as is.
type RawJSON []byte

const hexDigits = "0123456789abcdef"

// plain marks the bytes a JSON string holds unescaped and that are not
// part of a multi-byte sequence.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendString appends s as a quoted JSON string. Only '"', '\\' and the
// control characters U+0000–U+001F are escaped (\b \f \n \r \t, others as
// \u00xx with lowercase hex); every other character, including U+2028,
// U+2029 and DEL, is copied raw. Invalid UTF-8 bytes become U+FFFD.
func AppendString(dst []byte, s string) []byte { return appendString(dst, s) }

// AppendStringBytes is AppendString for a byte slice.
func AppendStringBytes(dst []byte, s []byte) []byte { return appendString(dst, s) }

// swarLo and swarHi are the SWAR constants: 0x01 and 0x80 in every byte.
const (
	swarLo = 0x0101010101010101
	swarHi = 0x8080808080808080
)

// SpecialMask marks the bytes among the 8 packed little-endian in w that
// are not plain (a control character, '"', '\\' or a byte ≥ 0x80) by their
// high bit. It is 0 exactly when all 8 are plain, and its lowest set bit
// marks the first byte that is not; bits above that one are not
// meaningful (the borrow-based tests can mark extra bytes above a match).
func SpecialMask(w uint64) uint64 {
	q := w ^ (swarLo * '"')
	bs := w ^ (swarLo * '\\')
	m := (w - swarLo*0x20) &^ w // a byte < 0x20
	m |= (q - swarLo) &^ q      // a '"'
	m |= (bs - swarLo) &^ bs    // a '\\'
	return (m | w) & swarHi
}

// Plain8 reports whether the 8 bytes packed little-endian in w are all
// copied raw by AppendString (printable ASCII other than '"' and '\\'), so
// that quoting them needs no escape.
func Plain8(w uint64) bool { return SpecialMask(w) == 0 }

// load8 reads s[i:i+8] little-endian.
func load8[T string | []byte](s T, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

func appendString[T string | []byte](dst []byte, s T) []byte {
	dst, _ = quote(dst, s, false)
	return dst
}

// quote appends s quoted and escaped. Invalid UTF-8 bytes become U+FFFD,
// or, when strict, make it stop and report false.
func quote[T string | []byte](dst []byte, s T, strict bool) ([]byte, bool) {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		for i+8 <= len(s) && SpecialMask(load8(s, i)) == 0 {
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if plain[c] {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			n := UTF8Len(s, i)
			if n == 0 {
				if strict {
					return dst, false
				}
				dst = append(dst, s[start:i]...)
				dst = append(dst, "\ufffd"...)
				i++
				start = i
				continue
			}
			i += n
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = appendEscape(dst, c)
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"'), true
}

// AppendStringChecked is AppendStringBytes for text that should be valid
// UTF-8: it reports false when s is not (then what it appended is
// unspecified and should be discarded) instead of writing U+FFFD.
func AppendStringChecked(dst []byte, s []byte) ([]byte, bool) { return quote(dst, s, true) }

// appendEscape appends the escape of c, which is '"', '\\' or a control
// character.
func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
}

// AppendFloat appends f in the reference's text form: the shortest decimal
// that round-trips; positional when the decimal exponent E (10^E ≤ |f| <
// 10^(E+1)) is in −5..15, with ".0" on whole values (1.0, 0.00001,
// 1000000000000000.0); otherwise d[.ddd]e±X (1e+20, 1.5e-7). Negative zero is
// -0.0. NaN and ±Inf, which JSON cannot express, are written as null.
func AppendFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // [-]d[.ddd]e±XX
	if b[0] == '-' {
		dst = append(dst, '-')
		b = b[1:]
	}
	e := 0
	for b[e] != 'e' {
		e++
	}
	exp := 0
	for _, c := range b[e+2:] {
		exp = exp*10 + int(c-'0')
	}
	if b[e+1] == '-' {
		exp = -exp
	}
	// digits without the decimal point
	var dbuf [24]byte
	digits := append(dbuf[:0], b[0])
	if e > 1 {
		digits = append(digits, b[2:e]...)
	}
	return appendDecimal(dst, digits, exp)
}

// AppendFloatDigits appends, as AppendFloat does, the float whose shortest
// round-trip decimal digits (strconv's 'e' format with precision -1, without
// sign, point and exponent) are digits, the first at decimal exponent exp,
// negative when neg. It lets a caller that already formatted a float avoid
// doing it twice; digits must be non-empty ASCII digits with no leading
// zero.
func AppendFloatDigits(dst []byte, neg bool, digits []byte, exp int) []byte {
	if neg {
		dst = append(dst, '-')
	}
	return appendDecimal(dst, digits, exp)
}

// FloatDigits is Float for a float given by its shortest digits (see
// AppendFloatDigits).
func (s Style) FloatDigits(dst []byte, neg bool, digits []byte, exp int) []byte {
	dst = s.begin(dst, colorNumber)
	dst = AppendFloatDigits(dst, neg, digits, exp)
	return s.end(dst)
}

func appendDecimal(dst, digits []byte, exp int) []byte {
	switch {
	case exp >= 0 && exp <= 15:
		if len(digits) <= exp+1 {
			dst = append(dst, digits...)
			for i := len(digits); i <= exp; i++ {
				dst = append(dst, '0')
			}
			return append(dst, '.', '0')
		}
		dst = append(dst, digits[:exp+1]...)
		dst = append(dst, '.')
		return append(dst, digits[exp+1:]...)
	case exp < 0 && exp >= -5:
		dst = append(dst, '0', '.')
		for i := -1; i > exp; i-- {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	default:
		dst = append(dst, digits[0])
		if len(digits) > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
}

// AppendRFC3339 appends the UTC time unixNanos (nanoseconds since the Unix
// epoch) as RFC 3339 with a 'Z' suffix: seconds always present, the
// fraction with trailing zeros trimmed and omitted when zero
// (2026-02-02T23:45:00.5Z, 2026-02-02T23:45:00Z). See cli.md §0.3.
func AppendRFC3339(dst []byte, unixNanos int64) []byte {
	sec := unixNanos / 1e9
	nsec := unixNanos % 1e9
	if nsec < 0 {
		sec--
		nsec += 1e9
	}
	days := sec / 86400
	rem := sec % 86400
	if rem < 0 {
		days--
		rem += 86400
	}
	y, m, d := civil(days)
	if y < 0 || y > 9999 {
		return time.Unix(0, unixNanos).UTC().AppendFormat(dst, time.RFC3339Nano)
	}
	var buf [30]byte // 2006-01-02T15:04:05.999999999Z
	put2(buf[0:], y/100)
	put2(buf[2:], y%100)
	buf[4] = '-'
	put2(buf[5:], m)
	buf[7] = '-'
	put2(buf[8:], d)
	buf[10] = 'T'
	put2(buf[11:], rem/3600)
	buf[13] = ':'
	put2(buf[14:], rem%3600/60)
	buf[16] = ':'
	put2(buf[17:], rem%60)
	end := 19
	if nsec != 0 {
		buf[19] = '.'
		put2(buf[20:], nsec/1e7)
		put2(buf[22:], nsec/1e5%100)
		put2(buf[24:], nsec/1e3%100)
		put2(buf[26:], nsec/10%100)
		buf[28] = byte('0' + nsec%10)
		end = 29
		for buf[end-1] == '0' {
			end--
		}
	}
	buf[end] = 'Z'
	return append(dst, buf[:end+1]...)
}

// digitPairs holds "00" … "99".
const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// put2 writes v (0 ≤ v < 100) as two digits.
func put2(b []byte, v int64) {
	_ = b[1]
	b[0], b[1] = digitPairs[2*v], digitPairs[2*v+1]
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (the days-to-civil algorithm on 400-year eras).
func civil(days int64) (y, m, d int64) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// ---- token writers shared with streaming renderers (core/lite3) ----

// Indent appends a newline and two spaces per level when s is Pretty;
// nothing otherwise.
func (s Style) Indent(dst []byte, level int) []byte {
	if s&Pretty == 0 {
		return dst
	}
	dst = append(dst, '\n')
	for ; level > 0; level-- {
		dst = append(dst, ' ', ' ')
	}
	return dst
}

func (s Style) colored(dst []byte, code string, tok string) []byte {
	if s&Color == 0 {
		return append(dst, tok...)
	}
	dst = append(dst, "\x1b["...)
	dst = append(dst, code...)
	dst = append(dst, 'm')
	dst = append(dst, tok...)
	return append(dst, "\x1b[0m"...)
}

func (s Style) begin(dst []byte, code string) []byte {
	if s&Color == 0 {
		return dst
	}
	dst = append(dst, "\x1b["...)
	dst = append(dst, code...)
	return append(dst, 'm')
}

func (s Style) end(dst []byte) []byte {
	if s&Color == 0 {
		return dst
	}
	return append(dst, "\x1b[0m"...)
}

// Punct appends one punctuation token ("{", "}", "[", "]", ",", ":", "{}",
// "[]") in the punctuation color when s has Color.
func (s Style) Punct(dst []byte, tok string) []byte { return s.colored(dst, colorPunct, tok) }

// Open appends the opening token of a container with n members (open is
// '{' or '['): the empty form "{}"/"[]" when n is 0, otherwise the bracket
// followed by the indentation of the first member at level+1.
func (s Style) Open(dst []byte, open byte, n int, level int) []byte {
	if n == 0 {
		if open == '{' {
			return s.Punct(dst, "{}")
		}
		return s.Punct(dst, "[]")
	}
	if open == '{' {
		dst = s.Punct(dst, "{")
	} else {
		dst = s.Punct(dst, "[")
	}
	return s.Indent(dst, level+1)
}

// Next appends the separator between two members at level+1 (a comma and
// the next line's indentation).
func (s Style) Next(dst []byte, level int) []byte {
	dst = s.Punct(dst, ",")
	return s.Indent(dst, level+1)
}

// Close appends the closing token of a non-empty container opened at level.
func (s Style) Close(dst []byte, close byte, level int) []byte {
	dst = s.Indent(dst, level)
	if close == '}' {
		return s.Punct(dst, "}")
	}
	return s.Punct(dst, "]")
}

// Key appends an object key, the colon and, when Pretty, one space.
func (s Style) Key(dst []byte, key string) []byte { return s.key(dst, key) }

// KeyBytes is Key for a byte slice.
func (s Style) KeyBytes(dst []byte, key []byte) []byte { return styleKey(s, dst, key) }

func (s Style) key(dst []byte, key string) []byte { return styleKey(s, dst, key) }

func styleKey[T string | []byte](s Style, dst []byte, key T) []byte {
	dst = s.begin(dst, colorKey)
	dst = appendString(dst, key)
	dst = s.end(dst)
	dst = s.Punct(dst, ":")
	if s&Pretty != 0 {
		dst = append(dst, ' ')
	}
	return dst
}

// String appends a string value.
func (s Style) String(dst []byte, v string) []byte {
	dst = s.begin(dst, colorString)
	dst = appendString(dst, v)
	return s.end(dst)
}

// StringBytes appends a string value held in a byte slice.
func (s Style) StringBytes(dst []byte, v []byte) []byte {
	dst = s.begin(dst, colorString)
	dst = appendString(dst, v)
	return s.end(dst)
}

// Int appends an integer value.
func (s Style) Int(dst []byte, v int64) []byte {
	dst = s.begin(dst, colorNumber)
	dst = strconv.AppendInt(dst, v, 10)
	return s.end(dst)
}

// Uint appends an unsigned integer value.
func (s Style) Uint(dst []byte, v uint64) []byte {
	dst = s.begin(dst, colorNumber)
	dst = strconv.AppendUint(dst, v, 10)
	return s.end(dst)
}

// Float appends a float value in AppendFloat's form (null, uncolored as a
// number, for NaN and ±Inf).
func (s Style) Float(dst []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return s.Null(dst)
	}
	dst = s.begin(dst, colorNumber)
	dst = AppendFloat(dst, v)
	return s.end(dst)
}

// Bool appends true or false.
func (s Style) Bool(dst []byte, v bool) []byte {
	if v {
		return s.colored(dst, colorBool, "true")
	}
	return s.colored(dst, colorBool, "false")
}

// Null appends null.
func (s Style) Null(dst []byte) []byte { return s.colored(dst, colorNull, "null") }

// ---- generic trees ----

// AppendValue appends v rendered in style. v is a tree of nil, bool,
// string, float64, float32, int, int64, int32, uint64, uint32, uint,
// json.Number (written verbatim; it must be a valid JSON number), RawJSON,
// []any, []string and map[string]any, whose keys are written in byte-wise
// sorted order. Values of any other type (including a plain []byte) are
// written as null.
func AppendValue(dst []byte, v any, style Style) []byte {
	return appendValue(dst, v, style, 0)
}

func appendValue(dst []byte, v any, s Style, level int) []byte {
	switch x := v.(type) {
	case nil:
		return s.Null(dst)
	case bool:
		return s.Bool(dst, x)
	case string:
		return s.String(dst, x)
	case float64:
		return s.Float(dst, x)
	case float32:
		return s.Float(dst, float64(x))
	case int:
		return s.Int(dst, int64(x))
	case int64:
		return s.Int(dst, x)
	case int32:
		return s.Int(dst, int64(x))
	case uint64:
		return s.Uint(dst, x)
	case uint32:
		return s.Uint(dst, uint64(x))
	case uint:
		return s.Uint(dst, uint64(x))
	case json.Number:
		dst = s.begin(dst, colorNumber)
		dst = append(dst, x...)
		return s.end(dst)
	case RawJSON:
		return appendRaw(dst, x, s, level)
	case []any:
		dst = s.Open(dst, '[', len(x), level)
		for i, e := range x {
			if i > 0 {
				dst = s.Next(dst, level)
			}
			dst = appendValue(dst, e, s, level+1)
		}
		if len(x) > 0 {
			dst = s.Close(dst, ']', level)
		}
		return dst
	case []string:
		dst = s.Open(dst, '[', len(x), level)
		for i, e := range x {
			if i > 0 {
				dst = s.Next(dst, level)
			}
			dst = s.String(dst, e)
		}
		if len(x) > 0 {
			dst = s.Close(dst, ']', level)
		}
		return dst
	case map[string]any:
		dst = s.Open(dst, '{', len(x), level)
		if len(x) == 0 {
			return dst
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, strings.Compare)
		for i, k := range keys {
			if i > 0 {
				dst = s.Next(dst, level)
			}
			dst = s.key(dst, k)
			dst = appendValue(dst, x[k], s, level+1)
		}
		return s.Close(dst, '}', level)
	default:
		return s.Null(dst)
	}
}

// appendRaw copies compact JSON text, re-laying it out for s. It tokenizes
// without validating: strings are copied with their escapes as they are.
func appendRaw(dst []byte, raw []byte, s Style, level int) []byte {
	if s&(Pretty|Color) == 0 {
		return append(dst, raw...)
	}
	for i := 0; i < len(raw); {
		c := raw[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			i++
		case '{', '[':
			j := i + 1
			for j < len(raw) && (raw[j] == ' ' || raw[j] == '\t' || raw[j] == '\n' || raw[j] == '\r') {
				j++
			}
			closer := byte('}')
			if c == '[' {
				closer = ']'
			}
			if j < len(raw) && raw[j] == closer {
				dst = s.Open(dst, c, 0, level)
				i = j + 1
				continue
			}
			dst = s.Open(dst, c, 1, level)
			level++
			i++
		case '}', ']':
			level--
			dst = s.Close(dst, c, level)
			i++
		case ',':
			dst = s.Next(dst, level-1)
			i++
		case '"':
			j := i + 1
			for j < len(raw) && raw[j] != '"' {
				if raw[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(raw) {
				return append(dst, raw[i:]...)
			}
			j++
			k := j
			for k < len(raw) && (raw[k] == ' ' || raw[k] == '\t' || raw[k] == '\n' || raw[k] == '\r') {
				k++
			}
			if k < len(raw) && raw[k] == ':' {
				dst = s.begin(dst, colorKey)
				dst = append(dst, raw[i:j]...)
				dst = s.end(dst)
				dst = s.Punct(dst, ":")
				if s&Pretty != 0 {
					dst = append(dst, ' ')
				}
				i = k + 1
				continue
			}
			dst = s.begin(dst, colorString)
			dst = append(dst, raw[i:j]...)
			dst = s.end(dst)
			i = j
		default:
			j := i
			for j < len(raw) && !isDelim(raw[j]) {
				j++
			}
			if j == i {
				j++
			}
			tok := raw[i:j]
			code := colorNumber
			switch string(tok) {
			case "true", "false":
				code = colorBool
			case "null":
				code = colorNull
			}
			dst = s.begin(dst, code)
			dst = append(dst, tok...)
			dst = s.end(dst)
			i = j
		}
	}
	return dst
}

func isDelim(c byte) bool {
	switch c {
	case '{', '}', '[', ']', ',', ':', '"', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// UTF8Len returns the length of the valid UTF-8 sequence starting at s[i]
// (a byte ≥ 0x80), or 0 when it is not valid (overlong forms, surrogates and
// code points above U+10FFFF are invalid). Shared with the Lite3 encoder.
func UTF8Len[T string | []byte](s T, i int) int {
	c := s[i]
	n := 0
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case c >= 0xC2 && c <= 0xDF:
		n = 2
	case c == 0xE0:
		n, lo = 3, 0xA0
	case c == 0xED:
		n, hi = 3, 0x9F
	case c >= 0xE1 && c <= 0xEF:
		n = 3
	case c == 0xF0:
		n, lo = 4, 0x90
	case c == 0xF4:
		n, hi = 4, 0x8F
	case c >= 0xF1 && c <= 0xF3:
		n = 4
	default:
		return 0
	}
	if i+n > len(s) {
		return 0
	}
	if b := s[i+1]; b < lo || b > hi {
		return 0
	}
	for k := 2; k < n; k++ {
		if b := s[i+k]; b < 0x80 || b > 0xBF {
			return 0
		}
	}
	return n
}
