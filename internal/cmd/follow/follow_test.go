package follow

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil/cmdtest"
	"github.com/plasmite-go/plasmite/wire"
)

var bg = context.Background()

func str(s string) *string { return &s }

func TestFollowHistory(t *testing.T) {
	data := []string{`{"level":"info","n":1}`, `{"level":"error","n":2}`, `{"level":"error","n":3}`, `{"level":"info","n":4}`}
	for _, c := range []struct {
		name string
		o    Options
		want []uint64
	}{
		{"all retained", Options{NoFollow: true}, []uint64{1, 2, 3, 4}},
		{"the last two", Options{Common: Common{Tail: 2}, NoFollow: true}, []uint64{3, 4}},
		{"tail counts before filters", Options{Common: Common{Tail: 2}, NoFollow: true, Where: []string{`.data.level == "error"`}}, []uint64{3}},
		{"jq where", Options{NoFollow: true, Where: []string{`.data.n > 1`, `.data.level | test("err")`}}, []uint64{2, 3}},
		{"one", Options{Common: Common{Tail: 4}, One: true}, []uint64{1}},
		{"since", Options{Common: Common{Since: str("1h")}, NoFollow: true}, []uint64{1, 2, 3, 4}},
		{"replay", Options{Common: Common{Tail: 3}, Replay: &clap.Float{Text: "0", Value: 0}}, []uint64{2, 3, 4}},
	} {
		h := cmdtest.New(t, "")
		p := h.Pool(t, "p", data...)
		o := c.o
		o.Pool = "p"
		if err := Run(bg, &o, h.Env); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got, want := h.Lines(), cmdtest.Envelopes(t, p, c.want...); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n got  %q\n want %q", c.name, got, want)
		}
	}
}

func TestFollowForms(t *testing.T) {
	h := cmdtest.New(t, "")
	p := h.Pool(t, "p", `{"a":1}`, `{"b":[2]}`)
	if err := Run(bg, &Options{Common: Common{Pool: "p"}, NoFollow: true, DataOnly: true}, h.Env); err != nil {
		t.Fatal(err)
	}
	if got := h.Stdout.String(); got != "{\"a\":1}\n{\"b\":[2]}\n" {
		t.Fatalf("data only: %q", got)
	}
	h.Stdout.Reset()
	h.Env.Format = "lite3"
	if err := Run(bg, &Options{Common: Common{Pool: "p"}, NoFollow: true}, h.Env); err != nil {
		t.Fatal(err)
	}
	out := h.Stdout.Bytes()
	if !bytes.HasPrefix(out, []byte(wire.StreamMagic)) {
		t.Fatalf("framed output: %q", out)
	}
	fr := wire.NewFrameReader(bytes.NewReader(out[len(wire.StreamMagic):]), 1<<20)
	for seq := uint64(1); seq <= 3; seq++ {
		m, _, err := fr.Next(nil)
		if seq == 3 {
			if err != io.EOF {
				t.Fatalf("after the last frame: %v", err)
			}
			break
		}
		want, _ := p.Get(seq)
		if err != nil || m.Seq != seq || !bytes.Equal(m.Payload, want.Payload) {
			t.Fatalf("frame %d: %+v %v", seq, m, err)
		}
	}
	h.Env.Format = "json"
	if e := wire.ErrorOf(Run(bg, &Options{Common: Common{Pool: "p", JSONL: true}}, h.Env)); e.Message != "conflicting output options" {
		t.Fatalf("--jsonl with --format: %+v", e)
	}
}

