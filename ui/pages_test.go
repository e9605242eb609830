package ui_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// clear empties an input as a person would (an input event follows).
func clear(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { const e = document.querySelector(` + jsString(sel) + `); e.value = ""; e.dispatchEvent(new Event("input", { bubbles: true })); })()`)
}

// setHash moves to #h in the same page (a hashchange, no reload).
func setHash(h string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`location.hash = ` + jsString(h))
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// hostile is pool data that would run or build elements if it were ever
// treated as HTML.
const hostile = `{"html":"<img src=x onerror=window.__pwned=1><b>bold</b>","s":"<script>window.__pwned=2</script>"}`

// noHTMLFrom asserts that nothing the pool data held became an element
// inside the places that show it (scope: a CSS selector) or ran.
func noHTMLFrom(tb *tab, scope string) {
	tb.t.Helper()
	n := eval[int](tb, `[...document.querySelectorAll(`+jsString(scope)+`)].reduce((n, e) => n + e.querySelectorAll("img, script, b, i, iframe").length, 0)`)
	if n != 0 {
		tb.t.Errorf("pool data became %d elements in %s", n, scope)
	}
	if eval[bool](tb, `typeof window.__pwned !== "undefined"`) {
		tb.t.Error("pool data ran as script")
	}
}

func rowCount(tb *tab) int { return eval[int](tb, `document.querySelectorAll("#rows .row").length`) }

// TestPoolList: the pools are listed with their facts, sorting works, a
// pool created by the CLI appears without a reload, a hostile pool name is
// text.
func TestPoolList(t *testing.T) {
	srv := serve(t)
	srv.pls(t, "", "pool", "create", "alpha", "beta")
	srv.pls(t, "", "pool", "create", "--size", "64K", "tiny")
	srv.feedLines(t, "alpha", []string{`{"n":1}`, `{"n":2}`, `{"n":3}`})
	lines := make([]string, 400)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"i":%d,"pad":"%s"}`, i+1, strings.Repeat("x", 200))
	}
	srv.feedLines(t, "tiny", lines, "bulk")

	tb := open(t, srv, "/ui", desktop)
	tb.waitFor("three pools listed", `document.querySelectorAll("#rows tr").length === 3`)
	names := eval[[]string](tb, `[...document.querySelectorAll("#rows tr")].map((r) => r.dataset.pool)`)
	if strings.Join(names, ",") != "alpha,beta,tiny" {
		t.Fatalf("order by name: %v", names)
	}
	row := eval[string](tb, `document.querySelector('#rows tr[data-pool="alpha"]').innerText`)
	for _, want := range []string{"alpha", "3", "1 – 3", "1 MiB", "%"} {
		if !strings.Contains(row, want) {
			t.Errorf("alpha's row %q lacks %q", row, want)
		}
	}
	tb.waitFor("live", `document.getElementById("live").textContent === "Live"`)

	// Sorting: messages, most first; again, fewest first.
	tb.click(`th[data-key="messages"] button`)
	tb.waitFor("sorted by messages", `document.querySelector("#rows tr").dataset.pool === "tiny"`)
	if s := eval[string](tb, `document.querySelector('th[data-key="messages"]').getAttribute("aria-sort")`); s != "descending" {
		t.Errorf("aria-sort %q", s)
	}
	tb.click(`th[data-key="messages"] button`)
	tb.waitFor("sorted by messages, ascending", `document.querySelector("#rows tr").dataset.pool === "beta"`)

	// Live: pools created and deleted elsewhere.
	evil := `<img src=x onerror=window.__pwned=3>`
	srv.pls(t, "", "pool", "create", "gamma", evil)
	tb.waitFor("new pools listed live", `document.querySelectorAll("#rows tr").length === 5`)
	if !strings.Contains(eval[string](tb, `document.getElementById("rows").innerText`), evil) {
		t.Error("the hostile pool name is not shown as text")
	}
	noHTMLFrom(tb, "#rows td.name")
	srv.pls(t, "", "pool", "delete", evil)
	tb.waitFor("deleted pool gone", `document.querySelectorAll("#rows tr").length === 4`)

	tb.click(`th[data-key="name"] button`)
	tb.waitFor("sorted by name", `document.querySelector("#rows tr").dataset.pool === "alpha"`)
	tb.shots("list", "list")
	tb.check()

	// g, a few letters, Enter: the jump to a pool.
	tb.resize(desktop)
	tb.do(chromedp.KeyEvent("g"))
	tb.waitFor("the jump dialog", `document.querySelector("dialog.jump[open] li[aria-selected]") !== null`)
	// (DevTools sends the key's character on its own, which a person's
	// browser does not after keydown's preventDefault: clear it.)
	tb.do(clear("dialog.jump input"), chromedp.KeyEvent("tin"))
	tb.waitFor("one match", `document.querySelectorAll("dialog.jump li[role=option]").length === 1`)
	tb.do(chromedp.KeyEvent(kb.Enter))
	tb.waitFor("the pool's page", `location.pathname === "/ui/pools/tiny" && document.getElementById("name")?.textContent === "tiny"`)
	tb.check()
}

