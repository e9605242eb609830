package ui_test

// Browser tests: a real headless Chromium, driven over the DevTools protocol
// with chromedp, against a real `pls serve` process, with pools changed by
// real `pls` commands. Each test opens a page, waits for DOM conditions (never
// for a fixed time), and fails on any console error, uncaught exception, CSP
// violation or failed request it did not expect. Screenshots go to
// build/screenshots (PLASMITE_SCREENSHOTS overrides), with metrics.txt: each
// page's weight and first contentful paint.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/plasmite-go/plasmite/internal/reftest"
	"github.com/plasmite-go/plasmite/server"
	"github.com/plasmite-go/plasmite/ui"
)

var (
	plsBin  string // the CLI under test
	tmpRoot string

	browserOnce sync.Once
	browserCtx  context.Context // a chromedp context owning the browser
	browserErr  error
	stopBrowser = func() {}

	metricsMu sync.Mutex
	metrics   = map[string]string{}
)

func TestMain(m *testing.M) {
	var err error
	tmpRoot, err = os.MkdirTemp("", "plasmite-ui-test")
	if err != nil {
		panic(err)
	}
	code := m.Run()
	stopBrowser()
	writeMetrics()
	os.RemoveAll(tmpRoot)
	os.Exit(code)
}

// cli is the pls binary: PLASMITE_BIN (make test sets it), else one built
// here once.
func cli(t *testing.T) string {
	t.Helper()
	if plsBin != "" {
		return plsBin
	}
	if b := os.Getenv("PLASMITE_BIN"); b != "" {
		plsBin = b
		return b
	}
	out := filepath.Join(tmpRoot, "bin", "pls")
	cmd := exec.Command("go", "build", "-o", out, "../cli")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the CLI: %v\n%s", err, b)
	}
	plsBin = out
	return out
}

