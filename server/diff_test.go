package server

import (
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/internal/reftest"
	"github.com/plasmite-go/plasmite/wire"
)

// A differential case: the same raw request to both servers, in the same
// order, so that both directories go through the same history.
type diffCase struct {
	method, path, body string
	headers            []string
	// why, when set, names a deliberate difference (docs/server.md): the
	// statuses must still agree, and ours must answer an envelope with
	// plasmite-version where 1.2.1 answers framework plain text.
	why string
	// ourStatus, when set with why, is our (different) status.
	ourStatus int
	// sortPools compares {"pools":[…]} regardless of entry order (1.2.1
	// lists /v0/pools in directory order).
	sortPools bool
}

const lite3CT = "Content-Type: application/x-plasmite-lite3"

func diffCases() []diffCase {
	const plain = "1.2.1 answers framework plain text without plasmite-version; we answer an envelope"
	return []diffCase{
		{method: "GET", path: "/healthz"},
		{method: "GET", path: "/v0/browser/session"},
		{method: "POST", path: "/v0/pools", body: `{"pool":"demo"}`},
		{method: "POST", path: "/v0/pools", body: `{"pool":"demo"}`},
		{method: "POST", path: "/v0/pools", body: `{"pool":"other","size_bytes":2097152,"extra":1}`},
		{method: "POST", path: "/v0/pools", body: `{"pool":"small","size_bytes":10}`},
		{method: "POST", path: "/v0/pools", body: `{"pool":"zero","size_bytes":0}`},
		{method: "POST", path: "/v0/pools", body: `{"pool":"a/b"}`},
		{method: "POST", path: "/v0/pools", body: `{"pool":""}`},
		{method: "POST", path: "/v0/pools", body: `{"pool":"a\u0000b"}`},
		{method: "POST", path: "/v0/pools", body: `{"pool":"x.plasmite"}`},
		{method: "POST", path: "/v0/pools", body: `{"pool":"tiny","size_bytes":131072}`},
		{method: "POST", path: "/v0/pools", body: `{"pool":5}`, why: plain},
		{method: "POST", path: "/v0/pools", body: `{"size_bytes":5}`, why: plain},
		{method: "POST", path: "/v0/pools", body: `{"pool":"q","size_bytes":-1}`, why: plain},
		{method: "POST", path: "/v0/pools", body: `nope`, why: plain},
		{method: "POST", path: "/v0/pools", body: `{"pool":"q"}`, headers: []string{"Content-Type: text/plain"}, why: plain},
		{method: "POST", path: "/v0/pools/open", body: `{"pool":"demo"}`},
		{method: "POST", path: "/v0/pools/open", body: `{"pool":"nope"}`},
		{method: "POST", path: "/v0/pools/open", body: `{"pool":"x"}`},
		{method: "GET", path: "/v0/pools/demo/info"},
		{method: "GET", path: "/v0/pools/demo.plasmite/info"},
		{method: "GET", path: "/v0/ui/pools/demo/info"},
		{method: "HEAD", path: "/v0/pools/demo/info"},
		{method: "GET", path: "/v0/pools/nope/info"},
		{method: "GET", path: "/v0/pools/a%2Fb/info"},
		{method: "GET", path: "/v0/pools/a%00b/info"},
		{method: "POST", path: "/v0/pools/demo/append", body: `{"data":{"z":1,"a":2},"tags":["t1"]}`},
		{method: "POST", path: "/v0/pools/demo/append", body: `{"data":{"x":1.5,"s":"<é>\u2028"},"tags":[" a ",""],"durability":"flushy"}`},
		{method: "POST", path: "/v0/pools/demo/append", body: `{"data":{"n":[1,{"b":null}]},"durability":"flush"}`},
		{method: "POST", path: "/v0/pools/demo/append", body: `{"data":[1,2]}`},
		{method: "POST", path: "/v0/pools/demo/append", body: `{"data":1}`},
		{method: "POST", path: "/v0/pools/demo/append", body: `{"data":null}`},
		{method: "POST", path: "/v0/pools/nope/append", body: `{"data":{}}`},
		{method: "POST", path: "/v0/pools/a%2Fb/append", body: `{"data":{}}`},
		{method: "POST", path: "/v0/pools/demo/append", body: `{"tags":[]}`, why: plain},
		{method: "POST", path: "/v0/pools/demo/append", body: `{"data":{},"tags":"x"}`, why: plain},
		{method: "POST", path: "/v0/pools/demo/append", body: `{"data":{}}`, headers: []string{"Content-Type: application/vnd.x+json"}},
		{method: "POST", path: "/v0/pools/demo/append", body: `{"data":{}}`, headers: []string{"Content-Type: application/json; charset=utf-8"}},
		{method: "GET", path: "/v0/pools/demo/messages/1"},
		{method: "GET", path: "/v0/pools/demo/messages/2"},
		{method: "GET", path: "/v0/pools/demo/messages/0"},
		{method: "GET", path: "/v0/pools/demo/messages/99"},
		{method: "GET", path: "/v0/pools/nope/messages/1"},
		{method: "GET", path: "/v0/pools/demo/messages/abc", why: plain},
		{method: "GET", path: "/v0/pools/demo/messages/-1", why: plain},
		{method: "GET", path: "/v0/pools/demo/messages/1/lite3"},
		{method: "GET", path: "/v0/pools/demo/messages/99/lite3"},
		{method: "POST", path: "/v0/pools/demo/append_lite3", body: "LITE3:1", headers: []string{lite3CT}},
		{method: "POST", path: "/v0/pools/demo/append_lite3?durability=flush", body: "LITE3:2", headers: []string{"Content-Type: "}},
		{method: "POST", path: "/v0/pools/demo/append_lite3", body: "LITE3:1", headers: []string{"Content-Type: application/json"}},
		{method: "POST", path: "/v0/pools/demo/append_lite3", body: "", headers: []string{lite3CT}},
		{method: "POST", path: "/v0/pools/demo/append_lite3", body: "garbage", headers: []string{lite3CT},
			why: "both Corrupt 500; 1.2.1 reports what its lenient lookup misses first (missing meta), we the codec's first complaint"},
		{method: "POST", path: "/v0/pools/nope/append_lite3", body: "garbage", headers: []string{lite3CT}},
		{method: "GET", path: "/v0/pools/demo/tail?timeout_ms=100"},
		{method: "GET", path: "/v0/pools/demo/tail?timeout_ms=100&since_seq=2&max=1"},
		{method: "GET", path: "/v0/pools/demo/tail?timeout_ms=100&tag=t1&tag=%20&foo=bar"},
		{method: "GET", path: "/v0/pools/demo/tail?timeout_ms=100&tag=+t1+"},
		{method: "GET", path: "/v0/pools/demo/tail?timeout_ms=0"},
		{method: "GET", path: "/v0/pools/demo/tail?timeout_ms=50&max=0"},
		{method: "GET", path: "/v0/pools/demo/tail?max=18446744073709551615&timeout_ms=50&since_seq=3"},
		{method: "GET", path: "/v0/pools/demo/tail?timeout_ms=999999"},
		{method: "GET", path: "/v0/pools/demo/tail?timeout_ms=18446744073709551615"},
		{method: "GET", path: "/v0/pools/demo/tail?gap_policy=bad"},
		{method: "GET", path: "/v0/pools/demo/tail?gap_policy=error&timeout_ms=50&since_seq=2"},
		{method: "GET", path: "/v0/pools/nope/tail?timeout_ms=50"},
		{method: "GET", path: "/v0/pools/nope/tail?timeout_ms=99999999"},
		{method: "GET", path: "/v0/pools/a%2Fb/tail"},
		{method: "GET", path: "/v0/pools/demo/tail?timeout_ms=abc", why: plain},
		{method: "GET", path: "/v0/pools/demo/tail?since_seq=", why: plain},
		{method: "GET", path: "/v0/pools/demo/tail?timeout_ms=5&timeout_ms=6", why: plain},
		{method: "GET", path: "/v0/pools/demo/tail_lite3?timeout_ms=100"},
		{method: "GET", path: "/v0/pools/demo/tail_lite3?timeout_ms=100&since_seq=3&tag=t1"},
		{method: "GET", path: "/v0/pools/demo/tail_lite3?timeout_ms=50&gap_policy=error"},
		{method: "GET", path: "/v0/pools/demo/tail_lite3?timeout_ms=50&since_seq=99"},
		{method: "GET", path: "/v0/ui/pools/demo/events?timeout_ms=100&since_seq=2"},
		{method: "GET", path: "/v0/ui/pools/nope/events?timeout_ms=50"},
		{method: "GET", path: "/v0/ui/pools/demo/events?gap_policy=x"},
		{method: "FILL", path: "/v0/pools/tiny/append", body: `{"data":{"pad":"0123456789012345678901234567890123456789012345678901234567890123456789"}}`},
		{method: "GET", path: "/v0/pools/tiny/tail?since_seq=1&gap_policy=error&timeout_ms=100"},
		{method: "GET", path: "/v0/ui/pools/tiny/events?since_seq=1&gap_policy=error&timeout_ms=100&max=1"},
		{method: "GET", path: "/v0/pools", sortPools: true},
		{method: "GET", path: "/v0/ui/pools"},
		{method: "GET", path: "/healthz", headers: []string{"Host: evil.test"}},
		{method: "GET", path: "/healthz", headers: []string{"Origin: https://evil.test"}},
		{method: "GET", path: "/healthz", headers: []string{"Host: localhost:1"}},
		{method: "GET", path: "/healthz", headers: []string{"Host: LocalHost"}},
		{method: "GET", path: "/healthz", headers: []string{"Host: [::1]:5"}},
		{method: "GET", path: "/healthz", headers: []string{"Host: 127.9.9.9:5"}},
		{method: "GET", path: "/healthz", headers: []string{"Host: 10.0.0.1"}},
		{method: "GET", path: "/healthz", headers: []string{"Host: localhost.evil.test"}},
		{method: "GET", path: "/healthz", headers: []string{"Host: localhost:1", "Origin: http://localhost:1"}},
		{method: "GET", path: "/healthz", headers: []string{"Host: localhost:80", "Origin: http://LOCALHOST"}},
		{method: "GET", path: "/healthz", headers: []string{"Host: localhost:1", "Origin: http://127.0.0.1:1"}},
		{method: "GET", path: "/healthz", headers: []string{"Host: localhost:1", "Origin: https://localhost:1"}},
		{method: "GET", path: "/healthz", headers: []string{"Origin: null"}},
		{method: "POST", path: "/v0/pools/demo/append", body: `{"data":{}}`, headers: []string{"Origin: https://evil.test"}},
		{method: "POST", path: "/v0/pools", body: `{"pool":"gone"}`},
		{method: "DELETE", path: "/v0/pools/gone"},
		{method: "GET", path: "/v0/pools/gone/info"},
		{method: "DELETE", path: "/v0/pools/a%2Fb"},
		{method: "DELETE", path: "/v0/pools/nope", why: "1.2.1 says \"error\" for a missing pool's delete; we say \"not found\""},
		{method: "GET", path: "/v0/nothing", why: plain},
		{method: "GET", path: "/v0/pools/", why: plain},
		{method: "PUT", path: "/v0/pools/demo/append", why: plain},
		{method: "OPTIONS", path: "/v0/pools", why: plain},
		{method: "DELETE", path: "/v0/pools/open", why: "1.2.1 cannot delete a pool named open (405); we can (404 here: no such pool)", ourStatus: 404},
	}
}

