package local_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/bindings/go/api"
	plasmite "github.com/plasmite-go/plasmite/bindings/go/local"
)

func newClient(t testing.TB) (*plasmite.Client, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pools")
	c, err := plasmite.NewClient(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, dir
}

func newPool(t testing.TB, c *plasmite.Client, name string) api.Pool {
	t.Helper()
	p, err := c.CreatePool(plasmite.PoolRefName(name), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func u64(v uint64) *uint64 { return &v }

func mustAppend(t testing.TB, p api.Pool, value any, tags ...string) *api.Message {
	t.Helper()
	m, err := p.Append(value, tags)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fillPast appends 64 KiB messages until message seq is overwritten.
func fillPast(t testing.TB, p api.Pool, seq uint64) {
	t.Helper()
	pad := strings.Repeat("x", 64<<10)
	for i := 0; i < 1000; i++ {
		mustAppend(t, p, map[string]any{"pad": pad, "i": i})
		if _, err := p.Get(seq); kindOf(err) == plasmite.ErrorNotFound {
			return
		} else if err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("message %d is still retained", seq)
}

func kindOf(err error) plasmite.ErrorKind {
	var e *plasmite.Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func wantKind(t testing.TB, err error, kind plasmite.ErrorKind) *plasmite.Error {
	t.Helper()
	var e *plasmite.Error
	if !errors.As(err, &e) || e.Kind != kind {
		t.Fatalf("error %v (%T), want kind %d", err, err, kind)
	}
	return e
}

func decode(t testing.TB, data []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return v
}

func osTempDir() (string, error) { return os.MkdirTemp("", "plasmite-example-") }

func removeAll(dir string) { _ = os.RemoveAll(dir) }