// chromium finds the browser: PLASMITE_CHROMIUM, else Debian's chromium on PATH.
func chromium() string {
	if p := os.Getenv("PLASMITE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts Chromium once for the package. Without one the test
// skips, loudly (make test installs Debian's chromium first; with
// PLASMITE_REQUIRE_BROWSER=1 a missing browser fails).
func browser(t *testing.T) context.Context {
	t.Helper()
	path := chromium()
	if path == "" {
		msg := "\n*** BROWSER TESTS SKIPPED: no Chromium found. `make test` installs Debian's chromium package " +
			"(apt-get install -y chromium); set PLASMITE_CHROMIUM to use another. ***\n"
		if os.Getenv("PLASMITE_REQUIRE_BROWSER") == "1" {
			t.Fatal(msg)
		}
		fmt.Fprint(os.Stderr, msg)
		t.Skip(msg)
	}
	browserOnce.Do(func() {
		profile, err := os.MkdirTemp(tmpRoot, "profile")
		if err != nil {
			browserErr = err
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(path),
			chromedp.UserDataDir(profile),
			chromedp.NoDefaultBrowserCheck,
		}
		// Without the background-networking flags Chromium dials out at start
		// and a closed network refuses it; the rest keep it quiet and small.
		for _, f := range []string{"headless", "no-sandbox", "disable-gpu", "disable-quic", "no-first-run",
			"disable-background-networking", "disable-component-update", "disable-sync", "disable-dev-shm-usage",
			"hide-scrollbars", "mute-audio", "disable-extensions", "disable-default-apps"} {
			opts = append(opts, chromedp.Flag(f, true))
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(alloc)
		if err := chromedp.Do(ctx); err != nil {
			cancel()
			cancelAlloc()
			browserErr = err
			return
		}
		browserCtx = ctx
		stopBrowser = func() { cancel(); cancelAlloc() }
	})
	if browserErr != nil {
		t.Fatalf("starting %s: %v", path, browserErr)
	}
	return browserCtx
}

// ---- the server and the CLI -------------------------------------------------

// served is one running `pls serve` over its own directory.
type served struct {
	dir  string
	base string // http://127.0.0.1:PORT
	bin  string // the CLI that serves (pls commands run it too)
	proc *os.Process
}

// serve starts our `pls --dir DIR serve` on loopback ports.
func serve(t *testing.T) *served {
	t.Helper()
	return serveWith(t, cli(t))
}

// serveWith runs `bin --dir DIR serve` on loopback ports the way 1.2.1
// harnesses do (reftest.Serve: the ready file, then local.json), with HOME
// and the access store the test's own.
func serveWith(t *testing.T, bin string) *served {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pools")
	base, cmd := reftest.Serve(t, bin, dir)
	return &served{dir: dir, base: base, bin: bin, proc: cmd.Process}
}

// pls runs the CLI on the server's directory and returns its stdout.
func (s *served) pls(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(s.bin, append([]string{"--dir", s.dir}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pls %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// feedLines appends one message per line of data to pool.
func (s *served) feedLines(t *testing.T, pool string, lines []string, tags ...string) {
	t.Helper()
	args := []string{"feed", pool}
	for _, tg := range tags {
		args = append(args, "--tag", tg)
	}
	s.pls(t, strings.Join(lines, "\n")+"\n", args...)
}

// fetched is one message as `pls fetch` prints it.
type fetched struct {
	Seq  uint64
	Meta struct{ Tags []string }
	Data map[string]any
}

func (s *served) fetch(t *testing.T, pool string, seq int) fetched {
	t.Helper()
	var m fetched
	out := s.pls(t, "", "--format", "json", "fetch", pool, strconv.Itoa(seq))
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("fetch %s %d: %q: %v", pool, seq, out, err)
	}
	return m
}

// front serves our pages and assets and proxies every /v0 request to
// another server; cut makes the data routes fail until it is called again
// with false, as a network that drops would.
type front struct {
	URL string
	cut func(bool)
}

// inFrontOf serves our pages and assets, and proxies every /v0 request to
// the server at base (as if it came from that server's own pages): our UI
// running on another server's data routes.
func inFrontOf(t *testing.T, base string) front {
	t.Helper()
	srv, err := server.New(t.TempDir(), server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ui.Register(srv)
	pages := srv.Handler()
	target, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	// Its own transport, so that its idle connections can be closed: 1.2.1
	// waits for every open connection before it exits.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(transport.CloseIdleConnections)
	proxy := &httputil.ReverseProxy{
		Transport: transport,
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = target.Host
			if pr.In.Header.Get("Origin") != "" {
				pr.Out.Header.Set("Origin", base)
			}
		},
		FlushInterval: -1,
	}
	var down atomic.Bool
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v0/") {
			if down.Load() {
				http.Error(w, "cut", http.StatusBadGateway)
				return
			}
			proxy.ServeHTTP(w, r)
			return
		}
		pages.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	return front{URL: hs.URL, cut: func(on bool) {
		down.Store(on)
		if on {
			hs.CloseClientConnections()
		}
	}}
}

// info is the oldest seq the pool holds, as `pls pool info` says.
func (s *served) info(t *testing.T, pool string) uint64 {
	t.Helper()
	var in struct{ Bounds struct{ Oldest uint64 } }
	out := s.pls(t, "", "pool", "info", pool, "--json")
	if err := json.Unmarshal([]byte(out), &in); err != nil {
		t.Fatalf("pool info %s: %q: %v", pool, out, err)
	}
	return in.Bounds.Oldest
}

// ---- pages --------------------------------------------------------------------

// tab is one browser tab on one of our pages. It records what the page
// says on the console; check fails the test on anything not allowed.
type tab struct {
	t     *testing.T
	ctx   context.Context
	close context.CancelFunc // closes the tab (and its streams: a browser keeps 6 connections per server)
	srv   *served
	mu    sync.Mutex
	bad   []string
	allow []string // substrings of console text that are expected (e.g. a 404 the test causes)
}

type viewport struct {
	name          string
	width, height int64
	scale         float64
	mobile        bool
}

var (
	desktop = viewport{"desktop", 1440, 900, 1, false}
	phone   = viewport{"phone", 390, 844, 2, true}
)

// open loads path in a new tab at vp.
func open(t *testing.T, srv *served, path string, vp viewport, allow ...string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser(t))
	t.Cleanup(cancel)
	tb := &tab{t: t, ctx: ctx, close: cancel, srv: srv, allow: allow}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			tb.note(m)
		}
	}()
	tb.resize(vp)
	tb.do(chromedp.Navigate(srv.base + path))
	return tb
}

func (tb *tab) note(m chromedp.ConsoleMessage) {
	if m.Type != chromedp.ConsoleError && m.Type != chromedp.ConsoleWarning && !m.IsException() {
		return
	}
	line := string(m.Type) + ": " + m.Text + " " + m.URL
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, a := range tb.allow {
		if strings.Contains(line, a) {
			return
		}
	}
	tb.bad = append(tb.bad, line)
}

// check fails on any console error, warning or exception seen so far.
func (tb *tab) check() {
	tb.t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if len(tb.bad) > 0 {
		tb.t.Errorf("console problems:\n  %s", strings.Join(tb.bad, "\n  "))
		tb.bad = nil
	}
}

func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.t.Fatalf("%v", err)
	}
}

func (tb *tab) resize(vp viewport) {
	tb.t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(vp.scale)}
	if vp.mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulatePortrait)
	}
	tb.do(chromedp.EmulateViewport(vp.width, vp.height, opts...))
}

