package mcp

import (
	"slices"
	"strings"
)

// args are a tool call's arguments. Each reader returns the value, or the
// detail of what is wrong with it (1.2.1's wording), for invalidArgument.
type args map[string]any

// unknown returns the first argument (in key order, as 1.2.1 reports it)
// that is not one of allowed, with its detail.
func (a args) unknown(tool string, allowed ...string) (field, detail string) {
	keys := make([]string, 0, len(a))
	for k := range a {
		if !slices.Contains(allowed, k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return "", ""
	}
	field = slices.Min(keys)
	if tool == toolRead && field == "where" {
		return field, "where filtering is not implemented on the MCP surface"
	}
	return field, "unknown argument"
}

func missing(key string) string { return "missing required `" + key + "` argument" }

// str is a required string.
func (a args) str(key string) (string, string) {
	v, ok := a[key]
	if !ok {
		return "", missing(key)
	}
	s, ok := v.(string)
	if !ok {
		return "", "`" + key + "` must be a string"
	}
	return s, ""
}

// optStr is an optional string (null is absent).
func (a args) optStr(key string) (*string, string) {
	switch v := a[key].(type) {
	case nil:
		return nil, ""
	case string:
		return &v, ""
	}
	return nil, "`" + key + "` must be a string"
}

// optU64 is an optional non-negative integer (null is not absent: 1.2.1
// refuses it).
func (a args) optU64(key string) (*uint64, string) {
	v, ok := a[key]
	if !ok {
		return nil, ""
	}
	u, ok := asU64(v)
	if !ok {
		return nil, "`" + key + "` must be a non-negative integer"
	}
	return &u, ""
}

// u64 is a required non-negative integer.
func (a args) u64(key string) (uint64, string) {
	u, detail := a.optU64(key)
	if detail != "" {
		return 0, detail
	}
	if u == nil {
		return 0, missing(key)
	}
	return *u, ""
}

// optBool is an optional boolean (null is absent).
func (a args) optBool(key string) (bool, string) {
	switch v := a[key].(type) {
	case nil:
		return false, ""
	case bool:
		return v, ""
	}
	return false, "`" + key + "` must be a boolean"
}

// tags is an optional array of tags, each trimmed and non-empty (an empty
// list when absent).
func (a args) tags(key string) ([]string, string) {
	v, ok := a[key]
	if !ok {
		return []string{}, ""
	}
	list, ok := v.([]any)
	if !ok {
		return nil, "`" + key + "` must be an array of strings"
	}
	out := make([]string, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil, "`" + key + "` must be an array of strings"
		}
		if out[i] = strings.TrimSpace(s); out[i] == "" {
			return nil, "`" + key + "` entries must not be empty"
		}
	}
	return out, ""
}
