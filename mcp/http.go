package mcp

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/server"
)

// HTTP serves MCP at /mcp with release 1.2.1's rules: one JSON-RPC message
// per POST answered in its body (no sessions, no SSE, no batching), the
// MCP-Protocol-Version header required (exactly 2025-11-25) except on
// initialize and notifications/initialized, Origin checked, and at most
// --max-tail-concurrency requests at once. Statuses: a notification 202
// with no body; a response 200, except JSON-RPC -32601 (404) and
// -32022…-32020 (400); a missing or wrong version header, or a JSON-RPC
// response sent by the client, 400 with a JSON-RPC error body (and no
// plasmite-version header, as 1.2.1); a bad Origin 403, no request permit
// 423, and the body checks of the server's routes (415, 413, 400), each
// with the error envelope.
type HTTP struct {
	srv     *server.Server
	mcp     *Server
	permits chan struct{}
}

// NewHTTP returns the MCP endpoint of srv: its tools use srv's open pools
// and its waits srv's tail permits.
func NewHTTP(srv *server.Server, opts Options) *HTTP {
	opts.Dir = srv.Dir()
	opts.Store = srv
	opts.WaitPermit = srv.TryTailPermit
	return &HTTP{srv: srv, mcp: New(opts), permits: make(chan struct{}, srv.Limits().MaxTailConcurrency)}
}

// Register adds POST /mcp (the local listener's, without authentication)
// and GET /mcp (405) to srv's routes.
func Register(srv *server.Server, opts Options) *HTTP {
	h := NewHTTP(srv, opts)
	srv.Handle(http.MethodPost, "/mcp", h.ServeLocal)
	srv.Handle(http.MethodGet, "/mcp", ServeGet)
	return h
}

// ServeGet answers GET /mcp: 405 with no body (there is no SSE stream).
func ServeGet(w http.ResponseWriter, r *http.Request) {
	versioned(w).Set("Allow", http.MethodPost)
	w.WriteHeader(http.StatusMethodNotAllowed)
}

// ServeLocal serves POST /mcp on the local (loopback) listener, whose
// guard has already checked Host and Origin; Origin, when sent, must be
// http://<Host>.
func (h *HTTP) ServeLocal(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, "http", func(http.ResponseWriter, *http.Request) bool { return true })
}

// ServeRemote returns the POST /mcp handler of the HTTPS listener: each
// request must pass authorize (which answers a refusal itself, e.g. with
// an OAuth challenge, and returns false); Origin, when sent, must be
// https://<Host>. Without authorize (no shared HTTPS address is
// configured) every request gets 503 Permission `direct MCP requires a
// configured shared HTTPS address`, after its body was read, as in 1.2.1.
func (h *HTTP) ServeRemote(authorize func(http.ResponseWriter, *http.Request) bool) http.HandlerFunc {
	if authorize == nil {
		authorize = func(w http.ResponseWriter, r *http.Request) bool {
			server.WriteError(w, errNoSharedAddress, http.StatusServiceUnavailable)
			return false
		}
	}
	return func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, "https", authorize) }
}

var (
	errNoSharedAddress = &core.Error{Kind: core.Permission, Message: "direct MCP requires a configured shared HTTPS address"}
	errBadOrigin       = &core.Error{Kind: core.Permission, Message: "forbidden: invalid Origin header",
		Hint: "Send a valid Origin URI or omit Origin."}
	errForeignOrigin = &core.Error{Kind: core.Permission, Message: "forbidden: MCP Origin does not match Host"}
	errBusy          = &core.Error{Kind: core.Busy, Message: "too many concurrent MCP requests",
		Hint: "Retry after an in-flight MCP request completes."}
	errUnreadable = &core.Error{Kind: core.Usage,
		Message: "failed to parse the request body as JSON: too deeply nested, an unpaired surrogate or a number out of range"}
)