// TestPoolPageLive: the last messages, a message fed by the CLI appearing
// without a reload, the feed box (JSON with tags, and plain text), hostile
// data shown as text, and the selected message's commands.
func TestPoolPageLive(t *testing.T) {
	srv := serve(t)
	srv.pls(t, "", "pool", "create", "events")
	srv.feedLines(t, "events", []string{
		`{"msg":"service started","version":"1.4.2"}`,
		`{"msg":"listening","port":8080}`,
		`{"msg":"request","path":"/api/items","status":200,"ms":12.5}`,
		`{"msg":"request","path":"/api/items/7","status":404,"ms":3.1}`,
	}, "http")
	srv.feedLines(t, "events", []string{`{"msg":"disk almost full","free_bytes":1048576}`}, "warn")

	tb := open(t, srv, "/ui/pools/events", desktop)
	tb.waitFor("the five messages", `document.querySelectorAll("#rows .row").length === 5`)
	tb.waitFor("live", `document.getElementById("live").textContent === "Live"`)

	// From the CLI, shown without a reload.
	srv.feedLines(t, "events", []string{`{"msg":"from the CLI","n":6}`}, "cli")
	tb.waitFor("the CLI's message", `(document.getElementById("m6")?.textContent || "").includes("from the CLI")`)

	// The feed box: JSON with tags, sent with Enter.
	tb.typeInto("#feed-tags", "ui, test")
	tb.typeInto("#feed-input", `{"msg":"from the feed box","big":9007199254740993}`+kb.Enter)
	tb.waitFor("the fed message", `(document.getElementById("m7")?.textContent || "").includes("from the feed box")`)
	m := srv.fetch(t, "events", 7)
	if m.Data["msg"] != "from the feed box" || strings.Join(m.Meta.Tags, ",") != "ui,test" {
		t.Errorf("fed message: %+v", m)
	}
	if got := eval[string](tb, `document.querySelector("#m7 .data").textContent`); !strings.Contains(got, "9007199254740993") {
		t.Errorf("a big number lost digits on the way: %s", got)
	}
	// Plain text becomes {"text": …}.
	tb.do(clear("#feed-tags"))
	tb.typeInto("#feed-input", "just some words"+kb.Enter)
	tb.waitFor("the text message", `document.getElementById("m8") !== null`)
	if m := srv.fetch(t, "events", 8); m.Data["text"] != "just some words" || len(m.Data) != 1 {
		t.Errorf("plain text fed as %+v", m.Data)
	}

	// Hostile data and tags are text.
	srv.feedLines(t, "events", []string{hostile}, "<i>tag</i>")
	tb.waitFor("the hostile message", `document.getElementById("m9") !== null`)
	shown := eval[string](tb, `document.getElementById("m9").textContent`)
	for _, want := range []string{"<script>window.__pwned=2</script>", "<img src=x onerror=window.__pwned=1>", "<i>tag</i>"} {
		if !strings.Contains(shown, want) {
			t.Errorf("row 9 %q does not show %q as text", shown, want)
		}
	}
	noHTMLFrom(tb, "#rows .row")

	// Selecting a message: its detail, its link and its commands.
	tb.click(`#m3 .data`)
	tb.waitFor("detail of #3", `!document.getElementById("detail").hidden && document.getElementById("d-seq").textContent === "Message #3"`)
	if h := eval[string](tb, `location.hash`); h != "#3" {
		t.Errorf("hash %q", h)
	}
	cmd := eval[string](tb, `document.getElementById("d-cmd").textContent`)
	if !strings.HasPrefix(cmd, "pls --dir ") || !strings.HasSuffix(cmd, " fetch events 3") {
		t.Errorf("fetch command %q", cmd)
	}
	tb.click("#d-copy-feed")
	cmd = eval[string](tb, `document.getElementById("d-cmd").textContent`)
	if !strings.HasSuffix(cmd, ` feed events --tag http '{"ms":12.5,"msg":"request","path":"/api/items","status":200}'`) {
		t.Errorf("feed command %q", cmd)
	}
	// The filter.
	tb.typeInto("#filter", "404")
	tb.waitFor("filtered", `document.querySelectorAll("#rows .row:not([hidden])").length === 1`)
	if s := eval[string](tb, `document.getElementById("shown").textContent`); s != "1 of 9 shown" {
		t.Errorf("count %q", s)
	}
	tb.do(clear("#filter"))
	tb.waitFor("unfiltered", `document.querySelectorAll("#rows .row:not([hidden])").length === 9`)
	tb.shots("pool", "pool-detail")
	tb.click("#d-close")
	tb.waitFor("detail closed", `document.getElementById("detail").hidden`)
	tb.shot("pool", phone)
	tb.check()
}