// TestDifferential sends the same raw requests to our server and to
// 1.2.1's and compares statuses, content types and bodies (times, ages and
// the pool directory masked).
func TestDifferential(t *testing.T) {
	root := t.TempDir()
	refDir, ourDir := filepath.Join(root, "ref"), filepath.Join(root, "ours")
	refBase := refServer(t, refDir)
	_, ourBase := ours(t, ourDir, Options{})
	reftest.Bin(t)
	lite3 := map[string]string{}
	for _, c := range diffCases() {
		name := c.method + " " + c.path + " " + c.body + " " + strings.Join(c.headers, ";")
		body := c.body
		if strings.HasPrefix(body, "LITE3:") {
			body = lite3[strings.TrimPrefix(body, "LITE3:")]
		}
		if c.method == "FILL" {
			// Overwrite the oldest messages of a small pool on both sides.
			for i := 0; i < 600; i++ {
				for _, base := range []string{refBase, ourBase} {
					if r := call(t, "POST", base+c.path, body); r.status != 200 {
						t.Fatalf("fill: %d %s", r.status, r.body)
					}
				}
			}
			continue
		}
		ref := call(t, c.method, refBase+c.path, body, c.headers...)
		got := call(t, c.method, ourBase+c.path, body, c.headers...)
		if strings.HasSuffix(c.path, "/lite3") && ref.status == 200 {
			lite3[c.path[len("/v0/pools/demo/messages/"):len(c.path)-len("/lite3")]] = ref.body
		}
		if c.ourStatus != 0 {
			if got.status != c.ourStatus {
				t.Errorf("%s: our status %d, want %d (%s)", name, got.status, c.ourStatus, c.why)
			}
			continue
		}
		if ref.status != got.status {
			t.Errorf("%s: status ref %d ours %d\n ref  %s\n ours %s", name, ref.status, got.status, ref.body, got.body)
			continue
		}
		if got.header.Get("Plasmite-Version") != "0" {
			t.Errorf("%s: no plasmite-version on our %d", name, got.status)
		}
		if c.why != "" {
			if got.status >= 400 {
				envelope(t, got, got.status, kindOf(t, got.body))
			}
			continue
		}
		if rc, gc := ref.header.Get("Content-Type"), got.header.Get("Content-Type"); rc != gc {
			t.Errorf("%s: content-type ref %q ours %q", name, rc, gc)
		}
		rb, gb := ref.body, got.body
		if c.sortPools {
			rb, gb = sortedPools(t, rb), sortedPools(t, gb)
		}
		if strings.Contains(c.path, "/tail_lite3") {
			rb, gb = frameTimesMasked(t, rb), frameTimesMasked(t, gb)
		}
		rb = strings.ReplaceAll(masked(rb), refDir, "DIR")
		gb = strings.ReplaceAll(masked(gb), ourDir, "DIR")
		if long, ok := unhurried(c.path); ok && rb != gb {
			// A stream ended by a short total deadline holds what its server
			// produced in that time: on a loaded machine 1.2.1's producer,
			// which sleeps whenever its queue is full, may not reach the end
			// of the retained history. The content is what is compared, so
			// both sides are asked again with time to spare.
			ref = call(t, c.method, refBase+long, body, c.headers...)
			got = call(t, c.method, ourBase+long, body, c.headers...)
			rb, gb = ref.body, got.body
			if strings.Contains(c.path, "/tail_lite3") {
				rb, gb = frameTimesMasked(t, rb), frameTimesMasked(t, gb)
			}
			rb = strings.ReplaceAll(masked(rb), refDir, "DIR")
			gb = strings.ReplaceAll(masked(gb), ourDir, "DIR")
		}
		if rb != gb {
			t.Errorf("%s: status %d bodies differ\n ref  %.400q\n ours %.400q", name, ref.status, rb, gb)
		}
	}
}

