package mcp

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/server"
)

// Each HTTP rule of 1.2.1's /mcp (remote-1.2.1.md §5.2), on our server
// alone: the status, the body and whether plasmite-version is sent.
func TestHTTPRules(t *testing.T) {
	_, base := ourServer(t, t.TempDir(), server.Options{MaxBodyBytes: 4096})
	host := strings.TrimPrefix(base, "http://")
	const ping = `{"jsonrpc":"2.0","id":1,"method":"ping"}`
	envelope := func(kind, msg string) string { return `{"error":{"kind":"` + kind + `","message":"` + msg + `"}}` }
	rpcErr := func(id string, code int, msg string) string {
		return `{"error":{"code":` + strconv.Itoa(code) + `,"message":"` + msg + `"},"id":` + id + `,"jsonrpc":"2.0"}`
	}
	cases := []struct {
		name, body string
		headers    []string
		status     int
		want       string // "" = empty body
		versioned  bool   // plasmite-version: 0
	}{
		{"ping", ping, []string{withVersion}, 200, `{"id":1,"jsonrpc":"2.0","result":{}}`, true},
		{"initialize may omit the version", `{"jsonrpc":"2.0","id":1,"method":"initialize"}`, nil, 200, "", true},
		{"so may notifications/initialized", `{"jsonrpc":"2.0","method":"notifications/initialized"}`, nil, 202, "", true},
		{"no other method", ping, nil, 400, rpcErr("1", -32600, "unsupported or missing MCP-Protocol-Version"), false},
		{"the id is echoed as sent", `{"jsonrpc":"2.0","id":{"z":[1.50]},"method":"ping"}`, nil, 400,
			rpcErr(`{"z":[1.5]}`, -32600, "unsupported or missing MCP-Protocol-Version"), false},
		{"a batch has no id", `[` + ping + `]`, nil, 400, rpcErr("null", -32600, "unsupported or missing MCP-Protocol-Version"), false},
		{"another version", ping, []string{"MCP-Protocol-Version: 2025-06-18"}, 400,
			rpcErr("1", -32600, "unsupported or missing MCP-Protocol-Version"), false},
		{"even on initialize", `{"jsonrpc":"2.0","id":1,"method":"initialize"}`, []string{"MCP-Protocol-Version: 2024-11-05"}, 400,
			rpcErr("1", -32600, "unsupported or missing MCP-Protocol-Version"), false},
		{"a repeated header", ping, []string{withVersion, withVersion}, 400, rpcErr("1", -32020, "invalid MCP-Protocol-Version header"), false},
		{"a header that is not text", ping, []string{"MCP-Protocol-Version: 2025-11-25\x80"}, 400,
			rpcErr("1", -32020, "invalid MCP-Protocol-Version header"), false},
		{"a client's response", `{"jsonrpc":"2.0","id":5,"result":{}}`, []string{withVersion}, 400,
			rpcErr("5", -32600, "JSON-RPC responses are not accepted"), false},
		{"a client's error response", `{"jsonrpc":"2.0","id":5,"error":{"code":1,"message":"x"}}`, []string{withVersion}, 400,
			rpcErr("5", -32600, "JSON-RPC responses are not accepted"), false},
		{"a notification", `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{}}`, []string{withVersion}, 202, "", true},
		{"an unknown method is 404", `{"jsonrpc":"2.0","id":2,"method":"nope"}`, []string{withVersion}, 404,
			rpcErr("2", -32601, "method not found: nope"), true},
		{"an unknown tool stays 200", `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"x"}}`, []string{withVersion}, 200,
			rpcErr("2", -32602, "unknown tool: x"), true},
		{"a batch is an invalid request", `[` + ping + `]`, []string{withVersion}, 200,
			rpcErr("null", -32600, "request must be a JSON object"), true},
		{"same origin", ping, []string{withVersion, "Origin: http://" + host}, 200, `{"id":1,"jsonrpc":"2.0","result":{}}`, true},
		{"same origin with /", ping, []string{withVersion, "Origin: http://" + host + "/"}, 200, `{"id":1,"jsonrpc":"2.0","result":{}}`, true},
		{"an origin with a path", ping, []string{withVersion, "Origin: http://" + host + "/x"}, 403,
			envelope("Permission", "forbidden: invalid Origin header"), true},
		{"an origin with a query", ping, []string{withVersion, "Origin: http://" + host + "?a"}, 403,
			envelope("Permission", "forbidden: invalid Origin header"), true},
		{"an origin with a fragment", ping, []string{withVersion, "Origin: http://" + host + "#"}, 403,
			envelope("Permission", "forbidden: invalid Origin header"), true},
		{"two origins", ping, []string{withVersion, "Origin: http://" + host, "Origin: http://" + host}, 403,
			envelope("Permission", "forbidden: MCP Origin does not match Host"), true},
		{"a foreign origin fails the local guard", ping, []string{withVersion, "Origin: http://evil.test"}, 403,
			envelope("Permission", "untrusted local request origin"), true},
		{"the version is checked before the origin", ping, []string{"Origin: http://" + host + "/x"}, 400,
			rpcErr("1", -32600, "unsupported or missing MCP-Protocol-Version"), false},
		{"a JSON body only", ping, []string{withVersion, "Content-Type: text/plain"}, 415, "", true},
		{"not JSON", "{", []string{withVersion}, 400, "", true},
		{"trailing text", ping + "x", []string{withVersion}, 400, "", true},
		{"too deep", strings.Repeat("[", 128) + strings.Repeat("]", 128), []string{withVersion}, 400, "", true},
		{"over --max-body-bytes", `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"` + strings.Repeat("x", 5000) + `"}}`,
			[]string{withVersion}, 413, "", true},
	}
	for _, c := range cases {
		r := post(t, base, c.body, c.headers...)
		if r.status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, r.status, c.status, r.body)
			continue
		}
		switch {
		case c.want != "" && r.body != c.want:
			t.Errorf("%s: body\n got  %s\n want %s", c.name, r.body, c.want)
		case c.want == "" && c.status == 202 && r.body != "":
			t.Errorf("%s: a 202 with a body: %s", c.name, r.body)
		case c.want == "" && c.status >= 400 && !strings.HasPrefix(r.body, `{"error":{"kind":"Usage"`):
			t.Errorf("%s: not an envelope: %s", c.name, r.body)
		}
		if v := r.header.Get("Plasmite-Version") == "0"; v != c.versioned {
			t.Errorf("%s: plasmite-version sent: %v, want %v", c.name, v, c.versioned)
		}
		if r.status != 202 && r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: content-type %q", c.name, r.header.Get("Content-Type"))
		}
	}

	// GET is 405 with no body; other methods get the router's envelope.
	if r := send(t, "GET", base+"/mcp", ""); r.status != 405 || r.body != "" || r.header.Get("Allow") != "POST" ||
		r.header.Get("Plasmite-Version") != "0" {
		t.Errorf("GET /mcp: %d %v %q", r.status, r.header, r.body)
	}
	if r := send(t, "PUT", base+"/mcp", ping); r.status != 405 || !strings.Contains(r.body, `"kind":"Usage"`) {
		t.Errorf("PUT /mcp: %d %q", r.status, r.body)
	}
}

