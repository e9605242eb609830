package main

import (
	"encoding/json"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/plasmite-go/plasmite/internal/reftest"
)

// TLS handshakes per follow session: each client follows our server's
// HTTPS listener for 2 s (`follow URL --tail 10 --timeout 2s`, which polls
// with short streams) through a proxy that counts the TCP connections,
// hence the handshakes. Connections kept alive make it 1.
func BenchmarkHTTPSHandshakes(b *testing.B) {
	ref := reftest.Bin(b)
	s := startHTTPS(b, binPath)
	admin := newClient(b, "ours", binPath)
	admin.must("", "--dir", s.dir, "pool", "create", "demo")
	for i := 0; i < 10; i++ {
		admin.must("", "--dir", s.dir, "feed", "demo", `{"i":1}`)
	}
	for _, cl := range []struct{ name, bin string }{{"ours", binPath}, {"reference", ref}} {
		b.Run(cl.name, func(b *testing.B) {
			addr, conns := countingProxy(b, s.remote)
			var inv struct {
				AccessKey string `json:"access_key"`
			}
			json.Unmarshal([]byte(admin.must("", "--dir", s.dir, "access", "invite", cl.name, "--format", "json")), &inv)
			c := newClient(b, cl.name, cl.bin)
			c.must(inv.AccessKey+"\n", "access", "connect", "https://"+addr)
			conns.Store(0)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// --timeout ends the session with exit 124.
				if _, errs, code := c.run("", "follow", "https://"+addr+"/demo", "--tail", "10", "--timeout", "2s"); code != 124 {
					b.Fatalf("follow: exit %d: %s", code, errs)
				}
			}
			b.ReportMetric(float64(conns.Load())/float64(b.N), "handshakes/session")
		})
	}
}

// countingProxy forwards TCP connections to target and counts them.
func countingProxy(b *testing.B, target string) (string, *atomic.Int64) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	var wg sync.WaitGroup
	b.Cleanup(func() { ln.Close(); wg.Wait() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				u, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer u.Close()
				done := make(chan struct{}, 2)
				go func() { io.Copy(u, c); u.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
				go func() { io.Copy(c, u); c.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
				<-done
				<-done
			}()
		}
	}()
	return ln.Addr().String(), &n
}