// unhurried returns a stream request's path with its short total deadline
// (timeout_ms of at most 100) raised to 3 s, and whether it is such a
// request.
func unhurried(path string) (string, bool) {
	if !strings.Contains(path, "/tail") && !strings.Contains(path, "/events") {
		return path, false
	}
	for _, ms := range []string{"timeout_ms=100", "timeout_ms=50"} {
		if strings.Contains(path, ms) {
			return strings.Replace(path, ms, "timeout_ms=3000", 1), true
		}
	}
	return path, false
}

// frameTimesMasked zeroes the time of every frame of a Lite3 stream body.
func frameTimesMasked(t testing.TB, body string) string {
	b := []byte(body)
	for off := 0; off < len(b); {
		if len(b)-off < wire.FrameHeaderLen {
			t.Fatalf("truncated Lite3 stream at %d of %d", off, len(b))
		}
		_, _, n := wire.ParseFrameHeader(b[off:])
		copy(b[off+8:off+16], make([]byte, 8))
		off += wire.FrameHeaderLen + int(n)
	}
	return string(b)
}

// kindOf is the kind of an error envelope body ("" if it is none).
func kindOf(t testing.TB, body string) string {
	var env struct{ Error struct{ Kind string } }
	json.Unmarshal([]byte(body), &env)
	return env.Error.Kind
}

// sortedPools re-renders {"pools":[…]} with the entries sorted.
func sortedPools(t testing.TB, body string) string {
	var doc struct{ Pools []json.RawMessage }
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("pool list %q: %v", body, err)
	}
	s := make([]string, len(doc.Pools))
	for i, p := range doc.Pools {
		s[i] = string(p)
	}
	sort.Strings(s)
	return strings.Join(s, "\n")
}
