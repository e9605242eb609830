package local_test

import (
	"encoding/json"
	"io"
	"path/filepath"
	"testing"

	"github.com/plasmite-go/plasmite/bindings/go/api"
	plasmite "github.com/plasmite-go/plasmite/bindings/go/local"
	"github.com/plasmite-go/plasmite/core"
)

// The benchmark message: about 100 bytes of JSON data and one tag.
var (
	benchValue = map[string]any{"sensor": "temp-01", "value": 23.5, "unit": "C", "ok": true, "count": 1234,
		"site": map[string]any{"room": "lab", "floor": 2}}
	benchTags = []string{"metrics"}
)

func benchJSON(b *testing.B) []byte {
	data, err := json.Marshal(benchValue)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// benchBindingPool returns a 1 MiB pool whose ring was written around once,
// so that appends run in the steady state (each drops the oldest message).
func benchBindingPool(b *testing.B) api.Pool {
	c, _ := newClient(b)
	p := newPool(b, c, "bench")
	data := benchJSON(b)
	for i := 0; i < 2*(1<<20)/len(data); i++ {
		if _, err := p.AppendJSON(data, benchTags, plasmite.DurabilityFast); err != nil {
			b.Fatal(err)
		}
	}
	return p
}

func benchCorePool(b *testing.B) *core.Pool {
	p, err := core.Create(filepath.Join(b.TempDir(), "bench.plasmite"), 1<<20)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Close() })
	data := benchJSON(b)
	for i := 0; i < 2*(1<<20)/len(data); i++ {
		if _, err := p.AppendJSON(data, benchTags, core.Fast); err != nil {
			b.Fatal(err)
		}
	}
	return p
}

// Pool.Append of the map: encoding/json, the append, and the returned
// *Message.
func BenchmarkBindingAppendMap100(b *testing.B) {
	p := benchBindingPool(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Append(benchValue, benchTags); err != nil {
			b.Fatal(err)
		}
	}
}

// Pool.AppendJSON of the same data bytes, returning the envelope.
func BenchmarkBindingAppendJSON100(b *testing.B) {
	p := benchBindingPool(b)
	data := benchJSON(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := p.AppendJSON(data, benchTags, plasmite.DurabilityFast); err != nil {
			b.Fatal(err)
		}
	}
}

// The engine alone: core's AppendJSON of the same bytes (no envelope).
func BenchmarkCoreAppendJSON100(b *testing.B) {
	p := benchCorePool(b)
	data := benchJSON(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := p.AppendJSON(data, benchTags, core.Fast); err != nil {
			b.Fatal(err)
		}
	}
}

// What a core user writes for a map: json.Marshal, then AppendJSON.
func BenchmarkCoreAppendMap100(b *testing.B) {
	p := benchCorePool(b)
	b.ReportAllocs()
	for b.Loop() {
		data, err := json.Marshal(benchValue)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.AppendJSON(data, benchTags, core.Fast); err != nil {
			b.Fatal(err)
		}
	}
}

// Pool.Get of a retained message, as a *Message.
func BenchmarkBindingGet(b *testing.B) {
	p := benchBindingPool(b)
	m, err := p.Append(benchValue, benchTags)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Get(m.Seq); err != nil {
			b.Fatal(err)
		}
	}
}

// Stream.NextJSON over retained messages (the envelope of each), in
// streams of 1000 reopened from the start.
func BenchmarkBindingStreamNextJSON(b *testing.B) {
	p := benchBindingPool(b)
	var s api.Stream
	defer func() { s.Close() }()
	b.ReportAllocs()
	for b.Loop() {
		if s == nil {
			var err error
			if s, err = p.OpenStream(nil, u64(1000), nil); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.NextJSON(); err == io.EOF {
			s.Close()
			s = nil
		} else if err != nil {
			b.Fatal(err)
		}
	}
}
