package mcp

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/internal/reftest"
	"github.com/plasmite-go/plasmite/server"
)

// httpRuleCases exercise 1.2.1's HTTP rules (§5.2 of remote-1.2.1.md):
// the protocol-version header, Origin, JSON-RPC responses from the client,
// notifications, status codes. "{host}" in a header is the server's
// host:port.
var httpRuleCases = []struct {
	body    string
	headers []string
	why     string // a deliberate difference: only the statuses agree
}{
	{`{"jsonrpc":"2.0","id":1,"method":"initialize"}`, nil, ""},
	{`{"jsonrpc":"2.0","id":1,"method":"initialize"}`, []string{withVersion}, ""},
	{`{"jsonrpc":"2.0","method":"notifications/initialized"}`, nil, ""},
	{`{"jsonrpc":"2.0","id":2,"method":"notifications/initialized"}`, nil, ""},
	{`{"jsonrpc":"2.0","method":"notifications/initialized","params":[]}`, nil, ""},
	{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, nil, ""},
	{`{"jsonrpc":"2.0","id":1.50,"method":"ping"}`, nil, ""},
	{`{"jsonrpc":"2.0","id":{"b":1,"a":[1e2]},"method":"ping"}`, nil, ""},
	{`{"id":7}`, nil, ""},
	{`[1]`, nil, ""},
	{`[1]`, []string{withVersion}, ""},
	{`"x"`, []string{withVersion}, ""},
	{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, []string{"MCP-Protocol-Version: 2025-06-18"}, ""},
	{`{"jsonrpc":"2.0","id":1,"method":"initialize"}`, []string{"MCP-Protocol-Version: 2025-06-18"}, ""},
	{`{"jsonrpc":"2.0","method":"notifications/initialized"}`, []string{"MCP-Protocol-Version: 2026-07-28"}, ""},
	{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, []string{"MCP-Protocol-Version: 2025-11-25,2025-11-25"}, ""},
	{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, []string{withVersion, withVersion}, ""},
	{`{"jsonrpc":"2.0","id":1,"method":"initialize"}`, []string{withVersion, withVersion}, ""},
	{`{"jsonrpc":"2.0","id":"q","method":"ping"}`, []string{"MCP-Protocol-Version: 2025-11-25\xe9"}, ""},
	{`{"jsonrpc":"2.0","method":"notifications/cancelled"}`, []string{withVersion}, ""},
	{`{"jsonrpc":"2.0","method":"notifications/cancelled"}`, nil, ""},
	{`{"jsonrpc":"2.0","method":"nope","params":5}`, []string{withVersion}, ""},
	{`{"jsonrpc":"2.0","id":3,"result":{}}`, []string{withVersion}, ""},
	{`{"jsonrpc":"2.0","id":3,"result":{}}`, nil, ""},
	{`{"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"x"}}`, []string{withVersion}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping","result":1}`, []string{withVersion}, ""},
	{`{"jsonrpc":"1.0","id":3,"result":1}`, []string{withVersion}, ""},
	{`{"jsonrpc":"2.0","result":1}`, []string{withVersion}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"nope"}`, []string{withVersion}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"nope"}}`, []string{withVersion}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping","params":7}`, []string{withVersion}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping"}`, []string{withVersion, "Origin: http://{host}"}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping"}`, []string{withVersion, "Origin: HTTP://{host}/"}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping"}`, []string{withVersion, "Origin: http://{host}/x"}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping"}`, []string{withVersion, "Origin: http://{host}?q"}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping"}`, []string{withVersion, "Origin: http://{host}#f"}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping"}`, []string{withVersion, "Origin: http://u@{host}"},
		"an Origin with userinfo fails our local guard (`untrusted local request origin`); 1.2.1's guard passes it to MCP's check"},
	{`{"jsonrpc":"2.0","id":3,"method":"ping"}`, []string{withVersion, "Origin: http://{host}", "Origin: http://{host}"}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping"}`, []string{withVersion, "Origin: https://{host}"}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping"}`, []string{withVersion, "Origin: http://evil.test"}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping"}`, []string{withVersion, "Origin: null"}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping"}`, []string{"Origin: http://{host}/x"}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping"}`, []string{withVersion, "Host: evil.test"}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping"}`, []string{withVersion, "Host: localhost:1", "Origin: http://localhost:1"}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping"}`, []string{withVersion, "Accept: text/html"}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping"}`, []string{withVersion, "Content-Type: application/vnd.x+json"}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping"}`, []string{withVersion, "Content-Type: text/plain"}, ""},
	{`{"jsonrpc":"2.0","id":3,"method":"ping"}`, []string{withVersion, "Content-Type:"}, ""},
	{`nope`, []string{withVersion}, ""},
	{``, []string{withVersion}, ""},
}

// TestDifferentialHTTPRules sends httpRuleCases to 1.2.1's local listener
// and to ours: same statuses, plasmite-version headers, content types and
// bodies (framework plain-text rejections are envelopes here, same status).
func TestDifferentialHTTPRules(t *testing.T) {
	root := t.TempDir()
	refDir, ourDir := filepath.Join(root, "ref"), filepath.Join(root, "ours")
	refBase := serveBin(t, reftest.Bin(t), refDir)
	_, ourBase := ourServer(t, ourDir, server.Options{})
	hostOf := func(base string) string { return strings.TrimPrefix(base, "http://") }
	for _, c := range httpRuleCases {
		var refH, ourH []string
		for _, h := range c.headers {
			refH = append(refH, strings.ReplaceAll(h, "{host}", hostOf(refBase)))
			ourH = append(ourH, strings.ReplaceAll(h, "{host}", hostOf(ourBase)))
		}
		r, o := post(t, refBase, c.body, refH...), post(t, ourBase, c.body, ourH...)
		name := c.body + " " + strings.Join(c.headers, "; ")
		if r.status != o.status {
			t.Errorf("%s: status ref %d ours %d\n ref  %s\n ours %s", name, r.status, o.status, r.body, o.body)
			continue
		}
		if strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
			if !strings.HasPrefix(o.body, `{"error":{"kind":"Usage"`) || o.header.Get("Plasmite-Version") != "0" {
				t.Errorf("%s: %d: ours is no envelope: %s", name, o.status, o.body)
			}
			continue
		}
		for _, h := range []string{"Plasmite-Version", "Content-Type"} {
			if rv, ov := r.header.Get(h), o.header.Get(h); rv != ov {
				t.Errorf("%s: %s ref %q ours %q", name, h, rv, ov)
			}
		}
		if c.why != "" {
			continue
		}
		if masked(r.body, refDir) != masked(o.body, ourDir) {
			t.Errorf("%s: status %d\n ref  %s\n ours %s", name, r.status, r.body, o.body)
		}
	}
	// GET /mcp is 405 with nothing but plasmite-version (and Allow, ours).
	for _, base := range []string{refBase, ourBase} {
		if r := send(t, "GET", base+"/mcp", ""); r.status != 405 || r.body != "" || r.header.Get("Plasmite-Version") != "0" {
			t.Errorf("GET %s/mcp: %d %v %q", base, r.status, r.header, r.body)
		}
	}
}
