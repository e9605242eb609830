package remote

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/reftest"
)

// Benchmarks of the client against a real server: the reference's by
// default, ours with PLASMITE_SERVE_BIN=path/to/plasmite. (scripts/bench-remote.sh
// runs them next to the reference CLI as a client of the same server.)

// benchServer serves a new directory holding pool "bench" (size bytes)
// filled with n ~100-byte messages, and returns a client of it.
func benchServer(b *testing.B, size int64, n int) *Client {
	b.Helper()
	dir := b.TempDir()
	p, err := core.Create(filepath.Join(dir, "bench.plasmite"), size)
	if err != nil {
		b.Fatal(err)
	}
	var batch core.Batch
	for i := 0; i < n; i++ {
		batch.AddJSON([]byte(`{"i":`+strconv.Itoa(i)+`,"svc":"api-3","level":"info","msg":"request served in 12 ms","ok":true}`), nil)
		if batch.Len() == 4096 || i == n-1 {
			if _, err := p.AppendBatch(&batch, core.Fast, nil); err != nil {
				b.Fatal(err)
			}
			batch.Reset()
		}
	}
	p.Close()
	bin := os.Getenv("PLASMITE_SERVE_BIN")
	if bin == "" {
		bin = reftest.Bin(b)
	}
	base, _ := reftest.Serve(b, bin, dir)
	c, err := New(base, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	return c
}

// One ~100-byte message appended per request, one after the other.
func BenchmarkRemoteAppendSequential(b *testing.B) {
	c := benchServer(b, 64<<20, 0)
	p, _ := c.Pool("bench")
	data := []byte(`{"i":1,"svc":"api-3","level":"info","msg":"request served in 12 ms","ok":true}`)
	var buf []byte
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		if _, buf, err = p.Append(ctx, data, nil, core.Fast, buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// A finite follow of 1M retained messages (BENCH_TAIL_N to change it;
// each op reads them all).
func BenchmarkRemoteTailJSONL1M(b *testing.B)  { benchTail(b, false) }
func BenchmarkRemoteTailLite3_1M(b *testing.B) { benchTail(b, true) }

func benchTail(b *testing.B, lite3 bool) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("BENCH_TAIL_N")); err == nil && v > 0 {
		n = v
	}
	c := benchServer(b, max(int64(n)*768, 1<<20), n)
	p, _ := c.Pool("bench")
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fl, err := p.Follow(ctx, FollowOptions{Start: Start{Kind: StartOldest}, Finite: true, Lite3: lite3})
		if err != nil {
			b.Fatal(err)
		}
		got := 0
		for {
			_, err := fl.Next(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			got++
		}
		if got != n {
			b.Fatalf("read %d messages, want %d", got, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
