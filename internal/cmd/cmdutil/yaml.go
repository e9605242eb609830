package cmdutil

// YAML output (--format yaml) in the layout 1.2.1 prints: each document
// framed by "---" and "...", block style, list items at their key's
// indentation, string values single-quoted (double-quoted with escapes when
// they hold a quote, a backslash or a non-printable character), keys plain
// unless YAML would read them as something else.

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/wire"
)

// AppendYAMLDoc appends v as one YAML document, framed by "---" and "...".
func AppendYAMLDoc(dst []byte, v any) []byte {
	dst = append(dst, "---\n"...)
	dst = appendYAMLNode(dst, v, 0, false)
	return append(dst, "...\n"...)
}

func yamlEmpty(v any) (string, bool) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return "{}", true
		}
	case []any:
		if len(x) == 0 {
			return "[]", true
		}
	case []string:
		if len(x) == 0 {
			return "[]", true
		}
	}
	return "", false
}

// appendYAMLNode writes v at indent; inline means the first line continues
// a "- " already written.
func appendYAMLNode(dst []byte, v any, indent int, inline bool) []byte {
	pad := func(first bool) {
		if first && inline {
			return
		}
		for i := 0; i < indent; i++ {
			dst = append(dst, ' ')
		}
	}
	switch x := v.(type) {
	case []string:
		a := make([]any, len(x))
		for i := range x {
			a[i] = x[i]
		}
		return appendYAMLNode(dst, a, indent, inline)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			pad(i == 0)
			dst = appendYAMLKey(dst, k)
			dst = append(dst, ':')
			val := x[k]
			if s, ok := yamlEmpty(val); ok {
				dst = append(dst, ' ')
				dst = append(dst, s...)
				dst = append(dst, '\n')
				continue
			}
			switch val.(type) {
			case map[string]any:
				dst = append(dst, '\n')
				dst = appendYAMLNode(dst, val, indent+2, false)
			case []any, []string:
				dst = append(dst, '\n')
				dst = appendYAMLNode(dst, val, indent, false)
			default:
				dst = append(dst, ' ')
				dst = appendYAMLScalar(dst, val)
				dst = append(dst, '\n')
			}
		}
		return dst
	case []any:
		for i, e := range x {
			pad(i == 0)
			dst = append(dst, "- "...)
			if s, ok := yamlEmpty(e); ok {
				dst = append(dst, s...)
				dst = append(dst, '\n')
				continue
			}
			switch e.(type) {
			case map[string]any, []any, []string:
				dst = appendYAMLNode(dst, e, indent+2, true)
			default:
				dst = appendYAMLScalar(dst, e)
				dst = append(dst, '\n')
			}
		}
		return dst
	}
	pad(true)
	dst = appendYAMLScalar(dst, v)
	return append(dst, '\n')
}

func appendYAMLScalar(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		return strconv.AppendBool(dst, x)
	case int:
		return strconv.AppendInt(dst, int64(x), 10)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case uint64:
		return strconv.AppendUint(dst, x, 10)
	case float64:
		f := string(jsonfmt.AppendFloat(nil, x))
		if i := strings.IndexByte(f, 'e'); i >= 0 && !strings.Contains(f[:i], ".") {
			f = f[:i] + ".0" + f[i:]
		}
		return append(dst, f...)
	case string:
		if yamlNeedsDouble(x) {
			return appendYAMLDouble(dst, x)
		}
		dst = append(dst, '\'')
		dst = append(dst, x...)
		return append(dst, '\'')
	}
	return append(dst, "null"...)
}

// yamlNeedsDouble: single quotes cannot carry it (or 1.2.1 double-quotes it).
func yamlNeedsDouble(s string) bool {
	for _, r := range s {
		if r == '\'' || r == '\\' || !yamlPrintable(r) || r == 0x85 || r == 0x2028 || r == 0x2029 {
			return true
		}
	}
	return false
}

func yamlPrintable(r rune) bool {
	switch {
	case r == 0x0A || r == 0x85:
		return false
	case r >= 0x20 && r <= 0x7E:
		return true
	case r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

func appendYAMLDouble(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch r {
		case 0:
			dst = append(dst, `\0`...)
		case 7:
			dst = append(dst, `\a`...)
		case 8:
			dst = append(dst, `\b`...)
		case 9:
			dst = append(dst, `\t`...)
		case 10:
			dst = append(dst, `\n`...)
		case 11:
			dst = append(dst, `\v`...)
		case 12:
			dst = append(dst, `\f`...)
		case 13:
			dst = append(dst, `\r`...)
		case 27:
			dst = append(dst, `\e`...)
		case '"':
			dst = append(dst, `\"`...)
		case '\\':
			dst = append(dst, `\\`...)
		case 0x85:
			dst = append(dst, `\N`...)
		case 0x2028:
			dst = append(dst, `\L`...)
		case 0x2029:
			dst = append(dst, `\P`...)
		default:
			if yamlPrintable(r) {
				dst = utf8.AppendRune(dst, r)
				continue
			}
			const hex = "0123456789ABCDEF"
			switch {
			case r <= 0xFF:
				dst = append(dst, '\\', 'x', hex[r>>4], hex[r&15])
			case r <= 0xFFFF:
				dst = append(dst, '\\', 'u', hex[r>>12], hex[r>>8&15], hex[r>>4&15], hex[r&15])
			default:
				dst = append(dst, '\\', 'U')
				for sh := 28; sh >= 0; sh -= 4 {
					dst = append(dst, hex[r>>sh&15])
				}
			}
		}
	}
	return append(dst, '"')
}

var yamlReserved = map[string]bool{"null": true, "~": true, "true": true, "false": true, "yes": true, "no": true, "on": true, "off": true, "y": true, "n": true, "<<": true}

// appendYAMLKey writes a key plain when YAML would read it back as the same
// string, else double-quoted.
func appendYAMLKey(dst []byte, k string) []byte {
	if yamlKeyNeedsQuotes(k) {
		return appendYAMLDouble(dst, k)
	}
	return append(dst, k...)
}

func yamlKeyNeedsQuotes(k string) bool {
	if k == "" || yamlReserved[strings.ToLower(k)] || strings.TrimSpace(k) != k {
		return true
	}
	if strings.ContainsAny(k, ":#,[]{}") {
		return true
	}
	switch k[0] {
	case '!', '&', '*', '%', '@', '`', '|', '>', '\'', '"':
		return true
	case '-', '?':
		if len(k) == 1 || k[1] == ' ' {
			return true
		}
	}
	for _, r := range k {
		if !yamlPrintable(r) || r == 0x2028 || r == 0x2029 {
			return true
		}
	}
	if _, err := strconv.ParseFloat(k, 64); err == nil {
		return true
	}
	if _, err := strconv.ParseInt(k, 0, 64); err == nil {
		return true
	}
	switch strings.ToLower(strings.TrimLeft(k, "+-")) {
	case ".inf", ".nan":
		return true
	}
	return false
}

// AppendMessageYAML appends a stored message (or its data alone) as a YAML
// document. Errors as wire.MessageTree.
func AppendMessageYAML(dst []byte, m core.Message, dataOnly bool) ([]byte, error) {
	doc, err := wire.MessageTree(m)
	if err != nil {
		return dst, err
	}
	if dataOnly {
		return AppendYAMLDoc(dst, doc["data"]), nil
	}
	return AppendYAMLDoc(dst, doc), nil
}
