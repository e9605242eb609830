package mcp

import (
	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/wire"
)

// A tool's outcome is a successful JSON-RPC result either way: text for a
// model to read, structuredContent for a program, and isError on failure
// (with error_kind and, where it helps, a hint saying what to do next).

// toolResult is a tools/call result document.
func toolResult(text string, structured any, isError bool) obj {
	r := obj{"content": arr{obj{"type": "text", "text": text}}, "structuredContent": structured}
	if isError {
		r["isError"] = true
	}
	return r
}

func success(text string, structured any) obj { return toolResult(text, structured, false) }

// invalidArgument is the failure of an argument: Usage, naming the field.
func invalidArgument(tool, field, detail string) obj {
	return toolResult("Invalid `"+field+"` for "+tool+": "+detail,
		obj{"tool": tool, "error_kind": "Usage", "field": field, "detail": detail}, true)
}

// failure is the result of err: its message and hint as text, and
// wire.MCPErrorData with the tool and the message as structuredContent.
func failure(tool string, err error) obj {
	e := wire.ErrorOf(err)
	data := wire.MCPErrorData(e)
	data["tool"] = tool
	data["message"] = e.Message
	text := e.Message
	if e.Hint != "" {
		text += ". " + e.Hint
	}
	return toolResult(text, data, true)
}

// withHint returns err with hint when it is a NotFound that has none.
func withHint(err error, hint string) error {
	e := wire.ErrorOf(err)
	if e.Kind == core.NotFound && e.Hint == "" {
		e.Hint = hint
	}
	return e
}

// missingPool is withHint for a pool that does not exist; feed's hint
// offers create: true.
func missingPool(err error, pool string, feed bool) error {
	if feed {
		return withHint(err, "Pool `"+pool+"` does not exist; retry plasmite_feed with create: true, or call plasmite_pool_create first.")
	}
	return withHint(err, "Pool `"+pool+"` does not exist; check the name or call plasmite_pool_list when available.")
}

// storageError is the JSON-RPC error of a resource method that failed on
// storage: code -32000, the message, wire.MCPErrorData as data.
func storageError(err error) *rpcError {
	e := wire.ErrorOf(err)
	return &rpcError{code: codeStorage, message: e.Message, data: wire.MCPErrorData(e)}
}
