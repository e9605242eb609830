package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
)

// snapshot lists every file under root with a digest of its content,
// skipping the pool directory itself.
func snapshot(t testing.TB, root, skip string) map[string][32]byte {
	out := map[string][32]byte{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if p == skip {
			return filepath.SkipDir
		}
		var sum [32]byte
		if !d.IsDir() {
			b, _ := os.ReadFile(p)
			sum = sha256.Sum256(b)
		}
		out[p] = sum
		return nil
	})
	return out
}

// FuzzRequest sends arbitrary methods, paths, queries, bodies and content
// types to the handler. It must never panic (a Lite3 stream's deliberate
// abort aside), always answer with plasmite-version, and never create,
// change or remove anything outside the pool directory — next to which sit
// a real pool and a directory of pools that names like "../secret" aim at.
// Inside it, nothing but pool files (and the server's own) may appear.
func FuzzRequest(f *testing.F) {
	root := f.TempDir()
	dir := filepath.Join(root, "pools")
	for _, p := range []string{filepath.Join(root, "secret.plasmite"), filepath.Join(root, "other", "x.plasmite"), filepath.Join(dir, "p.plasmite")} {
		pool, err := core.Create(p, 128<<10)
		if err != nil {
			f.Fatal(err)
		}
		pool.AppendJSON([]byte(`{"k":1}`), []string{"t"}, core.Fast)
		pool.Close()
	}
	s, err := New(dir, Options{MaxBodyBytes: 4096, MaxTailTimeout: 5 * time.Millisecond, MaxTailConcurrency: 4})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	h := s.Handler()
	before := snapshot(f, root, dir)

	for _, seed := range []struct{ method, path, query, ctype, body string }{
		{"GET", "/v0/pools/p/info", "", "", ""},
		{"GET", "/v0/pools/../secret/info", "", "", ""},
		{"GET", "/v0/pools/%2e%2e%2fsecret/info", "", "", ""},
		{"POST", "/v0/pools/..%2Fsecret/append", "", "application/json", `{"data":{"x":1}}`},
		{"POST", "/v0/pools/%2E%2E/append", "", "application/json", `{"data":{"x":1}}`},
		{"POST", "/v0/pools", "", "application/json", `{"pool":"../secret"}`},
		{"POST", "/v0/pools", "", "application/json", `{"pool":"/tmp/abs"}`},
		{"POST", "/v0/pools", "", "application/json", `{"pool":"..\\secret"}`},
		{"POST", "/v0/pools", "", "application/json", `{"pool":"new","size_bytes":70000}`},
		{"POST", "/v0/pools", "", "application/json", `{"pool":"a\u0000b"}`},
		{"POST", "/v0/pools/open", "", "application/json", `{"pool":".."}`},
		{"DELETE", "/v0/pools/..%2fsecret", "", "", ""},
		{"DELETE", "/v0/pools/%2e%2e", "", "", ""},
		{"DELETE", "/v0/pools/new", "", "", ""},
		{"POST", "/v0/pools/p/append", "durability=flush", "application/json", `{"data":{"a":[1,{"b":null}]},"tags":["x"]}`},
		{"POST", "/v0/pools/p/append_lite3", "", "application/x-plasmite-lite3", "\x06\x06garbage"},
		{"GET", "/v0/pools/p/messages/1", "", "", ""},
		{"GET", "/v0/pools/p/messages/1/lite3", "", "", ""},
		{"GET", "/v0/pools/p/tail", "since_seq=1&max=2&tag=t&timeout_ms=2", "", ""},
		{"GET", "/v0/pools/p/tail_lite3", "since_seq=1&timeout_ms=1", "", ""},
		{"GET", "/v0/pools/nope/tail_lite3", "timeout_ms=1", "", ""},
		{"GET", "/v0/ui/pools/p/events", "gap_policy=error&since_seq=0", "", ""},
		{"GET", "/v0/ui/pools", "", "", ""},
		{"GET", "/v0/ui/pools/stream", "", "", ""},
		{"GET", "/v0/pools", "", "", ""},
		{"OPTIONS", "/v0/pools", "", "", ""},
		{"GET", "//v0//pools", "a=%", "", ""},
	} {
		f.Add(seed.method, seed.path, seed.query, seed.ctype, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, method, path, query, ctype string, body []byte) {
		req, err := http.NewRequest(method, "http://127.0.0.1"+path, bytes.NewReader(body))
		if err != nil || !strings.HasPrefix(req.URL.Path, "/") {
			return
		}
		req.URL.RawQuery = query
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		ctx, cancel := context.WithTimeout(req.Context(), 20*time.Millisecond)
		defer cancel()
		req = req.WithContext(ctx)
		rec := httptest.NewRecorder()
		func() {
			defer func() {
				if r := recover(); r != nil && r != http.ErrAbortHandler {
					t.Fatalf("%s %s?%s: panic %v", method, path, query, r)
				}
			}()
			h.ServeHTTP(rec, req)
		}()
		if rec.Header().Get("Plasmite-Version") != "0" {
			t.Fatalf("%s %s?%s: %d without plasmite-version", method, path, query, rec.Code)
		}
		if after := snapshot(t, root, dir); len(after) != len(before) {
			t.Fatalf("%s %s?%s %q: files outside the pool directory changed", method, path, query, body)
		} else {
			for p, sum := range before {
				if after[p] != sum {
					t.Fatalf("%s %s?%s %q: %s changed", method, path, query, body, p)
				}
			}
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if e.IsDir() && e.Name() != ".plasmite-serve" || !e.IsDir() && !strings.HasSuffix(e.Name(), ".plasmite") {
				t.Fatalf("%s %s?%s %q: %s appeared in the pool directory", method, path, query, body, e.Name())
			}
		}
	})
}