// dark switches prefers-color-scheme to dark (or back to the default).
func (tb *tab) dark(on bool) {
	tb.t.Helper()
	var features []*emulation.MediaFeature
	if on {
		features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}
	}
	tb.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: features})
		return err
	}))
}

// eval runs a JavaScript expression and decodes its value into T.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

// waitFor waits until the JavaScript condition holds, re-checking it on every
// DOM change (and every 50 ms, for changes that are not in the DOM). The
// wait runs in the page but is compiled by DevTools, so the page's CSP (no
// eval) does not stop it.
func (tb *tab) waitFor(what, cond string) {
	tb.t.Helper()
	expr := `new Promise((resolve) => {
	  const test = () => { try { return Boolean(` + cond + `); } catch (_) { return false; } };
	  if (test()) return resolve(true);
	  let obs, iv, to;
	  const done = (v) => { obs.disconnect(); clearInterval(iv); clearTimeout(to); resolve(v); };
	  obs = new MutationObserver(() => { if (test()) done(true); });
	  obs.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
	  iv = setInterval(() => { if (test()) done(true); }, 50);
	  to = setTimeout(() => done(false), 15000);
	})`
	if !eval[bool](tb, expr) {
		body := eval[string](tb, `document.body ? document.body.innerText.slice(0, 1500) : ""`)
		tb.t.Fatalf("timed out waiting for %s (%s); the page shows:\n%s", what, cond, body)
	}
}

func (tb *tab) click(sel string) {
	tb.t.Helper()
	tb.do(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

func (tb *tab) typeInto(sel, text string) {
	tb.t.Helper()
	tb.do(chromedp.Focus(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), text))
}

// shot saves a screenshot as NAME-VIEWPORT.png.
func (tb *tab) shot(name string, vp viewport) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatal(err)
	}
	dir := screenshotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	path := filepath.Join(dir, name+"-"+vp.name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot %s", path)
}

// shots saves the page at the desktop width, light and dark (NAME-desktop,
// NAME-dark-desktop), then at the phone width (PHONE-phone); the tab stays
// at the phone width.
func (tb *tab) shots(name, phoneName string) {
	tb.t.Helper()
	tb.shot(name, desktop)
	tb.dark(true)
	tb.shot(name+"-dark", desktop)
	tb.dark(false)
	tb.resize(phone)
	tb.shot(phoneName, phone)
}

func screenshotDir() string {
	if d := os.Getenv("PLASMITE_SCREENSHOTS"); d != "" {
		return d
	}
	return filepath.Join("..", "build", "screenshots")
}

// weight is a page's bodies (HTML, scripts, style sheets) as sent
// (gzipped) and as read, and its first contentful paint.
type weight struct {
	HTML, JS, CSS, Sent int
	FCP                 float64
}

// weigh reads the page's weight and first contentful paint from the
// Performance API.
func (tb *tab) weigh() weight {
	tb.t.Helper()
	tb.waitFor("first contentful paint", `performance.getEntriesByName("first-contentful-paint").length > 0`)
	return eval[weight](tb, `(() => {
	  const nav = performance.getEntriesByType("navigation")[0];
	  const res = performance.getEntriesByType("resource");
	  const code = res.filter((r) => /\.(js|css)$/.test(r.name));
	  const sum = (list, f) => list.reduce((n, r) => n + r[f], 0);
	  return { HTML: nav.decodedBodySize, JS: sum(code.filter((r) => r.name.endsWith(".js")), "decodedBodySize"),
	           CSS: sum(code.filter((r) => r.name.endsWith(".css")), "decodedBodySize"),
	           Sent: nav.encodedBodySize + sum(code, "encodedBodySize"),
	           FCP: performance.getEntriesByName("first-contentful-paint")[0].startTime };
	})()`)
}

func record(t *testing.T, page string, w weight, fcp, ready float64, runs int) {
	line := fmt.Sprintf("%-7s %6d B = HTML %5d + JS %5d + CSS %5d (%5d B gzipped)   first contentful paint %4.0f ms   data shown %4.0f ms   (median of %d)",
		page, w.HTML+w.JS+w.CSS, w.HTML, w.JS, w.CSS, w.Sent, fcp, ready, runs)
	t.Log(line)
	metricsMu.Lock()
	metrics[page] = line
	metricsMu.Unlock()
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func writeMetrics() {
	if len(metrics) == 0 {
		return
	}
	var lines []string
	for _, l := range metrics {
		lines = append(lines, l)
	}
	sort.Strings(lines)
	os.MkdirAll(screenshotDir(), 0o755)
	os.WriteFile(filepath.Join(screenshotDir(), "metrics.txt"), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}