// TestPoolPageHistory: ?n= limits the first view, "load earlier" pages back
// to the oldest message, #seq opens a message inside or outside the view,
// and a seq the pool does not hold says so.
func TestPoolPageHistory(t *testing.T) {
	srv := serve(t)
	srv.pls(t, "", "pool", "create", "hist")
	lines := make([]string, 30)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"i":%d}`, i+1)
	}
	srv.feedLines(t, "hist", lines)

	tb := open(t, srv, "/ui/pools/hist?n=10", desktop, "/v0/pools/hist/messages/999")
	tb.waitFor("the last ten", `document.querySelectorAll("#rows .row").length === 10`)
	if first := eval[string](tb, `document.querySelector("#rows .row").dataset.seq`); first != "21" {
		t.Fatalf("first shown %s, want 21", first)
	}
	tb.waitFor("load earlier offered", `document.getElementById("earlier").textContent === "Load 10 earlier"`)
	tb.click("#earlier")
	tb.waitFor("twenty shown", `document.querySelectorAll("#rows .row").length === 20`)
	tb.click("#earlier")
	tb.waitFor("all thirty", `document.querySelectorAll("#rows .row").length === 30`)
	if first := eval[string](tb, `document.querySelector("#rows .row").dataset.seq`); first != "1" {
		t.Errorf("first shown %s, want 1", first)
	}
	tb.waitFor("nothing earlier", `document.getElementById("earlier").hidden`)
	seqs := eval[[]string](tb, `[...document.querySelectorAll("#rows .row")].map((r) => r.dataset.seq)`)
	for i, s := range seqs {
		if s != fmt.Sprint(i+1) {
			t.Fatalf("order after loading earlier: %v", seqs)
		}
	}

	// A deep link to a message outside the view: fetched on its own.
	tb.do(chromedp.Navigate(srv.base + "/ui/pools/hist?n=5#3"))
	tb.waitFor("message 3 fetched", `document.getElementById("d-seq").textContent === "Message #3" && !document.getElementById("d-note").hidden`)
	if got := eval[string](tb, `document.getElementById("d-json").textContent`); !strings.Contains(got, `"i": 3`) {
		t.Errorf("detail of #3: %s", got)
	}
	if n := rowCount(tb); n != 5 {
		t.Errorf("%d rows with ?n=5", n)
	}
	tb.shot("pool-link", desktop)
	// Inside the view: the row is selected.
	tb.do(setHash("28"))
	tb.waitFor("row 28 selected", `document.getElementById("m28")?.classList.contains("selected") && document.getElementById("d-seq").textContent === "Message #28" && document.getElementById("d-note").hidden`)
	// A seq the pool does not hold.
	tb.do(setHash("999"))
	tb.waitFor("not-held notice", `(document.getElementById("notice")?.textContent || "").includes("#999 is not in this pool")`)
	tb.check()
}

// TestPoolPageGap: messages overwritten while the page was cut off from the
// server are reported as a gap once it reconnects, and the log goes on from
// the oldest message the pool still holds.
func TestPoolPageGap(t *testing.T) {
	srv := serve(t)
	srv.pls(t, "", "pool", "create", "--size", "64K", "small")
	srv.feedLines(t, "small", []string{`{"i":1}`, `{"i":2}`})
	fr := inFrontOf(t, srv.base)
	tb := open(t, &served{dir: srv.dir, bin: srv.bin, base: fr.URL}, "/ui/pools/small", desktop, "502", "Failed to fetch", "ERR_")
	tb.waitFor("two messages, live", `document.querySelectorAll("#rows .row").length === 2 && document.getElementById("live").textContent === "Live"`)
	fr.cut(true)
	tb.waitFor("the drop noticed", `document.getElementById("live").textContent === "Reconnecting"`)
	lines := make([]string, 300)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"i":%d,"pad":"%s"}`, i+3, strings.Repeat("z", 300))
	}
	srv.feedLines(t, "small", lines)
	oldest := srv.info(t, "small")
	fr.cut(false)
	tb.waitFor("the newest message", `document.getElementById("m302") !== null && document.getElementById("live").textContent === "Live"`)
	gap := eval[string](tb, `document.querySelector("#rows .gap")?.textContent || ""`)
	want := fmt.Sprintf("messages (#3 – #%d) were overwritten before they could be shown", oldest-1)
	if !strings.Contains(gap, want) {
		t.Errorf("gap notice %q, want %q", gap, want)
	}
	if first := eval[string](tb, `document.querySelector("#rows .gap").nextElementSibling.dataset.seq`); first != fmt.Sprint(oldest) {
		t.Errorf("after the gap the log goes on at #%s, want #%d", first, oldest)
	}
	tb.do(chromedp.Evaluate[chromedp.Void](`document.querySelector("#rows .gap").scrollIntoView({ block: "center" })`))
	tb.shot("pool-gap", desktop)
	tb.check()
}

