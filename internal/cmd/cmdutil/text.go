package cmdutil

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// Table renders left-aligned columns separated by two spaces, padded to
// the widest cell (newlines in cells shown as \n).
func Table(rows [][]string) string {
	esc := func(s string) string {
		return strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(s)
	}
	w := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			if n := len([]rune(esc(c))); n > w[i] {
				w[i] = n
			}
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			c = esc(c)
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c + strings.Repeat(" ", w[i]-len([]rune(c))))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// RelToDir shows path relative to the pool directory when inside it, else
// its base name.
func (e *Env) RelToDir(path string) string {
	if rel, err := filepath.Rel(e.PoolDir(), path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return filepath.Base(path)
}

// DirDisplay shows the pool directory as ./rel/ under the working
// directory, ~/rel/ under HOME, else absolute, with a trailing slash.
func (e *Env) DirDisplay() string {
	dir, err := filepath.Abs(e.PoolDir())
	if err != nil {
		dir = e.PoolDir()
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, dir); err == nil && !strings.HasPrefix(rel, "..") {
			if rel == "." {
				return "./"
			}
			return "./" + rel + "/"
		}
	}
	if h := e.Home; h != "" {
		if rel, err := filepath.Rel(h, dir); err == nil && !strings.HasPrefix(rel, "..") {
			if rel == "." {
				return "~/"
			}
			return "~/" + rel + "/"
		}
	}
	return strings.TrimSuffix(dir, "/") + "/"
}

// DisplayPath shows a path ./-relative when it is relative or under the
// working directory, else absolute.
func DisplayPath(p string) string {
	if !filepath.IsAbs(p) {
		if strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") {
			return p
		}
		return "./" + p
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
			return "./" + rel
		}
	}
	return p
}

// quote is s as a JSON string literal.
func quote(s string) string { return string(jsonfmt.AppendString(nil, s)) }

// NormalizeNumbers turns the json.Numbers of a decoded tree into int64,
// uint64 or float64 the way the reference prints them (integers exact,
// reals as doubles).
func NormalizeNumbers(v any) any {
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
			x[i] = NormalizeNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = NormalizeNumbers(x[k])
		}
	}
	return v
}

// HumanLiteral is s for a human reader, as 1.2.1 prints text from the
// network or the user: control characters (C0, DEL, C1) escaped the way
// Rust's escape_debug writes them (\t, \n, \r, \0, else \u{hex}), the rest
// as it is.
func HumanLiteral(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == 0:
			b.WriteString(`\0`)
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			b.WriteString(`\u{` + strconv.FormatInt(int64(r), 16) + `}`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