// serve runs 1.2.1's checks in its order, then the message.
func (h *HTTP) serve(w http.ResponseWriter, r *http.Request, scheme string, authorize func(http.ResponseWriter, *http.Request) bool) {
	body, err := h.srv.ReadJSONBody(w, r)
	if err != nil {
		server.WriteError(w, err, 0)
		return
	}
	msg, ok := parseJSON(body)
	if !ok {
		server.WriteError(w, errUnreadable, http.StatusBadRequest)
		return
	}
	if !authorize(w, r) {
		return
	}
	if code, text := checkVersion(r.Header, msg); code != 0 {
		rejectRPC(w, msg, code, text)
		return
	}
	if origins, present := r.Header["Origin"]; present {
		if len(origins) == 0 || !plainOrigin(origins[0]) {
			server.WriteError(w, errBadOrigin, http.StatusForbidden)
			return
		}
		if len(origins) != 1 || !sameOrigin(origins[0], scheme, r.Host) {
			server.WriteError(w, errForeignOrigin, http.StatusForbidden)
			return
		}
	}
	if isResponse(msg) {
		rejectRPC(w, msg, codeInvalidRequest, "JSON-RPC responses are not accepted")
		return
	}
	select {
	case h.permits <- struct{}{}:
		defer func() { <-h.permits }()
	default:
		server.WriteError(w, errBusy, 0)
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(h.srv.Stopping(), cancel)()
	resp, code := h.mcp.dispatch(ctx, msg)
	if resp == nil {
		versioned(w)
		w.WriteHeader(http.StatusAccepted)
		return
	}
	status := http.StatusOK
	switch {
	case code == codeMethodNotFound:
		status = http.StatusNotFound
	case code >= -32022 && code <= codeHeader:
		status = http.StatusBadRequest
	}
	versioned(w)
	writeJSON(w, status, resp)
}

// checkVersion applies the MCP-Protocol-Version rule: one header, exactly
// ProtocolVersion, which only initialize and notifications/initialized may
// leave out. It returns the JSON-RPC code and message of a refusal, or 0.
func checkVersion(h http.Header, msg any) (int, string) {
	values := h.Values("Mcp-Protocol-Version")
	if len(values) > 1 || len(values) == 1 && !visibleASCII(values[0]) {
		return codeHeader, "invalid MCP-Protocol-Version header"
	}
	if len(values) == 1 && values[0] == ProtocolVersion {
		return 0, ""
	}
	if len(values) == 0 {
		if obj, ok := msg.(map[string]any); ok {
			if m := obj["method"]; m == "initialize" || m == "notifications/initialized" {
				return 0, ""
			}
		}
	}
	return codeInvalidRequest, "unsupported or missing MCP-Protocol-Version"
}

// rejectRPC answers 400 with a JSON-RPC error carrying the message's id as
// sent (null when it has none) and no plasmite-version header, as 1.2.1.
func rejectRPC(w http.ResponseWriter, msg any, code int, text string) {
	var id any
	if obj, ok := msg.(map[string]any); ok {
		id = obj["id"]
	}
	writeJSON(w, http.StatusBadRequest, errorResponse(id, &rpcError{code: code, message: text}))
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// versioned marks a response as a Plasmite server's.
func versioned(w http.ResponseWriter) http.Header {
	h := w.Header()
	h.Set("Plasmite-Version", "0")
	return h
}

// visibleASCII reports whether s holds only tabs and printable ASCII (what
// 1.2.1 can read as a header string).
func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '\t' && (c < ' ' || c > '~') {
			return false
		}
	}
	return true
}

// plainOrigin reports whether s is a plain http(s) origin: a scheme and a
// host (with an optional port), no user, and no path but "/", query or
// fragment.
func plainOrigin(s string) bool {
	if !visibleASCII(s) {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.User != nil || u.Opaque != "" ||
		u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.ForceQuery || strings.Contains(s, "#") {
		return false
	}
	_, ok := originOf(u.Scheme, u.Host)
	return ok
}

// sameOrigin reports whether origin is scheme://host (the default port may
// be left out or given; scheme and host in any case).
func sameOrigin(origin, scheme, host string) bool {
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	a, ok := originOf(strings.ToLower(u.Scheme), u.Host)
	b, ok2 := originOf(scheme, host)
	return ok && ok2 && a == b
}

// originOf is the canonical origin scheme://host:port for an authority
// (host[:port]): host lower-cased, an IP address in its canonical form,
// the scheme's default port filled in.
func originOf(scheme, authority string) (string, bool) {
	if authority == "" || strings.ContainsAny(authority, "@/\\?#") {
		return "", false
	}
	host, port := authority, ""
	if strings.HasPrefix(authority, "[") {
		end := strings.IndexByte(authority, ']')
		if end < 0 || end+1 < len(authority) && authority[end+1] != ':' {
			return "", false
		}
		host, port = authority[:end+1], strings.TrimPrefix(authority[end+1:], ":")
	} else if i := strings.LastIndexByte(authority, ':'); i >= 0 {
		host, port = authority[:i], authority[i+1:]
	}
	switch {
	case port == "" && scheme == "http":
		port = "80"
	case port == "" && scheme == "https":
		port = "443"
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return "", false
	}
	port = strconv.FormatUint(n, 10)
	host = strings.ToLower(host)
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		a, err := netip.ParseAddr(host[1 : len(host)-1])
		if err != nil || !a.Is6() {
			return "", false
		}
		host = "[" + a.String() + "]"
	} else if a, err := netip.ParseAddr(host); err == nil && a.Is4() {
		host = a.String()
	} else if host == "" {
		return "", false
	}
	return scheme + "://" + host + ":" + port, true
}
