package feed

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil/cmdtest"
	"github.com/plasmite-go/plasmite/wire"
)

var ctx = context.Background()

func str(s string) *string { return &s }

func TestFeedInlineAndStdin(t *testing.T) {
	h := cmdtest.New(t, "{\"a\":1}\n\n{\"b\":2} {\"c\":3}\n")
	p := h.Pool(t, "p")
	if err := Run(ctx, &Options{Pool: "p", Data: str(`{"z":[1,2]}`), Tags: []string{"x"}}, h.Env); err != nil {
		t.Fatal(err)
	}
	if err := Run(ctx, &Options{Pool: "p"}, h.Env); err != nil {
		t.Fatal(err)
	}
	// one receipt per message, in a pipe the stored envelope, one per line
	want := cmdtest.Envelopes(t, p)
	if got := h.Lines(); len(want) != 4 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("receipts:\n%q\nstored:\n%q", got, want)
	}
	if !strings.Contains(want[0], `"data":{"z":[1,2]},"meta":{"tags":["x"]}`) {
		t.Fatalf("inline message: %s", want[0])
	}
}

// A complete message (what follow prints) keeps its data and tags.
func TestFeedCopiesCompleteMessages(t *testing.T) {
	h := cmdtest.New(t, `{"data":{"q":1},"meta":{"tags":["a","b"]},"seq":7,"time":"2020-01-01T00:00:00Z"}`+"\n")
	p := h.Pool(t, "p")
	if err := Run(ctx, &Options{Pool: "p"}, h.Env); err != nil {
		t.Fatal(err)
	}
	if got := cmdtest.Envelopes(t, p); len(got) != 1 || !strings.HasPrefix(got[0], `{"data":{"q":1},"meta":{"tags":["a","b"]},"seq":1,`) {
		t.Fatalf("copied: %q", got)
	}
	h = cmdtest.New(t, `{"data":{},"meta":{"tags":[]},"seq":1,"time":"2020-01-01T00:00:00Z"}`)
	h.Pool(t, "p")
	e := wire.ErrorOf(Run(ctx, &Options{Pool: "p", Tags: []string{"x"}}, h.Env))
	if e.Kind != core.Usage || e.Message != "complete messages supply their own tags" {
		t.Fatalf("tags on complete messages: %+v", e)
	}
}

// --errors skip reports each bad record on stderr and exits 1 at the end;
// the good records are appended.
func TestFeedSkip(t *testing.T) {
	h := cmdtest.New(t, "{\"a\":1}\nnot json\n{\"c\":3}\n")
	p := h.Pool(t, "p")
	err := Run(ctx, &Options{Pool: "p", Errors: "skip"}, h.Env)
	if code, ok := cmdutil.ExitStatus(err); !ok || code != 1 {
		t.Fatalf("status: %v", err)
	}
	if n := len(cmdtest.Envelopes(t, p)); n != 2 {
		t.Fatalf("%d messages appended", n)
	}
	notices := strings.Split(strings.TrimSpace(h.Stderr.String()), "\n")
	var skip, summary struct {
		Notice struct {
			Kind    string         `json:"kind"`
			Details map[string]any `json:"details"`
		} `json:"notice"`
	}
	if len(notices) != 2 || json.Unmarshal([]byte(notices[0]), &skip) != nil || json.Unmarshal([]byte(notices[1]), &summary) != nil ||
		skip.Notice.Kind != "ingest_skip" || skip.Notice.Details["line"] != 2.0 || summary.Notice.Kind != "ingest_summary" || summary.Notice.Details["ok"] != 2.0 {
		t.Fatalf("notices: %q", notices)
	}
	// without skip: the first bad record stops, the ones before it are in
	h = cmdtest.New(t, "{\"a\":1}\nnot json\n{\"c\":3}\n")
	p = h.Pool(t, "p")
	if e := wire.ErrorOf(Run(ctx, &Options{Pool: "p", InputFormat: "jsonl"}, h.Env)); e.Kind != core.Usage || e.Message != "invalid json input" {
		t.Fatalf("stop: %+v", e)
	}
	if n := len(cmdtest.Envelopes(t, p)); n != 1 {
		t.Fatalf("%d messages appended before the bad record", n)
	}
}

