package mcp

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// FuzzHandle: whatever a client sends, the server answers with one valid
// JSON-RPC 2.0 response or (for a notification) nothing, and never
// panics. Tools run for real on a scratch directory; waits are cut short.
func FuzzHandle(f *testing.F) {
	for _, c := range rpcCases() {
		f.Add([]byte(c.msg))
	}
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"plasmite_read","arguments":{"pool":"demo","since":"2024-01-15T00:00:00.5+05:30"}}}`))
	dir := f.TempDir()
	s := New(Options{Dir: dir, OpenOptions: quiet})
	f.Fuzz(func(t *testing.T, msg []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		resp := s.Handle(ctx, msg)
		if resp == nil {
			return
		}
		var r struct {
			JSONRPC string          `json:"jsonrpc"`
			ID      json.RawMessage `json:"id"`
			Result  json.RawMessage `json:"result"`
			Error   *struct{ Code int }
		}
		if err := json.Unmarshal(resp, &r); err != nil || r.JSONRPC != "2.0" || r.ID == nil || (r.Result == nil) == (r.Error == nil) {
			t.Fatalf("%q: answer %s (%v)", msg, resp, err)
		}
	})
}

// FuzzParseSince: a time filter never panics, and what it accepts as
// relative is at most now.
func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"5m", "2024-01-15T00:00:00Z", "2016-12-31T23:59:60Z", " 1d ", "9999-12-31T23:59:59.999999999-23:59"} {
		f.Add(s)
	}
	now := time.Now()
	f.Fuzz(func(t *testing.T, s string) {
		ns, ok := parseSince(s, now)
		if _, rel := relative(s); ok && rel && ns > uint64(now.UnixNano()) {
			t.Fatalf("%q: %d is after now", s, ns)
		}
	})
}