// Live: a message appended after the start is printed; --timeout ends an
// idle follow with 124; a cancelled context ends it too.
func TestFollowLive(t *testing.T) {
	h := cmdtest.New(t, "")
	p := h.Pool(t, "p", `{"old":true}`)
	pr, pw := io.Pipe()
	h.Env.Stdout = cmdutil.NewStream(pw, false)
	done := make(chan error, 1)
	go func() { done <- Run(bg, &Options{Common: Common{Pool: "p", Timeout: str("200ms")}}, h.Env) }()
	// The follower starts at the end, at a moment we cannot see: append
	// until it has printed a line, then let it time out.
	line := make(chan string, 1)
	go func() {
		b := make([]byte, 4096)
		n, _ := pr.Read(b)
		line <- string(b[:n])
		for {
			if _, err := pr.Read(b); err != nil {
				return
			}
		}
	}()
	var first string
	for first == "" {
		if _, err := p.AppendJSON([]byte(`{"new":true}`), nil, core.Fast); err != nil {
			t.Fatal(err)
		}
		select {
		case first = <-line:
		case <-time.After(20 * time.Millisecond):
		}
	}
	err := <-done
	pw.Close()
	if code, ok := cmdutil.ExitStatus(err); !ok || code != 124 {
		t.Fatalf("status: %v", err)
	}
	if !strings.Contains(first, `{"new":true}`) || strings.Contains(first, "old") {
		t.Fatalf("live: %q", first)
	}
	ctx, cancel := context.WithCancel(bg)
	go func() { done <- Run(ctx, &Options{Common: Common{Pool: "p"}}, h.Env) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestFollowErrors(t *testing.T) {
	h := cmdtest.New(t, "")
	h.Pool(t, "p")
	for _, c := range []struct {
		o    Options
		msg  string
		hint string
	}{
		{Options{Common: Common{Pool: "p"}, Replay: &clap.Float{Text: "1", Value: 1}}, "--replay requires --tail or --since", "Replay needs historical messages. Use --tail N or --since DURATION."},
		{Options{Common: Common{Pool: "p", Tail: 1}, Replay: &clap.Float{Text: "-1", Value: -1}}, "--replay speed must be non-negative", "Use --replay 1 for realtime, --replay 2 for 2x, --replay 0 for no delay."},
		{Options{Common: Common{Pool: "p", Since: str("yesterday")}}, "invalid --since value", "Use RFC 3339 (2026-02-02T23:45:00Z) or relative like 5m."},
		{Options{Common: Common{Pool: "p"}, Where: []string{".data.("}}, "invalid filter expression", ""},
		{Options{Common: Common{Pool: "udp://h:1/p"}}, "remote pool ref must use http or https scheme", "Use shorthand: http(s)://host:port/<pool>."},
		{Options{Common: Common{Pool: "nope", Tail: 3, Timeout: str("1s")}, One: true, Where: []string{".a == 1"}, Tags: []string{"x y"}, Replay: &clap.Float{Text: "1.50", Value: 1.5}},
			"not found", "Pool is missing. Retry with exact command: plasmite follow nope --create --tail 3 --one --timeout 1s --where \".a == 1\" --tag \"x y\" --replay 1.50 --format json"},
	} {
		e := wire.ErrorOf(Run(bg, &c.o, h.Env))
		if e.Message != c.msg || c.hint != "" && e.Hint != c.hint {
			t.Errorf("%+v:\n got  %q %q\n want %q %q", c.o, e.Message, e.Hint, c.msg, c.hint)
		}
	}
}

// duplex sends piped input (hiding nothing it did not send) and ends when
// the input does.
func TestDuplexPiped(t *testing.T) {
	h := cmdtest.New(t, `{"from":"bob","msg":"hi"}`+"\n"+`{"from":"amy","msg":"yo"}`)
	p := h.Pool(t, "chat", `{"from":"amy","msg":"before"}`)
	if err := Duplex(bg, &DuplexOptions{Common: Common{Pool: "chat", Tail: 1}, Me: "bob"}, h.Env); err != nil {
		t.Fatal(err)
	}
	if b := p.Bounds(); b.Newest != 3 {
		t.Fatalf("sent: %+v", b)
	}
	// the history asked for is printed before the end of input ends it
	if lines := h.Lines(); len(lines) == 0 || !strings.Contains(lines[0], `"before"`) {
		t.Fatalf("printed %q", lines)
	}
	h = cmdtest.New(t, "").Terminal(false, false, true)
	h.Pool(t, "chat")
	if e := wire.ErrorOf(Duplex(bg, &DuplexOptions{Common: Common{Pool: "chat"}}, h.Env)); e.Message != "TTY input requires --me for duplex" {
		t.Fatalf("terminal without --me: %+v", e)
	}
}

// A terminal line becomes {"from":ME,"msg":LINE}; blank lines are skipped.
func TestDuplexTerminalLines(t *testing.T) {
	h := cmdtest.New(t, "hello\n\n  \nsecond\n").Terminal(false, false, true)
	p := h.Pool(t, "chat")
	if err := Duplex(bg, &DuplexOptions{Common: Common{Pool: "chat"}, Me: "bob"}, h.Env); err != nil {
		t.Fatal(err)
	}
	got := cmdtest.Envelopes(t, p, 1, 2)
	if !strings.HasPrefix(got[0], `{"data":{"from":"bob","msg":"hello"}`) || !strings.HasPrefix(got[1], `{"data":{"from":"bob","msg":"second"}`) || p.Bounds().Newest != 2 {
		t.Fatalf("sent %q", got)
	}
}
