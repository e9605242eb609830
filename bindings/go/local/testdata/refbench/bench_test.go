// Benchmarks of the binding API written against the reference binding's
// import path. scripts/bench-go-binding.sh runs them under the reference
// binding (cgo over its libplasmite) and under this one (import path
// changed), side by side.
package refbench

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sandover/plasmite/bindings/go/api"
	plasmite "github.com/sandover/plasmite/bindings/go/local"
)

var (
	value = map[string]any{"sensor": "temp-01", "value": 23.5, "unit": "C", "ok": true, "count": 1234,
		"site": map[string]any{"room": "lab", "floor": 2}}
	tags = []string{"metrics"}
)

// steadyPool returns a 1 MiB pool whose ring was written around once.
func steadyPool(b *testing.B) (api.Pool, []byte) {
	dir := filepath.Join(b.TempDir(), "pools")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	c, err := plasmite.NewClient(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	p, err := c.CreatePool(plasmite.PoolRefName("bench"), 1<<20)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(p.Close)
	data, err := json.Marshal(value)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 2*(1<<20)/len(data); i++ {
		if _, err := p.AppendJSON(data, tags, plasmite.DurabilityFast); err != nil {
			b.Fatal(err)
		}
	}
	return p, data
}

func BenchmarkAppendMap100(b *testing.B) {
	p, _ := steadyPool(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.Append(value, tags, plasmite.WithDurability(plasmite.DurabilityFast)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendJSON100(b *testing.B) {
	p, data := steadyPool(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.AppendJSON(data, tags, plasmite.DurabilityFast); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	p, _ := steadyPool(b)
	m, err := p.Append(value, tags)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.Get(m.Seq); err != nil {
			b.Fatal(err)
		}
	}
}

// Stream.NextJSON over retained messages, in streams of 1000.
func BenchmarkStreamNextJSON(b *testing.B) {
	p, _ := steadyPool(b)
	var s api.Stream
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if s == nil {
			max := uint64(1000)
			var err error
			if s, err = p.OpenStream(nil, &max, nil); err != nil {
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
	if s != nil {
		s.Close()
	}
}
