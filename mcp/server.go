package mcp

import (
	"context"

	"github.com/plasmite-go/plasmite/core"
)

// ProtocolVersion is the MCP protocol version this server speaks, whatever
// version a client asks for (as 1.2.1).
const ProtocolVersion = "2025-11-25"

// Options configure a Server.
type Options struct {
	// Dir is the pool directory. Paths in documents follow its spelling
	// ("pools/demo.plasmite" for a relative Dir), as 1.2.1's do.
	Dir string
	// Version is initialize's serverInfo.version; "" means core.Version.
	Version string
	// Store lends the tools their pools; nil opens each pool for the one
	// call that needs it (what the stdio transport does), with
	// OpenOptions.
	Store       Store
	OpenOptions core.OpenOptions
	// WaitPermit, when not nil, is taken by every plasmite_wait before it
	// checks its arguments and held until it returns (the HTTP server's
	// tail permits); when none is free the call fails at once with Busy.
	WaitPermit func() (release func(), ok bool)
}

// Store lends open pools. *server.Server is one: its open pools are
// shared with the HTTP routes.
type Store interface {
	// UsePool runs op on the pool at path (NotFound `not found` when
	// there is none); op reads or waits.
	UsePool(path string, op func(*core.Pool) error) error
	// AppendToPool is UsePool for an append.
	AppendToPool(path string, op func(*core.Pool) error) error
	// DeletePool deletes the pool at path (NotFound when missing).
	DeletePool(path string) error
}

// Server answers MCP's JSON-RPC messages for one pool directory with
// 1.2.1's tools, resources and instructions. It is transport-agnostic
// (ServeStdio and the HTTP handler frame its messages) and safe for
// concurrent use.
type Server struct {
	dir        string
	version    string
	store      Store
	waitPermit func() (func(), bool)
}

// New returns a Server for opts.
func New(opts Options) *Server {
	s := &Server{dir: opts.Dir, version: opts.Version, store: opts.Store, waitPermit: opts.WaitPermit}
	if s.version == "" {
		s.version = core.Version
	}
	if s.store == nil {
		s.store = openEach{opts.OpenOptions}
	}
	return s
}

// Handle answers one JSON-RPC message (a line of the stdio transport, a
// POST body): the response text, or nil for a notification. Text that is
// not JSON gets the parse error (-32700, id null); a batch (JSON array)
// gets invalid request. ctx bounds plasmite_wait: when it ends, the wait
// answers at once as if it had timed out.
func (s *Server) Handle(ctx context.Context, msg []byte) []byte {
	v, ok := parseJSON(msg)
	if !ok {
		return parseErrorResponse()
	}
	body, _ := s.dispatch(ctx, v)
	return body
}

// dispatch answers a parsed message: the response (nil for a
// notification, whose method still runs, as in 1.2.1) and its JSON-RPC
// error code (0 for a result).
func (s *Server) dispatch(ctx context.Context, v any) (body []byte, code int) {
	req, failure := parseRequest(v)
	if failure != nil {
		return failure, codeInvalidRequest
	}
	result, rerr := s.route(ctx, req)
	if !req.hasID {
		return nil, 0
	}
	if rerr != nil {
		return errorResponse(req.id, rerr), rerr.code
	}
	return resultResponse(req.id, result), 0
}

// route runs req's method.
func (s *Server) route(ctx context.Context, req request) (any, *rpcError) {
	switch req.method {
	case "initialize":
		if err := optionalObject(req.params); err != nil {
			return nil, err
		}
		return s.initializeResult(), nil
	case "notifications/initialized", "ping":
		if err := optionalObject(req.params); err != nil {
			return nil, err
		}
		return obj{}, nil
	case "tools/list":
		if err := optionalObject(req.params); err != nil {
			return nil, err
		}
		return toolsListResult(), nil
	case "tools/call":
		params, ok := req.params.(map[string]any)
		if !ok {
			return nil, errParams("tools/call requires object params")
		}
		name, ok := params["name"].(string)
		if !ok {
			return nil, errParams("tools/call requires string param `name`")
		}
		var args map[string]any
		switch a := params["arguments"].(type) {
		case nil:
			args = map[string]any{}
		case map[string]any:
			args = a
		default:
			return nil, errParams("tools/call `arguments` must be an object")
		}
		return s.callTool(ctx, name, args)
	case "resources/list":
		if err := optionalObject(req.params); err != nil {
			return nil, err
		}
		return s.listResources()
	case "resources/read":
		params, ok := req.params.(map[string]any)
		if !ok {
			return nil, errParams("resources/read requires object params")
		}
		uri, ok := params["uri"].(string)
		if !ok {
			return nil, errParams("resources/read requires string param `uri`")
		}
		return s.readResource(uri)
	}
	return nil, &rpcError{code: codeMethodNotFound, message: "method not found: " + req.method}
}

// optionalObject accepts absent, null or object params.
func optionalObject(params any) *rpcError {
	switch params.(type) {
	case nil, map[string]any:
		return nil
	}
	return errParams("params must be an object when provided")
}

func (s *Server) initializeResult() obj {
	return obj{
		"protocolVersion": ProtocolVersion,
		"capabilities": obj{
			"tools":     obj{"listChanged": false},
			"resources": obj{"subscribe": false, "listChanged": false},
		},
		"serverInfo":   obj{"name": "plasmite", "version": s.version},
		"instructions": instructions,
	}
}

// openEach is the Store that opens a pool for each use, as 1.2.1's local
// client does.
type openEach struct{ opts core.OpenOptions }

func (o openEach) UsePool(path string, op func(*core.Pool) error) error {
	p, err := core.Open(path, o.opts)
	if err != nil {
		return err
	}
	defer p.Close()
	return op(p)
}

func (o openEach) AppendToPool(path string, op func(*core.Pool) error) error {
	return o.UsePool(path, op)
}

func (openEach) DeletePool(path string) error { return core.Delete(path) }
