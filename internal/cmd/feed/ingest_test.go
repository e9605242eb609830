package feed

import (
	"encoding/json"
	"io"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/plasmite-go/plasmite/core"
)

func jsonValid(b []byte) bool { return json.Valid(b) }

// split runs the splitter over in and returns records as "text" or "!Fail".
func split(t *testing.T, in, mode string, skip bool) []string {
	t.Helper()
	s := newSplitter(strings.NewReader(in), mode)
	if skip {
		s.fallback = "jsonl"
	}
	var out []string
	for {
		r, err := s.next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.fail == "" && s.mode == "jsonl" && !jsonValid(r.data) {
			r = s.recover(r, skip)
		}
		if r.fail != "" {
			out = append(out, "!"+r.fail)
			continue
		}
		out = append(out, string(r.data))
	}
}

func TestSplitter(t *testing.T) {
	cases := []struct {
		name, in, mode string
		skip           bool
		want           []string
	}{
		{"jsonl", "{\"a\":1}\n\n  \n{\"b\":2}\r\n", "auto", false, []string{`{"a":1}`, `{"b":2}`}},
		{"objects on one line", `{"a":1} {"b":"}"}`, "auto", false, []string{`{"a":1}`, `{"b":"}"}`}},
		{"pretty", "{\n  \"a\": [1,\n 2]\n}\n{\"b\":2}", "auto", false, []string{"{\n  \"a\": [1,\n 2]\n}", `{"b":2}`}},
		{"escaped quote", `{"a":"x\"}"}`, "json", false, []string{`{"a":"x\"}"}`}},
		{"not an object", "[1]", "auto", false, []string{"!NotObject"}},
		{"incomplete", `{"a":`, "auto", false, []string{"!Incomplete"}},
		{"empty", " \n\t", "auto", false, nil},
		{"journald seq", "\x1e{\"MESSAGE\":\"a\"}\n\x1e{\"MESSAGE\":\"b\"}\n", "auto", false, []string{`{"MESSAGE":"a"}`, `{"MESSAGE":"b"}`}},
		{"seq trailing chunk", "\x1e{\"a\":1}\x1e{\"b\":2}", "seq", false, []string{`{"a":1}`, `{"b":2}`}},
		{"sse", "event: x\ndata: {\"a\":\ndata: 1}\n\n: comment\nid: 3\ndata: {\"b\":2}\n", "auto", false, []string{"{\"a\":\n1}", `{"b":2}`}},
		{"jsonl skip resync", "{\"a\":1}\nnot json\n{\"b\":\n{\"c\":3}\n", "auto", true, []string{`{"a":1}`, "!Parse", "!Parse", `{"c":3}`}},
		{"jsonl multi-line recovery", "{\n\"a\": 1\n}\n", "auto", true, []string{"{\n\"a\": 1\n}"}},
		{"oversize line", "{\"a\":\"" + strings.Repeat("x", MaxRecord) + "\"}\n{\"b\":1}\n", "jsonl", true, []string{"!Oversize", `{"b":1}`}},
		{"oversize object", "{\"a\":\"" + strings.Repeat("x", MaxRecord) + "\"}", "auto", false, []string{"!Oversize"}},
	}
	for _, c := range cases {
		got := split(t, c.in, c.mode, c.skip)
		if d := cmp.Diff(c.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, d)
		}
	}
}

func TestCompleteMessage(t *testing.T) {
	data, tags, ok, err := completeMessage([]byte(`{"data":{"q":1},"meta":{"tags":["z"]},"seq":5,"time":"2020-01-01T00:00:00Z"}`))
	if !ok || err != nil || string(data) != `{"q":1}` || !cmp.Equal(tags, []string{"z"}) {
		t.Fatalf("envelope: %s %v %v %v", data, tags, ok, err)
	}
	for _, in := range []string{`{"data":{"q":1}}`, `{"data":{},"meta":{"tags":[],"o":1},"seq":1,"time":"2020-01-01T00:00:00Z"}`, `{"data":{},"meta":{"tags":[]},"seq":1,"time":"x","extra":1}`} {
		if _, _, ok, _ := completeMessage([]byte(in)); ok {
			t.Errorf("%s taken as a complete message", in)
		}
	}
	for in, msg := range map[string]string{
		`{"data":{},"meta":{"tags":[]},"seq":"x","time":"2020-01-01T00:00:00Z"}`: "invalid complete message",
		`{"data":{},"meta":{"tags":[]},"seq":1,"time":"bad"}`:                    "invalid source message time",
		`{"data":[1],"meta":{"tags":[]},"seq":1,"time":"2020-01-01T00:00:00Z"}`:  "data must be object",
	} {
		_, _, ok, err := completeMessage([]byte(in))
		if e, isCLI := err.(*core.Error); !ok || !isCLI || e.Message != msg {
			t.Errorf("%s: ok=%v err=%v; want %q", in, ok, err, msg)
		}
	}
}

func TestRetryable(t *testing.T) {
	yes := []error{core.Busy, &core.Error{Kind: core.Busy}, &core.Error{Kind: core.IO, Err: syscall.EINTR}, &core.Error{Kind: core.IO, Err: syscall.EAGAIN}, &core.Error{Kind: core.IO, Err: syscall.ETIMEDOUT}}
	no := []error{core.Usage, &core.Error{Kind: core.IO, Err: syscall.ENOSPC}, &core.Error{Kind: core.Corrupt}, &core.Error{Kind: core.NotFound}}
	local, remote := &feeder{}, &feeder{remote: true}
	for _, e := range yes {
		if !local.retryable(e) {
			t.Errorf("%v must be retried", e)
		}
	}
	for _, e := range no {
		if local.retryable(e) {
			t.Errorf("%v must not be retried", e)
		}
	}
	// A remote append is retried on Busy only (1.2.1).
	for _, e := range append(yes[2:], no...) {
		if remote.retryable(e) {
			t.Errorf("remote: %v must not be retried", e)
		}
	}
	if !remote.retryable(&core.Error{Kind: core.Busy}) {
		t.Error("remote: Busy must be retried")
	}
}
