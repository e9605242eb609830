package ui_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/plasmite-go/plasmite/internal/reftest"
)

// TestAgainstReference runs our pages on release 1.2.1's local listener:
// its pool list and a live pool, its ring map with /v0/ui/activity, and the
// access page's sharing side (status, invite, keys, revoke), which our
// server does not have yet.
func TestAgainstReference(t *testing.T) {
	ref := serveWith(t, reftest.Bin(t))
	// 1.2.1 exits only once each /v0/ui/pools/stream it served has noticed
	// that its client left, which it does at the next keep-alive (15 s).
	t.Cleanup(func() { ref.proc.Kill() })
	ref.pls(t, "", "pool", "create", "shared")
	ref.feedLines(t, "shared", []string{`{"n":1}`, `{"n":2}`, hostile}, "ref")
	front := &served{dir: ref.dir, bin: ref.bin, base: inFrontOf(t, ref.base).URL}

	tb := open(t, front, "/ui", desktop)
	tb.waitFor("the reference's pool listed", `document.querySelector('#rows tr[data-pool="shared"]') !== null && document.getElementById("live").textContent === "Live"`)
	tb.check()
	tb.close()

	tb = open(t, front, "/ui/pools/shared", desktop)
	tb.waitFor("three messages", `document.querySelectorAll("#rows .row").length === 3`)
	noHTMLFrom(tb, "#rows .row")
	ref.feedLines(t, "shared", []string{`{"n":"live"}`})
	tb.waitFor("the live message", `document.getElementById("m4") !== null`)
	tb.typeInto("#feed-input", `{"from":"our feed box"}`+"\r")
	tb.waitFor("fed through 1.2.1", `(document.getElementById("m5")?.textContent || "").includes("our feed box")`)
	tb.check()
	tb.close()

	tb = open(t, front, "/ui/map?pool=shared", desktop)
	tb.waitFor("activity shown", `(document.querySelector('.ringcard[data-pool="shared"] .activity')?.textContent || "").includes("request")`)
	tb.check()
	tb.close()

	tb = open(t, front, "/access", desktop)
	tb.waitFor("the sharing state", `document.getElementById("sharing")?.textContent === "Not sharing yet"`)
	text := eval[string](tb, `document.getElementById("access").innerText`)
	for _, want := range []string{"Restart with --shared-address", "Server fingerprint", "No keys yet"} {
		if !strings.Contains(text, want) {
			t.Errorf("access page lacks %q:\n%s", want, text)
		}
	}
	tb.typeInto(".access form input", "laptop")
	tb.click(".access form button")
	tb.waitFor("the new key", `(document.querySelector(".secret code")?.textContent || "").startsWith("pk1.")`)
	tb.do(chromedp.Reload())
	tb.waitFor("the key listed", `[...document.querySelectorAll("tr[data-key] td")].some((td) => td.textContent === "laptop")`)
	tb.shot("access-sharing", desktop)
	tb.click("tr[data-key] button.danger")
	tb.click("tr[data-key] button.danger")
	tb.waitFor("the key revoked", `(document.querySelector("tr[data-key]")?.textContent || "").includes("Revoked")`)
	tb.check()
}
