package mcp

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/reftest"
)

// Benchmarks side by side with 1.2.1: each server is a process of its own
// (`serve` of either CLI), driven by the same client.

// benchServers starts both servers on fresh directories and returns them
// as name → (base URL, dir).
func benchServers(b *testing.B) map[string][2]string {
	root := b.TempDir()
	out := map[string][2]string{}
	for name, bin := range map[string]string{"ref": reftest.Bin(b), "ours": ourBin(b)} {
		dir := filepath.Join(root, name)
		out[name] = [2]string{serveBin(b, bin, dir), dir}
	}
	return out
}

// BenchmarkMCPRead: plasmite_read of the latest 20 of 10,000 messages
// over HTTP (one request per op).
func BenchmarkMCPRead(b *testing.B) {
	servers := benchServers(b)
	for _, name := range []string{"ref", "ours"} {
		srv := servers[name]
		p, err := core.Create(filepath.Join(srv[1], "r.plasmite"), 16<<20)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < 10000; i++ {
			p.AppendJSON([]byte(fmt.Sprintf(`{"i":%d,"pad":"0123456789abcdef"}`, i)), []string{"t"}, core.Fast)
		}
		p.Close()
		b.Run(name, func(b *testing.B) {
			body := toolCall(1, toolRead, `{"pool":"r"}`)
			for i := 0; i < b.N; i++ {
				if r := post(b, srv[0], body, withVersion); r.status != 200 || !strings.Contains(r.body, `"last_returned_seq":10000`) {
					b.Fatalf("%d %.200s", r.status, r.body)
				}
			}
		})
	}
}

// BenchmarkMCPWaitWake: a plasmite_wait woken by an append from this
// process (core, which posts both wake-ups), from the request to the
// answer.
func BenchmarkMCPWaitWake(b *testing.B) {
	servers := benchServers(b)
	for _, name := range []string{"ref", "ours"} {
		srv := servers[name]
		p, err := core.Create(filepath.Join(srv[1], "w.plasmite"), 16<<20)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				after := p.Bounds().Newest
				done := make(chan reply, 1)
				go func() {
					done <- post(b, srv[0], toolCall(1, toolWait, fmt.Sprintf(`{"pool":"w","after_seq":%d,"timeout_ms":10000}`, after)), withVersion)
				}()
				p.AppendJSON([]byte(`{"wake":1}`), nil, core.Fast)
				if r := <-done; !strings.Contains(r.body, `"timed_out":false`) {
					b.Fatalf("%.200s", r.body)
				}
			}
		})
		p.Close()
	}
}

// BenchmarkMCPStdioPing: one request and its answer through `mcp` on
// stdio.
func BenchmarkMCPStdioPing(b *testing.B) {
	for name, bin := range map[string]string{"ref": reftest.Bin(b), "ours": ourBin(b)} {
		p := startStdio(b, bin, b.TempDir())
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				p.send(`{"jsonrpc":"2.0","id":1,"method":"ping"}`)
				p.recv()
			}
		})
	}
}
