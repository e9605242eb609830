package mcp

import (
	"sync"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// The tools as tools/list advertises them: names, descriptions, input and
// output schemas and annotations are 1.2.1's, byte for byte once rendered
// (keys sorted), so that an MCP client sees the same surface on either
// server (TestToolsListMatchesReference pins it against the 1.2.1 binary).

type obj = map[string]any
type arr = []any

// toolNames lists the tools in tools/list order.
var toolNames = []string{
	toolPoolList, toolPoolCreate, toolPoolInfo, toolPoolDelete,
	toolFeed, toolFetch, toolRead, toolWait,
}

const (
	toolPoolList   = "plasmite_pool_list"
	toolPoolCreate = "plasmite_pool_create"
	toolPoolInfo   = "plasmite_pool_info"
	toolPoolDelete = "plasmite_pool_delete"
	toolFeed       = "plasmite_feed"
	toolFetch      = "plasmite_fetch"
	toolRead       = "plasmite_read"
	toolWait       = "plasmite_wait"
)

// annotations are a tool's MCP hints: read-only, destructive, idempotent
// (never open-world: a tool only touches the pool directory).
func annotations(readOnly, destructive, idempotent bool) obj {
	return obj{"readOnlyHint": readOnly, "destructiveHint": destructive, "idempotentHint": idempotent, "openWorldHint": false}
}

var (
	readOnly           = annotations(true, false, true)
	additive           = annotations(false, false, false)
	additiveIdempotent = annotations(false, false, true)
	destructive        = annotations(false, true, true)
)

// inputSchema is a closed object schema with properties and required names.
func inputSchema(props obj, required ...string) obj {
	s := obj{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = strs(required)
	}
	return s
}

func strs(s []string) arr {
	out := make(arr, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func described(schema obj, description string) obj {
	schema["description"] = description
	return schema
}

func typed(t string) obj { return obj{"type": t} }

func unsigned() obj { return obj{"type": "integer", "minimum": 0} }

func bounded(min, max int) obj { return obj{"type": "integer", "minimum": min, "maximum": max} }

func stringArray() obj { return obj{"type": "array", "items": typed("string")} }

const tagsFilterHelp = "Return only messages containing all specified tags; surrounding whitespace is trimmed and empty tags are rejected"

const countHelp = "Max messages to return (default: 20, max: 200)"

// outputSchema is a tool's result schema: its success shape, or the
// failure shape every tool shares.
func outputSchema(success obj) obj {
	failure := obj{
		"type":        "object",
		"description": "Tool failure with a stable error_kind and optional actionable context.",
		"properties": obj{
			"tool": typed("string"),
			"error_kind": obj{"type": "string", "enum": strs([]string{
				"Internal", "Usage", "NotFound", "AlreadyExists", "Busy", "Permission", "Corrupt", "Io"})},
		},
		"required": strs([]string{"tool", "error_kind"}),
	}
	return obj{"type": "object", "oneOf": arr{success, failure}}
}

// oneProperty is the success shape {name: schema}.
func oneProperty(name string, schema obj) obj {
	return outputSchema(obj{"type": "object", "properties": obj{name: schema}, "required": arr{name}, "additionalProperties": false})
}

func messageSchema() obj {
	return obj{
		"type": "object",
		"properties": obj{
			"seq":  unsigned(),
			"time": typed("string"),
			"meta": obj{"type": "object", "properties": obj{"tags": stringArray()}, "required": arr{"tags"}, "additionalProperties": false},
			"data": obj{},
		},
		"required":             strs([]string{"seq", "time", "meta", "data"}),
		"additionalProperties": false,
	}
}

func poolInfoSchema() obj {
	return obj{
		"type": "object",
		"properties": obj{
			"name":      typed("string"),
			"path":      typed("string"),
			"file_size": unsigned(),
			"bounds": described(obj{"type": "object", "properties": obj{"oldest": unsigned(), "newest": unsigned()},
				"additionalProperties": false}, "Current retained sequence range; empty pools have no bounds."),
			"metrics": typed("object"),
		},
		"required":             strs([]string{"name", "path", "file_size", "bounds"}),
		"additionalProperties": true,
	}
}

// batchSchema is the read batch; a wait's adds timed_out.
func batchSchema(wait bool) obj {
	cursor := func(help string) obj {
		return obj{"type": arr{"integer", "null"}, "minimum": 0, "description": help}
	}
	props := obj{
		"messages":             obj{"type": "array", "items": messageSchema(), "description": "Matching retained messages in append order."},
		"next_after_seq":       cursor("Advanced resume cursor for the next read or repeated wait."),
		"last_returned_seq":    cursor("Sequence number of the last matching message, or null when none matched."),
		"oldest_available_seq": cursor("Oldest message still retained, or null for an empty pool."),
		"newest_available_seq": cursor("Newest message currently retained, or null for an empty pool."),
		"fell_behind": described(typed("boolean"), "True when retention overwrote messages after the supplied cursor; "+
			"those messages are gone and reading resumes at the oldest retained message."),
	}
	required := []string{"messages", "next_after_seq", "last_returned_seq", "oldest_available_seq", "newest_available_seq", "fell_behind"}
	if wait {
		props["timed_out"] = described(typed("boolean"), "True when no matching message arrived before the bounded timeout.")
		required = append(required, "timed_out")
	}
	return outputSchema(obj{"type": "object", "properties": props, "required": strs(required), "additionalProperties": false})
}

// toolList is every tool's document, in toolNames order.
func toolList() arr {
	poolArg := func() obj { return described(typed("string"), "Pool name") }
	tool := func(name, description string, in, out, ann obj) obj {
		return obj{"name": name, "description": description, "inputSchema": in, "outputSchema": out, "annotations": ann}
	}
	return arr{
		tool(toolPoolList, "List the available named message pools. Start here when you do not already know which pool to use.",
			inputSchema(obj{}), oneProperty("pools", obj{"type": "array", "items": poolInfoSchema()}), readOnly),
		tool(toolPoolCreate, "Create a fixed-size message pool. Pools are append-only ring buffers and overwrite their oldest "+
			"messages when full. If the pool already exists, this returns AlreadyExists and leaves its messages unchanged; "+
			"use the existing pool as-is.",
			inputSchema(obj{
				"name": poolArg(),
				"size": described(typed("integer"), "Fixed capacity in bytes (default: 1048576)"),
			}, "name"),
			oneProperty("pool", poolInfoSchema()), additiveIdempotent),
		tool(toolPoolInfo, "Inspect a pool's fixed capacity, retained message bounds, and metrics.",
			inputSchema(obj{"pool": poolArg()}, "pool"), oneProperty("pool", poolInfoSchema()), readOnly),
		tool(toolPoolDelete, "Permanently delete a pool and all messages it currently retains.",
			inputSchema(obj{"pool": poolArg()}, "pool"),
			oneProperty("deleted", obj{"type": "object", "properties": obj{"pool": typed("string")}, "required": arr{"pool"},
				"additionalProperties": false}), destructive),
		tool(toolFeed, "Append a JSON message to a pool; this never updates or replaces an existing message. The pool must "+
			"exist unless `create` is true. Retrying after an ambiguous failure can append a duplicate.",
			inputSchema(obj{
				"pool": described(typed("string"), "Destination pool name"),
				"data": obj{"description": "JSON message payload (object, array, string, number, etc.)"},
				"tags": described(stringArray(), "Optional labels readers can filter on; surrounding whitespace is trimmed and "+
					"empty tags are rejected"),
				"create": described(typed("boolean"), "Create a missing pool with the default fixed capacity (default: false)"),
			}, "pool", "data"),
			oneProperty("message", messageSchema()), additive),
		tool(toolFetch, "Advanced exact lookup: fetch one retained message by its sequence number.",
			inputSchema(obj{"pool": poolArg(), "seq": described(unsigned(), "Sequence number")}, "pool", "seq"),
			oneProperty("message", messageSchema()), readOnly),
		tool(toolRead, "Inspect recent or retained historical messages. By default, returns the latest 20 matching messages "+
			"in append order. Use `since` for a time window; `after_seq` is an advanced resume cursor.",
			inputSchema(obj{
				"pool":      poolArg(),
				"count":     described(bounded(1, maxCount), countHelp),
				"after_seq": described(unsigned(), "Advanced: return messages after this resume cursor"),
				"since":     described(typed("string"), "Time window, e.g. '5m', '1h', '2024-01-15T00:00:00Z'"),
				"tags":      described(stringArray(), tagsFilterHelp),
			}, "pool"),
			batchSchema(false), readOnly),
		tool(toolWait, "Wait once for new messages, returning when a matching batch arrives or the bounded timeout expires. "+
			"Omit `after_seq` to start at the live edge. For repeated waits, pass the previous `next_after_seq` as "+
			"`after_seq` so messages arriving between calls are not skipped.",
			inputSchema(obj{
				"pool":       poolArg(),
				"after_seq":  described(unsigned(), "Advanced: resume after this cursor; omit to wait only for future messages"),
				"count":      described(bounded(1, maxCount), countHelp),
				"timeout_ms": described(bounded(0, maxWaitMS), "Bounded wait in milliseconds (default: 10000, max: 60000)"),
				"tags":       described(stringArray(), tagsFilterHelp),
			}, "pool"),
			batchSchema(true), readOnly),
	}
}

// toolsListResult is the rendered {"tools":[…]}, built once.
var toolsListResult = sync.OnceValue(func() jsonfmt.RawJSON {
	return jsonfmt.AppendValue(nil, obj{"tools": toolList()}, jsonfmt.Compact)
})
