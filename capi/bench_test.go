//go:build cgo

package main

import (
	"path/filepath"
	"testing"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/wire"
)

// The Go-level figures that scripts/bench-c.sh puts next to the C ABI's:
// the same 100-byte message and tag, into a 64 MiB pool, in steady state.

var benchMsg = []byte(`{"id":1234567,"kind":"bench","ok":true,"payload":"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL"}`)
var benchTags = []string{"bench"}

func benchPool(b *testing.B) *core.Pool {
	b.Helper()
	if len(benchMsg) != 100 {
		b.Fatalf("benchmark message is %d bytes, want 100", len(benchMsg))
	}
	p, err := core.Create(filepath.Join(b.TempDir(), "bench.plasmite"), 64<<20)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Close() })
	return p
}

// BenchmarkGoAppendJSON is the plain Go call the ABI is measured against.
func BenchmarkGoAppendJSON(b *testing.B) {
	p := benchPool(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.AppendJSON(benchMsg, benchTags, core.Fast); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoAppendJSONEnvelope is the Go work behind one
// plsm_pool_append_json without the cgo transition: encode, append, render
// the returned envelope.
func BenchmarkGoAppendJSONEnvelope(b *testing.B) {
	p := benchPool(b)
	var enc, out []byte
	b.ReportAllocs()
	for b.Loop() {
		m, err := p.AppendJSONTo(enc, benchMsg, benchTags, core.Fast)
		if err != nil {
			b.Fatal(err)
		}
		enc = m.Payload[:0]
		if out, err = wire.AppendMessageABI(out[:0], m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoAppendJSONReceipt is the Go work behind one
// plsm_pool_append_json_receipt with out_message NULL: encode and append.
func BenchmarkGoAppendJSONReceipt(b *testing.B) {
	benchReceipt(b, false)
}

// BenchmarkGoAppendJSONCanonical is that work when the caller also asks
// whether the text is canonical (a non-NULL out_message).
func BenchmarkGoAppendJSONCanonical(b *testing.B) {
	benchReceipt(b, true)
}

func benchReceipt(b *testing.B, checkCanon bool) {
	p := benchPool(b)
	var enc []byte
	b.ReportAllocs()
	for b.Loop() {
		var m core.Message
		var err error
		canonical := true
		if checkCanon {
			m, canonical, err = p.AppendJSONCanonical(enc, benchMsg, benchTags, core.Fast)
		} else {
			m, err = p.AppendJSONTo(enc, benchMsg, benchTags, core.Fast)
		}
		if err != nil || !canonical {
			b.Fatal(err, canonical)
		}
		enc = m.Payload[:0]
	}
}

// BenchmarkGoAppendBatch appends batches of 1000 (b.N counts messages).
func BenchmarkGoAppendBatch(b *testing.B) {
	p := benchPool(b)
	var batch core.Batch
	var recs []core.Receipt
	b.ReportAllocs()
	for i := 0; i < b.N; i += 1000 {
		batch.Reset()
		for j := 0; j < 1000 && i+j < b.N; j++ {
			if err := batch.AddJSON(benchMsg, benchTags); err != nil {
				b.Fatal(err)
			}
		}
		var err error
		if recs, err = p.AppendBatch(&batch, core.Fast, recs[:0]); err != nil {
			b.Fatal(err)
		}
	}
}