// TestPoolDeleted: a pool deleted by another process shows as deleted, and
// a pool created again under the name is followed from its start.
func TestPoolDeleted(t *testing.T) {
	srv := serve(t)
	srv.pls(t, "", "pool", "create", "doomed")
	srv.feedLines(t, "doomed", []string{`{"last":"words"}`, `{"really":"last"}`})
	tb := open(t, srv, "/ui/pools/doomed", desktop, "/v0/ui/pools/doomed/info")
	tb.waitFor("two messages, live", `document.querySelectorAll("#rows .row").length === 2 && document.getElementById("live").textContent === "Live"`)
	srv.pls(t, "", "pool", "delete", "doomed")
	tb.waitFor("deleted state", `document.getElementById("live").textContent === "Deleted" && !document.getElementById("state").hidden`)
	if s := eval[string](tb, `document.getElementById("state").textContent`); !strings.Contains(s, "This pool was deleted") {
		t.Errorf("state %q", s)
	}
	if !eval[bool](tb, `document.getElementById("feed-send").disabled`) {
		t.Error("the feed box stays enabled on a deleted pool")
	}
	if n := rowCount(tb); n != 2 {
		t.Errorf("%d rows kept", n)
	}
	tb.shot("pool-deleted", desktop)

	srv.pls(t, "", "pool", "create", "doomed")
	srv.feedLines(t, "doomed", []string{`{"born":"again"}`})
	tb.waitFor("recreated pool followed", `document.getElementById("live").textContent === "Live" && document.querySelectorAll("#rows .row").length === 1 && document.getElementById("m1").textContent.includes("again")`)
	tb.check()

	// A page opened on a pool that does not exist says so.
	tb.close()
	tb2 := open(t, srv, "/ui/pools/never", desktop, "/v0/ui/pools/never/info")
	tb2.waitFor("not found state", `document.getElementById("live").textContent === "Not found" && document.getElementById("state").textContent.includes("There is no pool named")`)
	tb2.check()
}

