package wire

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/internal/reftest"
)

// refServer runs the reference's `serve` on pool directory dir (local
// listener on a free loopback port) until the test ends, and returns the
// local listener's base URL.
func refServer(t *testing.T, dir string) string {
	t.Helper()
	base, _ := reftest.Serve(t, reftest.Bin(t), dir)
	return base
}

func httpGet(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// unwrap returns the one member of a {"<key>":{…}} response body.
func unwrap(t *testing.T, body, key string) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil || len(m) != 1 || m[key] == nil {
		t.Fatalf("want {%q:…}, got %s", key, body)
	}
	return string(m[key])
}

// The reference server's error bodies are HTTPForm envelopes with
// HTTPStatus's statuses, its terminal stream error lines are LineForm, and
// its messages, pool info and Lite3 tail bodies are AppendMessage,
// InfoDocument and AppendFrame bytes.
func TestHTTPDocumentsMatchReference(t *testing.T) {
	dir, path := refPool(t)
	base := refServer(t, dir)
	p := openRead(t, path)

	for _, c := range []struct{ method, path, body string }{
		{"GET", "/v0/pools/nope/info", ""},
		{"GET", "/v0/pools/p/messages/99", ""},
		{"POST", "/v0/pools/p/append", `{"data":[1,2]}`},
		{"GET", "/v0/pools/p/tail?timeout_ms=999999", ""},
		{"GET", "/v0/pools/p/tail?gap_policy=x", ""},
		{"POST", "/v0/pools", `{"pool":"p","size_bytes":1048576}`},
	} {
		status, body := httpGet(t, c.method, base+c.path, c.body)
		e := refEnvelope(t, body)
		if got := string(AppendError(nil, e, HTTPForm)); got != body {
			t.Errorf("%s %s:\n reference %s\n ours      %s", c.method, c.path, body, got)
		}
		if status != HTTPStatus(e.Kind) {
			t.Errorf("%s %s: reference status %d, HTTPStatus(%v) = %d", c.method, c.path, status, e.Kind, HTTPStatus(e.Kind))
		}
		if pe := ParseError(status, []byte(body)); pe.Kind != e.Kind || pe.Message != e.Message || pe.Path != e.Path {
			t.Errorf("ParseError(%s) = %+v", body, pe)
		}
	}

	// A stream that fails once started: 200 and one error line.
	status, body := httpGet(t, "GET", base+"/v0/pools/nope/tail?timeout_ms=200", "")
	line := strings.TrimSuffix(body, "\n")
	if status != 200 || strings.Count(body, "\n") != 1 || string(AppendError(nil, refEnvelope(t, line), LineForm)) != line {
		t.Errorf("tail of a missing pool: %d %q", status, body)
	}

	n := uint64(len(refData))
	_, body = httpGet(t, "GET", base+"/v0/pools/p/tail?timeout_ms=200", "")
	lines := strings.SplitAfter(body, "\n")
	var frames []byte
	for seq := uint64(1); seq <= n; seq++ {
		m := get(t, p, seq)
		env := mustAppend(t, m)
		if string(env)+"\n" != lines[seq-1] {
			t.Errorf("tail line %d:\n reference %s ours      %s", seq, lines[seq-1], env)
		}
		_, one := httpGet(t, "GET", base+"/v0/pools/p/messages/"+itoa(seq), "")
		if got := unwrap(t, one, "message"); got != string(env) {
			t.Errorf("message %d:\n reference %s\n ours      %s", seq, got, env)
		}
		frames = AppendFrame(frames, m)
	}
	if _, body := httpGet(t, "GET", base+"/v0/pools/p/tail_lite3?timeout_ms=200", ""); body != string(frames) {
		t.Errorf("tail_lite3:\n reference %x\n ours      %x", body, frames)
	}

	_, body = httpGet(t, "GET", base+"/v0/pools/p/info", "")
	in, err := p.Info()
	if err != nil {
		t.Fatal(err)
	}
	got := string(jsonfmt.AppendValue(nil, InfoDocument(in, "p", time.Now()), jsonfmt.Compact))
	if want := unwrap(t, body, "pool"); ageMS.ReplaceAllString(got, "AGE") != ageMS.ReplaceAllString(want, "AGE") {
		t.Errorf("pool info:\n reference %s\n ours      %s", want, got)
	}
}

func itoa(v uint64) string { return string(jsonfmt.AppendValue(nil, v, jsonfmt.Compact)) }