// The HTTPS listener's handler: without a shared address every request is
// 503 (after the body checks); with one, authorize decides, and Origin
// must be https://<Host>.
func TestHTTPRemote(t *testing.T) {
	srv, err := server.New(t.TempDir(), server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := NewHTTP(srv, Options{})
	mux := http.NewServeMux()
	mux.Handle("/none/mcp", h.ServeRemote(nil))
	mux.Handle("/auth/mcp", h.ServeRemote(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("Authorization") != "Bearer ok" {
			w.WriteHeader(http.StatusUnauthorized)
			return false
		}
		return true
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: mux}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Shutdown(context.Background()) })
	base := "http://" + ln.Addr().String()
	host := ln.Addr().String()
	const ping = `{"jsonrpc":"2.0","id":1,"method":"ping"}`
	at := func(path, body string, headers ...string) reply { return post(t, base+path, body, headers...) }
	if r := at("/none", ping, withVersion); r.status != 503 ||
		r.body != `{"error":{"kind":"Permission","message":"direct MCP requires a configured shared HTTPS address"}}` ||
		r.header.Get("Plasmite-Version") != "0" {
		t.Errorf("no shared address: %d %s", r.status, r.body)
	}
	if r := at("/none", ping, withVersion, "Content-Type: text/plain"); r.status != 415 {
		t.Errorf("no shared address, not JSON: %d %s", r.status, r.body)
	}
	if r := at("/auth", ping, withVersion); r.status != 401 {
		t.Errorf("refused: %d %s", r.status, r.body)
	}
	if r := at("/auth", ping, withVersion, "Authorization: Bearer ok"); r.status != 200 {
		t.Errorf("admitted: %d %s", r.status, r.body)
	}
	if r := at("/auth", ping, withVersion, "Authorization: Bearer ok", "Origin: https://"+host); r.status != 200 {
		t.Errorf("https origin: %d %s", r.status, r.body)
	}
	if r := at("/auth", ping, withVersion, "Authorization: Bearer ok", "Origin: http://"+host); r.status != 403 ||
		!strings.Contains(r.body, "MCP Origin does not match Host") {
		t.Errorf("http origin on the HTTPS listener: %d %s", r.status, r.body)
	}
}

// originOf canonicalizes what an origin comparison must treat as equal.
func TestOriginOf(t *testing.T) {
	same := [][3]string{
		{"http", "LocalHost:80", "http://localhost"},
		{"https", "h:443", "https://h"},
		{"http", "127.0.0.1:0080", "http://127.0.0.1:80"},
		{"http", "[0::1]:5", "http://[::1]:5"},
	}
	for _, c := range same {
		a, ok := originOf(c[0], c[1])
		u := strings.SplitN(c[2], "://", 2)
		b, ok2 := originOf(u[0], u[1])
		if !ok || !ok2 || a != b {
			t.Errorf("%v: %q %q", c, a, b)
		}
	}
	for _, bad := range []string{"", "h:x", "h:99999", "u@h", "[::1", "[1.2.3.4]"} {
		if o, ok := originOf("http", bad); ok {
			t.Errorf("%q: %q", bad, o)
		}
	}
}