// TestRingMap: every pool's ring is drawn, a wrapped ring too, and the
// selected pool's preview follows it live.
func TestRingMap(t *testing.T) {
	srv := serve(t)
	srv.pls(t, "", "pool", "create", "alpha")
	srv.pls(t, "", "pool", "create", "--size", "64K", "wrapped")
	srv.pls(t, "", "pool", "create", "empty")
	srv.feedLines(t, "alpha", []string{`{"n":1}`, `{"n":2}`, hostile})
	lines := make([]string, 300)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"i":%d,"pad":"%s"}`, i+1, strings.Repeat("y", 300))
	}
	srv.feedLines(t, "wrapped", lines)

	tb := open(t, srv, "/ui/map?pool=alpha", desktop, "/v0/ui/activity")
	tb.waitFor("three rings", `document.querySelectorAll(".ringcard svg .ring-track").length === 3`)
	for _, name := range []string{"alpha", "wrapped"} {
		if n := eval[int](tb, `document.querySelectorAll('.ringcard[data-pool="`+name+`"] .ring-span').length`); n == 0 {
			t.Errorf("%s's ring has no used span", name)
		}
	}
	if n := eval[int](tb, `document.querySelectorAll('.ringcard[data-pool="empty"] .ring-span, .ringcard[data-pool="empty"] .ring-tail').length`); n != 0 {
		t.Errorf("the empty ring draws %d used pieces", n)
	}
	tb.waitFor("preview of alpha", `document.querySelectorAll("#p-msgs .msg").length === 3`)
	noHTMLFrom(tb, "#p-msgs .msg")
	srv.feedLines(t, "alpha", []string{`{"n":"live"}`})
	tb.waitFor("the preview follows", `document.querySelector("#p-msgs .msg").textContent.startsWith("#4")`)
	tb.click(`.ringcard[data-pool="wrapped"]`)
	tb.waitFor("preview of wrapped", `document.getElementById("p-name").textContent === "wrapped" && document.querySelectorAll("#p-msgs .msg").length > 0`)
	if !strings.Contains(eval[string](tb, `location.search`), "pool=wrapped") {
		t.Error("the selection is not in the address")
	}
	tb.shots("map", "map")
	tb.check()
}

// TestAccessPage: until the HTTPS sharing exists, the page says what is
// missing.
func TestAccessPage(t *testing.T) {
	srv := serve(t)
	srv.pls(t, "", "pool", "create", "demo")
	tb := open(t, srv, "/access", desktop, "/v0/access/status")
	tb.waitFor("sharing state", `document.getElementById("sharing")?.textContent === "Not available in this build"`)
	text := eval[string](tb, `document.getElementById("access").innerText`)
	for _, want := range []string{"HTTPS listener", "Access keys", "pls --dir ", "follow demo", srv.base} {
		if !strings.Contains(text, want) {
			t.Errorf("access page lacks %q", want)
		}
	}
	tb.shots("access", "access")
	tb.check()
}

// TestFirstPaint measures each page in a fresh tab (PLASMITE_PAINT_RUNS
// times, default 1): its weight (HTML, scripts, style sheets), its first
// contentful paint and when its data is on screen; the medians go to
// metrics.txt beside the screenshots. It is a measurement, not a timed
// assertion: it fails only if a page does not show its data.
func TestFirstPaint(t *testing.T) {
	runs := 1
	if n, err := strconv.Atoi(os.Getenv("PLASMITE_PAINT_RUNS")); err == nil && n > 0 {
		runs = n
	}
	srv := serve(t)
	srv.pls(t, "", "pool", "create", "demo", "other")
	lines := make([]string, 400)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"i":%d,"msg":"message number %d","ok":true}`, i+1, i+1)
	}
	srv.feedLines(t, "demo", lines, "bench")
	pages := []struct{ name, path, ready string }{
		{"list", "/ui", `document.querySelectorAll("#rows tr").length === 2`},
		{"pool", "/ui/pools/demo", `document.querySelectorAll("#rows .row").length === 400`},
		{"map", "/ui/map?pool=demo", `document.querySelectorAll(".ringcard .ring-track").length === 2 && document.querySelectorAll("#p-msgs .msg").length === 200`},
		{"access", "/access", `document.getElementById("sharing") !== null`},
	}
	for _, p := range pages {
		var fcp, ready []float64
		var w weight
		for range runs {
			tb := open(t, srv, p.path, desktop, "/v0/access/status", "/v0/ui/activity")
			tb.waitFor(p.name+" ready", p.ready)
			at := eval[float64](tb, `performance.now()`)
			w = tb.weigh()
			fcp = append(fcp, w.FCP)
			ready = append(ready, at)
			tb.check()
			tb.close()
		}
		record(t, p.name, w, median(fcp), median(ready), runs)
	}
}

