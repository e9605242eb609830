package mcp

import (
	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// JSON-RPC 2.0 error codes, as 1.2.1 uses them.
const (
	codeParse          = -32700
	codeInvalidRequest = -32600
	codeMethodNotFound = -32601
	codeInvalidParams  = -32602
	// codeStorage is a storage failure of a resource method (data carries
	// error_kind and the error's context).
	codeStorage = -32000
	// codeHeader is a malformed MCP-Protocol-Version header on HTTP (the
	// range −32022…−32020 is answered with HTTP 400).
	codeHeader = -32020
)

// rpcError is a JSON-RPC error object.
type rpcError struct {
	code    int
	message string
	data    map[string]any // nil when absent
}

func errParams(msg string) *rpcError  { return &rpcError{code: codeInvalidParams, message: msg} }
func errRequest(msg string) *rpcError { return &rpcError{code: codeInvalidRequest, message: msg} }

// request is a parsed JSON-RPC request or notification.
type request struct {
	id     any  // string, int64 or nil (null)
	hasID  bool // false: a notification, which gets no response
	method string
	params any // nil when absent or null
}

// parseRequest checks v as 1.2.1 does, in its order: an object; an id
// (when present) that is a string, an integer or null; "jsonrpc":"2.0";
// a string method. A failure is the error response to send (with the id
// when it was read, else null), even for a message without an id.
func parseRequest(v any) (request, []byte) {
	obj, ok := v.(map[string]any)
	if !ok {
		return request{}, errorResponse(nil, errRequest("request must be a JSON object"))
	}
	var req request
	if raw, present := obj["id"]; present {
		switch x := raw.(type) {
		case string, nil:
			req.id = x
		case int64, uint64, float64:
			i, ok := asI64(x)
			if !ok {
				return req, errorResponse(nil, errRequest("id must be an integer number"))
			}
			req.id = i
		default:
			return req, errorResponse(nil, errRequest("id must be a string, integer number, or null"))
		}
		req.hasID = true
	}
	version, ok := obj["jsonrpc"].(string)
	if !ok {
		return req, errorResponse(req.id, errRequest("missing jsonrpc field"))
	}
	if version != "2.0" {
		return req, errorResponse(req.id, errRequest(`jsonrpc must be "2.0"`))
	}
	if req.method, ok = obj["method"].(string); !ok {
		return req, errorResponse(req.id, errRequest("missing method field"))
	}
	req.params = obj["params"]
	return req, nil
}

// isResponse reports whether v is a JSON-RPC response (which a server
// does not accept from its client): "jsonrpc":"2.0", an id, a result or an
// error, and no method.
func isResponse(v any) bool {
	obj, ok := v.(map[string]any)
	if !ok || obj["jsonrpc"] != "2.0" {
		return false
	}
	_, id := obj["id"]
	_, method := obj["method"]
	_, result := obj["result"]
	_, failed := obj["error"]
	return id && !method && (result || failed)
}

// resultResponse renders {"id":…,"jsonrpc":"2.0","result":…}.
func resultResponse(id, result any) []byte {
	return jsonfmt.AppendValue(nil, map[string]any{"id": id, "jsonrpc": "2.0", "result": result}, jsonfmt.Compact)
}

// errorResponse renders {"error":{"code","data"?,"message"},"id":…,"jsonrpc":"2.0"}.
func errorResponse(id any, e *rpcError) []byte {
	obj := map[string]any{"code": e.code, "message": e.message}
	if e.data != nil {
		obj["data"] = e.data
	}
	return jsonfmt.AppendValue(nil, map[string]any{"error": obj, "id": id, "jsonrpc": "2.0"}, jsonfmt.Compact)
}

// parseErrorResponse is the answer to a message that is not JSON.
func parseErrorResponse() []byte {
	return errorResponse(nil, &rpcError{code: codeParse, message: "invalid JSON"})
}
