package core

import (
	"bytes"
	"testing"
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
