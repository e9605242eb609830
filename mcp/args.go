package mcp

import (
	"slices"
	"strings"
)

// argReader reads a tool call's arguments as 1.2.1 does: first any
// argument the tool does not know, then each argument in the tool's order;
// the first problem found is the result (Usage, naming the field, with
// 1.2.1's wording) and later reads are skipped. Check failed before using
// the values.
type argReader struct {
	tool   string
	a      map[string]any
	failed obj // the invalidArgument result, once something is wrong
}

// readArgs starts reading a's arguments for tool, which knows allowed.
func readArgs(tool string, a map[string]any, allowed ...string) *argReader {
	r := &argReader{tool: tool, a: a}
	var unknown []string
	for k := range a {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		field := slices.Min(unknown) // 1.2.1 reports the first in key order
		detail := "unknown argument"
		if tool == toolRead && field == "where" {
			detail = "where filtering is not implemented on the MCP surface"
		}
		r.fail(field, detail)
	}
	return r
}

// fail records the first problem.
func (r *argReader) fail(field, detail string) {
	if r.failed == nil {
		r.failed = invalidArgument(r.tool, field, detail)
	}
}

// check fails field with detail unless ok.
func (r *argReader) check(ok bool, field, detail string) {
	if !ok {
		r.fail(field, detail)
	}
}

// present reports whether key was given, failing with "missing required"
// when it is required and was not.
func (r *argReader) present(key string, required bool) (any, bool) {
	v, ok := r.a[key]
	if !ok && required {
		r.fail(key, "missing required `"+key+"` argument")
	}
	return v, ok && r.failed == nil
}

// value is a required argument of any JSON type (null included).
func (r *argReader) value(key string) any {
	v, _ := r.present(key, true)
	return v
}

// str is a required string.
func (r *argReader) str(key string) string {
	v, ok := r.present(key, true)
	if !ok {
		return ""
	}
	s, ok := v.(string)
	r.check(ok, key, "`"+key+"` must be a string")
	return s
}

// optStr is an optional string (null is absent).
func (r *argReader) optStr(key string) *string {
	v, ok := r.present(key, false)
	if !ok || v == nil {
		return nil
	}
	s, ok := v.(string)
	r.check(ok, key, "`"+key+"` must be a string")
	return &s
}

// optU64 is an optional non-negative integer (null is not absent: 1.2.1
// refuses it).
func (r *argReader) optU64(key string) *uint64 {
	v, ok := r.present(key, false)
	if !ok {
		return nil
	}
	u, ok := asU64(v)
	r.check(ok, key, "`"+key+"` must be a non-negative integer")
	return &u
}

// u64 is a required non-negative integer.
func (r *argReader) u64(key string) uint64 {
	if _, ok := r.present(key, true); !ok {
		return 0
	}
	return *r.optU64(key)
}

// optBool is an optional boolean (null is absent).
func (r *argReader) optBool(key string) bool {
	v, ok := r.present(key, false)
	if !ok || v == nil {
		return false
	}
	b, ok := v.(bool)
	r.check(ok, key, "`"+key+"` must be a boolean")
	return b
}

// tags is an optional array of tags, each trimmed and non-empty (empty
// when absent).
func (r *argReader) tags(key string) []string {
	v, ok := r.present(key, false)
	if !ok {
		return []string{}
	}
	list, ok := v.([]any)
	r.check(ok, key, "`"+key+"` must be an array of strings")
	out := make([]string, len(list))
	for i, e := range list {
		s, ok := e.(string)
		r.check(ok, key, "`"+key+"` must be an array of strings")
		out[i] = strings.TrimSpace(s)
		r.check(out[i] != "" || !ok, key, "`"+key+"` entries must not be empty")
	}
	return out
}

// count is plasmite_read's and plasmite_wait's count: 1..200, 20 when
// absent.
func (r *argReader) count() int {
	c := r.optU64("count")
	if c == nil || r.failed != nil {
		return defaultCount
	}
	r.check(*c >= 1 && *c <= maxCount, "count", "count must be between 1 and 200")
	return int(min(*c, maxCount))
}