// TestExactJSON checks the pages' JSON reading in the browser itself: the
// protocol's u64 fields become exact BigInts wherever the server puts them,
// user data keeps JSON's own semantics, and a message's data is shown from
// its source text, digits and all.
func TestExactJSON(t *testing.T) {
	srv := serve(t)
	tb := open(t, srv, "/ui", desktop)
	tb.waitFor("the page's script", `typeof P === "object"`)
	checks := map[string]string{
		"top-level seq":           `P.parse('{"data":{"seq":18446744073709551615},"seq":18446744073709551615}').seq === 18446744073709551615n`,
		"data keeps numbers":      `P.parse('{"data":{"seq":18446744073709551615},"seq":1}').data.seq === 18446744073709551615`,
		"message.seq":             `P.parse('{"message":{"seq":9007199254740993,"data":{}}}').message.seq === 9007199254740993n`,
		"pool bounds":             `(() => { const b = P.parse('{"pool":{"bounds":{"oldest":9007199254740993,"newest":18446744073709551614}}}').pool.bounds; return b.oldest === 9007199254740993n && b.newest === 18446744073709551614n; })()`,
		"pools[i] bounds, ring":   `(() => { const p = P.parse('{"pools":[{"bounds":{},"ring":null},{"bounds":{"newest":9007199254740995},"ring":{"first":9007199254740993,"frames":[[0,512]]}}]}').pools; return p[1].bounds.newest === 9007199254740995n && p[1].ring.first === 9007199254740993n && p[1].ring.frames[0][1] === 512 && p[0].ring === null; })()`,
		"error.seq":               `P.parse('{"error":{"kind":"RetentionGap","seq":9007199254740993}}').error.seq === 9007199254740993n`,
		"counts stay numbers":     `P.parse('{"metrics":{"message_count":5}}').metrics.message_count === 5`,
		"data text kept":          `P.message('{"data":{"n":12345678901234567890,"f":1.50,"s":"\\u00e9"},"meta":{"tags":["a"]},"seq":18446744073709551615,"time":"t"}').raw === '{"n":12345678901234567890,"f":1.50,"s":"\\u00e9"}'`,
		"envelope text exact":     `P.envelopeText(P.message('{"data":{"n":12345678901234567890},"meta":{"tags":[]},"seq":18446744073709551615,"time":"t"}'), false) === '{"seq":18446744073709551615,"time":"t","meta":{"tags":[]},"data":{"n":12345678901234567890}}'`,
		"strings with escapes":    `P.tokens('["a\\"b", "\\\\", 1]').length === 7`,
		"invalid JSON is refused": `(() => { try { P.parse('{"seq":1,}'); return false; } catch (e) { return e instanceof SyntaxError; } })()`,
	}
	for name, expr := range checks {
		if !eval[bool](tb, expr) {
			t.Errorf("%s: %s is false", name, expr)
		}
	}
	tb.check()
}