func TestFeedMissingPool(t *testing.T) {
	h := cmdtest.New(t, "")
	e := wire.ErrorOf(Run(ctx, &Options{Pool: "nope", Data: str(`{}`)}, h.Env))
	if e.Kind != core.NotFound || e.Hint != "Pool is missing. Retry with exact command: plasmite pool create nope" || e.Err == nil {
		t.Fatalf("missing: %+v", e)
	}
	// --create-size alone creates it, at that size
	if err := Run(ctx, &Options{Pool: "nope", Data: str(`{}`), CreateSize: str("64K")}, h.Env); err != nil {
		t.Fatal(err)
	}
	p, err := core.Open(core.ResolveRef(h.Env.Dir, "nope"), core.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if in, _ := p.Info(); in.FileSize != 64<<10 || in.MessageCount != 1 {
		t.Fatalf("created: %+v", in)
	}
}

func TestFeedInputChecks(t *testing.T) {
	h := cmdtest.New(t, "").Terminal(false, false, true)
	h.Pool(t, "p")
	for _, c := range []struct {
		o   Options
		msg string
	}{
		{Options{Pool: "p"}, "missing message input"}, // stdin is a terminal
		{Options{Pool: "p", RetryDelay: str("5ms")}, "--retry-delay requires --retry"},
		{Options{Pool: "p", Durability: "slow"}, "invalid durability"},
		{Options{Pool: "http://h:1/p"}, "remote pool refs are not yet supported by this build"},
		{Options{Pool: "p", Data: str(`[1]`)}, "unknown input format"},
		{Options{Pool: "p", InputFormat: "lite3-raw", Data: str(`{"a":1}`)}, "binary input requires a file or pipe of complete messages"},
		{Options{Pool: "p", InputFormat: "lite3", Data: str(`{"a":1}`)}, "binary input requires a file or pipe of complete messages"},
		{Options{Pool: "new", Create: true, InputFormat: "lite3-raw", Tags: []string{"x"}, File: str("-")}, "binary input requires a file or pipe of complete messages"},
		{Options{Pool: "new", Create: true, InputFormat: "lite3-raw", Errors: "skip", File: str("-")}, "--errors skip does not apply to Lite3 input"},
	} {
		if e := wire.ErrorOf(Run(ctx, &c.o, h.Env)); e.Kind != core.Usage || e.Message != c.msg {
			t.Errorf("%+v: %+v, want Usage %q", c.o, e, c.msg)
		}
	}
	// the refusals come before --create makes a pool (issue 11 item 8)
	if _, err := os.Stat(core.ResolveRef(h.Env.Dir, "new")); !os.IsNotExist(err) {
		t.Errorf("a refused binary feed created its pool: %v", err)
	}
	// an empty binary input holds no messages: nothing appended, no error
	for _, format := range []string{"lite3", "lite3-raw"} {
		h := cmdtest.New(t, "")
		p := h.Pool(t, "p")
		if err := Run(ctx, &Options{Pool: "p", InputFormat: format, File: str("-")}, h.Env); err != nil || p.Bounds().Newest != 0 {
			t.Errorf("empty %s: %v, %+v", format, err, p.Bounds())
		}
	}
}

// Framed Lite3 input (what follow --format lite3 prints) is appended as it is.
func TestFeedLite3Frames(t *testing.T) {
	src := cmdtest.New(t, "")
	sp := src.Pool(t, "src", `{"a":1}`, `{"b":"x"}`)
	in := []byte(wire.StreamMagic)
	for seq := uint64(1); seq <= 2; seq++ {
		m, err := sp.Get(seq)
		if err != nil {
			t.Fatal(err)
		}
		in = wire.AppendFrame(in, m)
	}
	h := cmdtest.New(t, string(in))
	p := h.Pool(t, "p")
	if err := Run(ctx, &Options{Pool: "p"}, h.Env); err != nil {
		t.Fatal(err)
	}
	got := cmdtest.Envelopes(t, p)
	if len(got) != 2 || !strings.HasPrefix(got[1], `{"data":{"b":"x"},"meta":{"tags":[]},"seq":2,`) {
		t.Fatalf("appended: %q", got)
	}
	h = cmdtest.New(t, string(in[:len(in)-3]))
	h.Pool(t, "p")
	if e := wire.ErrorOf(Run(ctx, &Options{Pool: "p"}, h.Env)); e.Message != "incomplete Lite3 frame" {
		t.Fatalf("truncated: %+v", e)
	}
}

// --in jq (a v0 spelling we keep) reads concatenated JSON values, refuses
// --errors skip, and says how to recover from a parse error.
func TestFeedJQMode(t *testing.T) {
	h := cmdtest.New(t, "{\"a\":1}{\"b\":2}\n {\"c\":\n3}")
	p := h.Pool(t, "p")
	if err := Run(ctx, &Options{Pool: "p", InputFormat: "jq"}, h.Env); err != nil || p.Bounds().Newest != 3 {
		t.Fatalf("jq stream: %v, %+v", err, p.Bounds())
	}
	h = cmdtest.New(t, "{\"a\":1}")
	h.Pool(t, "p")
	if e := wire.ErrorOf(Run(ctx, &Options{Pool: "p", InputFormat: "jq", Errors: "skip"}, h.Env)); e.Message != "skip is not supported for jq-style streams" || e.Hint != "Use --in jsonl or --in auto for resyncable streams." {
		t.Errorf("jq with skip: %+v", e)
	}
	h = cmdtest.New(t, "{\"a\":1} {nope")
	p = h.Pool(t, "p")
	if e := wire.ErrorOf(Run(ctx, &Options{Pool: "p", InputFormat: "jq"}, h.Env)); e.Message != "invalid json input" || e.Hint != "Use --in jsonl for line-delimited input." || p.Bounds().Newest != 1 {
		t.Errorf("jq parse error: %+v", e)
	}
}
