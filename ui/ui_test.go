package ui_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/server"
	"github.com/plasmite-go/plasmite/ui"
)

// handler is a server over an empty directory with the UI registered.
func handler(t *testing.T) http.Handler {
	t.Helper()
	srv, err := server.New(t.TempDir(), server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ui.Register(srv)
	return srv.Handler()
}

func get(t *testing.T, h http.Handler, method, path string, headers ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, "http://127.0.0.1:9700"+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

// TestPagesHeaders checks every page route: the page, its type and the
// security headers of a page.
func TestPagesHeaders(t *testing.T) {
	h := handler(t)
	pages := map[string]string{
		"/":               "<title>Pools",
		"/ui":             "<title>Pools",
		"/ui/pools/demo":  "<title>Pool",
		"/ui/pools/a%20b": "<title>Pool",
		"/ui/map":         "<title>Ring map",
		"/access":         "<title>Access",
	}
	for path, title := range pages {
		for _, method := range []string{"GET", "HEAD"} {
			resp := get(t, h, method, path)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, body)
			}
			want := map[string]string{
				"Content-Type":            "text/html; charset=utf-8",
				"Plasmite-Version":        "0",
				"Cache-Control":           "no-store",
				"Referrer-Policy":         "no-referrer",
				"X-Content-Type-Options":  "nosniff",
				"Content-Security-Policy": ui.CSP,
			}
			for k, v := range want {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s %s: %s = %q, want %q", method, path, k, got, v)
				}
			}
			if method == "GET" && !strings.Contains(string(body), title) {
				t.Errorf("%s: not the page with %q", path, title)
			}
		}
	}
}

// TestCSPHasNoInlineCode: the policy allows no inline script or style and
// no eval, and the pages hold no inline script, style or handler the
// policy would block (so nothing in them silently fails).
func TestCSPHasNoInlineCode(t *testing.T) {
	for _, banned := range []string{"unsafe-inline", "unsafe-eval", "*", "http:", "https:", "data:"} {
		if strings.Contains(ui.CSP, banned) {
			t.Errorf("CSP allows %q: %s", banned, ui.CSP)
		}
	}
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "require-trusted-types-for 'script'"} {
		if !strings.Contains(ui.CSP, want) {
			t.Errorf("CSP lacks %q", want)
		}
	}
	inline := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>[^<]|<style|\son[a-z]+\s*=|\sstyle\s*=|javascript:`)
	files, _ := filepath.Glob("assets/*.html")
	if len(files) != 4 {
		t.Fatalf("pages: %v", files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if m := inline.Find(b); m != nil {
			t.Errorf("%s has inline code the CSP blocks: %q", f, m)
		}
	}
}

// TestScriptsNeverParseHTML: the scripts have no HTML-parsing sink, so
// pool data can only ever become text (Trusted Types would make such a
// sink throw in the browser; this catches it before).
func TestScriptsNeverParseHTML(t *testing.T) {
	sink := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|\beval\(|new Function|setHTML`)
	files, _ := filepath.Glob("assets/*.js")
	if len(files) < 5 {
		t.Fatalf("scripts: %v", files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if sink.MatchString(line) && !strings.HasPrefix(strings.TrimSpace(line), "//") {
				t.Errorf("%s:%d uses an HTML sink: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// TestAssets: each asset with its type, no-store and nosniff; common.js is
// no-store as in 1.2.1; an unknown asset is the server's 404 envelope.
func TestAssets(t *testing.T) {
	h := handler(t)
	types := map[string]string{
		"common.js": "text/javascript; charset=utf-8",
		"index.js":  "text/javascript; charset=utf-8",
		"pool.js":   "text/javascript; charset=utf-8",
		"map.js":    "text/javascript; charset=utf-8",
		"access.js": "text/javascript; charset=utf-8",
		"ui.css":    "text/css; charset=utf-8",
		"icon.svg":  "image/svg+xml",
	}
	for name, ct := range types {
		resp := get(t, h, "GET", "/ui/assets/"+name)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || len(body) == 0 {
			t.Fatalf("%s: %d", name, resp.StatusCode)
		}
		for k, v := range map[string]string{"Content-Type": ct, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Plasmite-Version": "0"} {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", name, k, got, v)
			}
		}
	}
	for _, path := range []string{"/ui/assets/index.html", "/ui/assets/nope.js", "/ui/assets/inconsolata.woff2", "/ui/pools", "/ui/pools/a/b"} {
		resp := get(t, h, "GET", path)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 404 || !strings.Contains(string(body), `"kind":"NotFound"`) {
			t.Errorf("%s: %d %s, want the 404 envelope", path, resp.StatusCode, body)
		}
	}
	if resp := get(t, h, "POST", "/ui"); resp.StatusCode != 405 {
		t.Errorf("POST /ui: %d, want 405", resp.StatusCode)
	}
}

// TestGzip: a client that accepts gzip gets the same bytes compressed; one
// that refuses it (or says nothing) gets them plain; both learn it varies.
func TestGzip(t *testing.T) {
	h := handler(t)
	for _, path := range []string{"/ui", "/ui/pools/x", "/ui/assets/common.js", "/ui/assets/ui.css"} {
		plain := get(t, h, "GET", path)
		want, _ := io.ReadAll(plain.Body)
		if plain.Header.Get("Content-Encoding") != "" || plain.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s without Accept-Encoding: %v", path, plain.Header)
		}
		for ae, gz := range map[string]bool{"gzip": true, "br, gzip;q=0.5": true, "gzip;q=0": false, "identity": false, "deflate, GZIP": true} {
			resp := get(t, h, "GET", path, "Accept-Encoding", ae)
			if (resp.Header.Get("Content-Encoding") == "gzip") != gz {
				t.Errorf("%s with %q: Content-Encoding %q", path, ae, resp.Header.Get("Content-Encoding"))
				continue
			}
			body := resp.Body
			if gz {
				zr, err := gzip.NewReader(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				body = zr
			}
			got, _ := io.ReadAll(body)
			if !bytes.Equal(got, want) {
				t.Errorf("%s with %q: body differs", path, ae)
			}
		}
	}
}
