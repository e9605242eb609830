package feed

import (
	"bytes"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil/cmdtest"
	"github.com/plasmite-go/plasmite/wire"
)

// A YAML document is stored exactly as the JSON with the same values:
// integers exact (to the 64-bit limits), reals as the nearest double,
// strings that look like numbers kept as strings.
func TestYAMLStoredAsJSON(t *testing.T) {
	for _, c := range []struct{ yaml, json string }{
		{"i: 9223372036854775807\nn: -9223372036854775808\nu: 18446744073709551615", `{"i":9223372036854775807,"n":-9223372036854775808,"u":18446744073709551615}`},
		{"h: 0x1F\no: 0o17\nb: 0b11\nz: -0\np: +7", `{"h":31,"o":15,"b":3,"z":0,"p":7}`},
		{"f: 0.1\ng: 1.7976931348623157e308\nt: 3.0e-5\ne: 1e3\nd: 1.\nh: .5\nm: -0.0\nl: 01.5", `{"f":0.1,"g":1.7976931348623157e308,"t":3.0e-5,"e":1e3,"d":1.0,"h":0.5,"m":-0.0,"l":1.5}`},
		{"x: 1.23456789012345678901", `{"x":1.23456789012345678901}`},
		{"s: '017'\nt: \"1e3\"\nu: 017\nv: 1_000\nw: 0X1F\ny: yes\nn: .e1\nq: 12:30", `{"s":"017","t":"1e3","u":"017","v":"1_000","w":"0X1F","y":"yes","n":".e1","q":"12:30"}`},
		{"a: ~\nb: null\nc:\nd: true\ne: FALSE", `{"a":null,"b":null,"c":null,"d":true,"e":false}`},
		{"k: !!str 5\nl: [1, {m: x}]\nb: |\n  x\n  ...\n", `{"k":"5","l":[1,{"m":"x"}],"b":"x\n...\n"}`},
		{`"é": "\u00e9\x41"`, `{"é":"éA"}`},
	} {
		fromYAML, fromJSON := stored(t, c.yaml, "yaml"), stored(t, c.json, "json")
		if !bytes.Equal(fromYAML, fromJSON) {
			t.Errorf("%q is stored as %x; the JSON %s as %x", c.yaml, fromYAML, c.json, fromJSON)
		}
	}
}

func stored(t *testing.T, in, format string) []byte {
	t.Helper()
	h := cmdtest.New(t, in)
	p := h.Pool(t, "p")
	if err := Run(ctx, &Options{Pool: "p", InputFormat: format}, h.Env); err != nil {
		t.Fatalf("%s %q: %v", format, in, err)
	}
	m, err := p.Get(1)
	if err != nil {
		t.Fatal(err)
	}
	return m.Payload
}

// What 1.2.1 refuses, with its messages; the messages before a bad
// document stay appended.
func TestYAMLErrors(t *testing.T) {
	for _, c := range []struct{ in, msg string }{
		{"---\na: 1\n", "YAML document is missing its ... end marker"},
		{"b: 2\n", "YAML messages require a --- start marker"},
		{"---\na: 1\n---\nb: 2\n...\n", "YAML messages require explicit document boundaries"},
		{"---\na: &x 1\nb: *x\n...\n", "invalid or unsupported YAML message"},
		{"---\na: 1\na: 2\n...\n", "invalid or unsupported YAML message"},
		{"---\nm:\n  <<: {x: 1}\n...\n", "invalid or unsupported YAML message"},
		{"---\nv: .inf\n...\n", "invalid or unsupported YAML message"},
		{"---\nv: 1e400\n...\n", "invalid or unsupported YAML message"},
		{"---\nv: 18446744073709551616\n...\n", "invalid YAML message"},
		{"---\n1: a\n...\n", "YAML object keys must be strings"},
		{"---\nv: !custom x\n...\n", "YAML tags are not supported"},
		{"---\n- 1\n...\n", "data must be object"},
		{"---\nv: " + strings.Repeat("[", 130) + strings.Repeat("]", 130) + "\n...\n", "invalid or unsupported YAML message"},
	} {
		h := cmdtest.New(t, "---\nok: 1\n...\n"+c.in)
		p := h.Pool(t, "p")
		e := wire.ErrorOf(Run(ctx, &Options{Pool: "p"}, h.Env))
		if e.Kind != core.Usage || e.Message != c.msg || p.Bounds().Newest != 1 {
			t.Errorf("%q: %+v (bounds %+v), want Usage %q after one message", c.in, e, p.Bounds(), c.msg)
		}
	}
	h := cmdtest.New(t, "a: 1\n") // unmarked: YAML only when asked for
	h.Pool(t, "p")
	if e := wire.ErrorOf(Run(ctx, &Options{Pool: "p"}, h.Env)); e.Message != "unknown input format" {
		t.Errorf("unmarked YAML in auto mode: %+v", e)
	}
}
