package fetch

import (
	"bytes"
	"context"
	"testing"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil/cmdtest"
	"github.com/plasmite-go/plasmite/wire"
)

func TestFetchForms(t *testing.T) {
	h := cmdtest.New(t, "")
	p := h.Pool(t, "p", `{"z":1,"a":"é"}`, `{"b":[true,null]}`)
	m, err := p.Get(2)
	if err != nil {
		t.Fatal(err)
	}
	env, _ := wire.AppendMessage(nil, m, jsonfmt.Compact)
	pretty, _ := wire.AppendMessage(nil, m, jsonfmt.Pretty)
	colored, _ := wire.AppendMessage(nil, m, jsonfmt.Pretty|jsonfmt.Color)
	for _, c := range []struct {
		format string
		tty    bool
		want   []byte
	}{
		{"", false, append(env, '\n')},
		{"json", true, append(env, '\n')},
		{"", true, append(colored, '\n')},
		{"pretty", false, append(pretty, '\n')},
		{"lite3", false, wire.AppendFrame([]byte(wire.StreamMagic), m)},
		{"lite3-raw", false, m.Payload},
		{"yaml", false, []byte("---\ndata:\n  b:\n  - true\n  - null\nmeta:\n  tags: []\nseq: 2\ntime: '" + string(jsonfmt.AppendRFC3339(nil, m.Time)) + "'\n...\n")},
	} {
		h.Stdout.Reset()
		h.Terminal(c.tty, false, false)
		h.Env.Format = c.format
		if err := Run(context.Background(), &Options{Pool: "p", Seq: "2"}, h.Env); err != nil {
			t.Fatalf("%s: %v", c.format, err)
		}
		if !bytes.Equal(h.Stdout.Bytes(), c.want) {
			t.Errorf("format %q tty %v:\n got  %q\n want %q", c.format, c.tty, h.Stdout.Bytes(), c.want)
		}
	}
}

func TestFetchErrors(t *testing.T) {
	h := cmdtest.New(t, "")
	h.Pool(t, "p", `{"a":1}`)
	for _, c := range []struct {
		o    Options
		kind core.Kind
		msg  string
		hint string
	}{
		{Options{Pool: "p", Seq: "9"}, core.NotFound, "message not found", "Check available messages: plasmite pool info p (or plasmite follow p --tail 10)."},
		{Options{Pool: "p", Seq: "x"}, core.Usage, "invalid value 'x' for '<SEQ>': invalid digit found in string", "Try `plasmite --help`."},
		{Options{Pool: "nope", Seq: "1"}, core.NotFound, "not found", "Create it first: plasmite pool create nope (or pass --dir for a different pool directory)."},
		{Options{Pool: "./a/b.plasmite", Seq: "1"}, core.NotFound, "not found", "Pool path not found. Check the path or pass --dir for a different pool directory."},
		{Options{Pool: "ftp://h/p", Seq: "1"}, core.Usage, "remote pool ref must use http or https scheme", "Use shorthand: http(s)://host:port/<pool>."},
	} {
		err := Run(context.Background(), &c.o, h.Env)
		e := wire.ErrorOf(err)
		if e.Kind != c.kind || e.Message != c.msg || e.Hint != c.hint {
			t.Errorf("%+v: %+v", c.o, e)
		}
		if c.msg == "message not found" && (e.Seq == nil || *e.Seq != 9 || e.Path != "" || e.Err != nil) {
			t.Errorf("missing message: seq %v path %q cause %v", e.Seq, e.Path, e.Err)
		}
	}
	if h.Stdout.Len() != 0 {
		t.Errorf("errors print nothing on stdout: %q", h.Stdout)
	}
}
