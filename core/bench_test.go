package core

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core/lite3"
)

// benchPool returns a pool whose ring has been written once around, so that
// the benchmark measures the steady state (no first-touch page faults; every
// append drops the oldest message).
func benchPool(b *testing.B, size int64) *Pool {
	b.Helper()
	p := tempPool(b, size)
	payload := make([]byte, 1000)
	for i := int64(0); i < size/1000+10; i++ {
		rawAppend(b, p, payload)
	}
	return p
}

// Single-writer append of a pre-encoded 100-byte payload (no document
// validation: the engine's own cost).
func BenchmarkAppendRaw100(b *testing.B) {
	p := benchPool(b, DefaultPoolSize)
	payload := bytes.Repeat([]byte{'x'}, 100)
	b.ReportAllocs()
	b.SetBytes(100)
	for b.Loop() {
		if _, err := p.appendPayload(payload, Fast); err != nil {
			b.Fatal(err)
		}
	}
}

// AppendLite3 of the smallest message document (408 bytes), validated.
func BenchmarkAppendLite3(b *testing.B) {
	p := benchPool(b, DefaultPoolSize)
	payload := vectors(b)["one-int"].Payload
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if _, err := p.AppendLite3(payload, Fast); err != nil {
			b.Fatal(err)
		}
	}
}

// AppendLite3 of a pre-encoded message whose data is ~100 bytes of JSON
// (the lite3 package's benchmark message), validated.
func BenchmarkAppendLite3Msg100(b *testing.B) {
	p := benchPool(b, DefaultPoolSize)
	data := []byte(`{"sensor":"temp-01","value":23.5,"unit":"C","ok":true,"count":1234,"site":{"room":"lab","floor":2}}`)
	payload, err := lite3.EncodeMessage(nil, data, []string{"metrics", "lab"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if _, err := p.AppendLite3(payload, Fast); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	p := benchPool(b, DefaultPoolSize)
	data := []byte(`{"sensor":"t1","value":21.5,"ok":true,"n":42}`)
	tags := []string{"metrics"}
	if _, err := p.AppendJSON(data, tags, Fast); err != nil {
		b.Skip("JSON encoder not available:", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.AppendJSON(data, tags, Fast); err != nil {
			b.Fatal(err)
		}
	}
}

// Batch append, 64 messages of 100 bytes per batch; reported per message.
func BenchmarkAppendBatch(b *testing.B) {
	p := benchPool(b, DefaultPoolSize)
	payload := bytes.Repeat([]byte{'x'}, 100)
	var bt Batch
	for i := 0; i < 64; i++ {
		bt.buf = append(bt.buf, payload...)
		bt.ends = append(bt.ends, len(bt.buf))
	}
	rs := make([]Receipt, 0, 64)
	b.ReportAllocs()
	b.SetBytes(100)
	n := 0
	for b.Loop() {
		if n%64 == 0 {
			var err error
			if rs, err = p.AppendBatch(&bt, Fast, rs[:0]); err != nil {
				b.Fatal(err)
			}
		}
		n++
	}
}

func BenchmarkGet(b *testing.B) {
	p := benchPool(b, 64<<20)
	payload := bytes.Repeat([]byte{'x'}, 100)
	const n = 50000 // below the index capacity (65536): every get probes the index
	for i := 0; i < n; i++ {
		rawAppend(b, p, payload)
	}
	newest := p.Bounds().Newest
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	i := uint64(0)
	for b.Loop() {
		m, err := p.GetInto(newest-i%n, buf)
		if err != nil {
			b.Fatal(err)
		}
		buf = m.Payload
		i += 7919
	}
}

// Tail throughput over a backlog (reading only).
func BenchmarkTailRead(b *testing.B) {
	p := benchPool(b, 256<<20)
	payload := bytes.Repeat([]byte{'x'}, 100)
	var bt Batch
	for i := 0; i < 1000; i++ {
		bt.buf = append(bt.buf, payload...)
		bt.ends = append(bt.ends, len(bt.buf))
	}
	for i := 0; i < 1000; i++ {
		if _, err := p.AppendBatch(&bt, Fast, nil); err != nil {
			b.Fatal(err)
		}
	}
	tl, _ := p.Tail(TailOptions{})
	defer tl.Close()
	b.ReportAllocs()
	b.SetBytes(100)
	for b.Loop() {
		_, ok, err := tl.TryNext()
		if !ok || err != nil {
			tl.Close()
			tl, _ = p.Tail(TailOptions{})
		}
	}
}

// Cross-process wake latency: a writer process appends a message carrying
// its send time every ~2 ms; this process follows and measures how long
// each message took to arrive (p50/p99 reported as metrics).
func BenchmarkWakeLatency(b *testing.B) {
	path := filepath.Join(b.TempDir(), "wake.plasmite")
	p, err := Create(path, 1<<20)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	n := b.N
	tl, _ := p.Tail(TailOptions{Start: StartLive})
	defer tl.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PLASMITE_CORE_ROLE=pinger", "PLASMITE_CORE_POOL="+path, "PLASMITE_CORE_ARG="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	b.ResetTimer()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	lat := make([]int64, 0, n)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := 0; i < n; i++ {
		m, err := tl.Next(ctx)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Now().UnixNano()-int64(binary.LittleEndian.Uint64(m.Payload)))
	}
	b.StopTimer()
	cmd.Wait()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2])/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100])/1e3, "p99-µs")
}

func rolePinger(path, arg string) int {
	n, _ := strconv.Atoi(arg)
	p, err := Open(path, OpenOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer p.Close()
	var buf [8]byte
	for i := 0; i < n; i++ {
		time.Sleep(2 * time.Millisecond)
		binary.LittleEndian.PutUint64(buf[:], uint64(time.Now().UnixNano()))
		if _, err := p.appendPayload(buf[:], Fast); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}
