// Package ui is the web UI of `pls serve`: four pages (the pool list, a
// pool's live log, the ring map, the access page) and the scripts, style
// sheet and icon they load, all embedded in the binary and registered into
// a server.Server with Register.
//
// The pages are plain HTML, CSS and JavaScript written for this project:
// no framework, no build step, nothing fetched from another origin. They
// talk only to the server's /v0 routes, render every piece of pool data as
// text (never as HTML), and keep sequence numbers exact as BigInt.
//
// Every page and asset is answered with `plasmite-version: 0`,
// `Cache-Control: no-store` and `X-Content-Type-Options: nosniff`, gzipped
// (compressed once, at Register) for a client that accepts it; pages
// add `Referrer-Policy: no-referrer` and the Content-Security-Policy CSP,
// which allows scripts and styles only from the server's own files (no
// inline code at all) and turns on Trusted Types with no policy, so that
// no string can ever be parsed as HTML by the pages' scripts.
package ui

import (
	"bytes"
	"compress/gzip"
	"embed"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/plasmite-go/plasmite/server"
)

// CSP is the Content-Security-Policy of every page. It is stricter than
// release 1.2.1's (which allows 'unsafe-inline' scripts and styles and an
// embedded font): scripts, styles and images come only from this server's
// files, fetches go only to this origin, and Trusted Types with no policy
// make HTML-parsing sinks such as innerHTML throw.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; " +
	"require-trusted-types-for 'script'; trusted-types 'none'"

//go:embed assets
var assets embed.FS

// page is one HTML page and the route patterns that serve it.
type page struct {
	file     string
	patterns []string
}

var pages = []page{
	{"index.html", []string{"/", "/ui"}},
	{"pool.html", []string{"/ui/pools/{pool}"}},
	{"map.html", []string{"/ui/map"}},
	{"access.html", []string{"/access"}},
}

// Register adds the UI's routes to srv: GET (and HEAD) `/`, `/ui`,
// `/ui/pools/{pool}`, `/ui/map`, `/access`, and one `/ui/assets/NAME` for
// each script, style sheet and icon (anything else under /ui/assets is the
// server's 404). Call it before serving.
//
// /access is the local administration page; while the server has only its
// local listener, every listener serves it.
func Register(srv *server.Server) {
	for _, p := range pages {
		page := file{"text/html; charset=utf-8", mustRead(p.file), nil}
		page.gz = compress(page.body)
		h := func(w http.ResponseWriter, r *http.Request) { writePage(w, r, page) }
		for _, pat := range p.patterns {
			srv.Handle(http.MethodGet, pat, h)
		}
	}
	for name, a := range assetFiles() {
		srv.Handle(http.MethodGet, "/ui/assets/"+name, func(w http.ResponseWriter, r *http.Request) { writeFile(w, r, a) })
	}
}

// file is one page or asset: its type, its body and, when that is
// smaller, its gzipped body.
type file struct {
	contentType string
	body, gz    []byte
}

var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".svg": "image/svg+xml",
}

// assetFiles maps each servable asset name to its body; HTML pages are
// served only at their routes.
func assetFiles() map[string]file {
	ents, err := assets.ReadDir("assets")
	if err != nil {
		panic(err)
	}
	files := make(map[string]file, len(ents))
	for _, e := range ents {
		ct, ok := contentTypes[path.Ext(e.Name())]
		if !ok {
			continue
		}
		b := mustRead(e.Name())
		files[e.Name()] = file{ct, b, compress(b)}
	}
	return files
}

func mustRead(name string) []byte {
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic(err)
	}
	return b
}

// compress gzips b, or returns nil when that saves nothing.
func compress(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	if buf.Len() >= len(b) {
		return nil
	}
	return buf.Bytes()
}

// acceptsGzip reports whether r's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if q, err := strconv.ParseFloat(v, 64); err == nil && q == 0 {
				return false
			}
		}
		return true
	}
	return false
}

// writeFile sends f with the headers every UI response carries.
func writeFile(w http.ResponseWriter, r *http.Request, f file) {
	h := w.Header()
	h.Set("Plasmite-Version", "0")
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	body := f.body
	if f.gz != nil {
		h.Set("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			body = f.gz
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// writePage sends a page: a file with the page's security headers.
func writePage(w http.ResponseWriter, r *http.Request, f file) {
	h := w.Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", CSP)
	writeFile(w, r, f)
}
