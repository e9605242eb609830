package lite3

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// Duplicate keys: the last one wins, wherever the earlier one sorts, and
// the document is the one the deduplicated object gives.
func TestEncodeDuplicateKeys(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"b":1,"a":2,"b":3}`, `{"a":2,"b":3}`},
		{`{"abcdefghij":1,"b":2,"abcdefghik":3,"abcdefghij":4,"a":5}`, `{"a":5,"abcdefghij":4,"abcdefghik":3,"b":2}`},
		{`{"z":1,"y":2,"x":3,"z":4,"z":5,"a":6}`, `{"a":6,"x":3,"y":2,"z":5}`},
		{`{"":1,"a":2,"":3}`, `{"":3,"a":2}`},
		{`{"k":{"x":1,"x":[1,2]},"k":{"y":2,"y":3}}`, `{"k":{"y":3}}`},
	}
	for _, c := range cases {
		got, err := EncodeMessage(nil, []byte(c.in), []string{"t"})
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		want, err := EncodeMessage(nil, []byte(c.want), []string{"t"})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: document differs from the one of %s", c.in, c.want)
		}
		text, err := AppendDataJSON(nil, got, jsonfmt.Compact)
		if err != nil || string(text) != c.want {
			t.Errorf("%s: decoded %s, %v; want %s", c.in, text, err, c.want)
		}
	}
}

// The one-node layout (containers of at most 7 members) lays out exactly
// the bytes the general insertion does, in both modes.
func TestOneNodeLayoutIsInsertion(t *testing.T) {
	var texts [][]byte
	var tagLists [][]string
	for _, v := range loadVectors(t) {
		texts, tagLists = append(texts, []byte(v.Data)), append(tagLists, v.Tags)
	}
	for seed := range 200 {
		budget := 1500
		g := gen{rand.New(rand.NewPCG(uint64(seed), 7)), &budget}
		texts = append(texts, g.render(nil, g.object(0, g.r.IntN(12))))
		var tags []string
		for range g.r.IntN(11) {
			tags = append(tags, g.str(g.r.IntN(5)))
		}
		tagLists = append(tagLists, tags)
	}
	for i, text := range texts {
		for _, legacy := range []bool{false, true} {
			fast, ferr := encodeMessage(nil, text, tagLists[i], legacy)
			e := &encoder{general: true}
			slow, serr := e.encode(nil, text, tagLists[i], legacy)
			if (ferr == nil) != (serr == nil) {
				t.Fatalf("%s: errors differ: %v vs %v", text, ferr, serr)
			}
			if serr == nil && !bytes.Equal(fast, slow) {
				t.Fatalf("%s (legacy %v): one-node layout differs from insertion", text, legacy)
			}
		}
	}
}

// A text reported canonical renders back byte for byte; the texts
// JavaScript's JSON.stringify writes for sorted objects are canonical, and
// everything the renderer would write differently is not.
func TestEncodeMessageCanonical(t *testing.T) {
	cases := []struct {
		in    string
		canon bool
	}{
		{`{}`, true},
		{`{"id":1234567,"kind":"bench","ok":true,"payload":"abc"}`, true},
		{`{"a":{"b":[1,-2,{"c":null}],"d":false},"e":[]}`, true},
		{`{"f":1.5,"g":-0.25,"h":1e+21,"i":1.5e-7,"j":0.00001,"k":123456.789}`, true},
		{`{"s":"line\nbreak \"q\" \\ \t\b\f\r \u0000\u001f żółw 🐢 ` + "\x7f" + `"}`, true},
		{`{"s":"\u007f"}`, false},
		{`{"m":-9223372036854775808,"n":9223372036854775807}`, true},
		{`{"ab":1,"abc":2,"abd":3,"b":4}`, true},
		{`{"abcdefghij":1,"abcdefghik":2}`, true},
		{` {}`, false},
		{`{"a":1, "b":2}`, false},
		{`{"a":1}` + "\n", false},
		{`{"b":1,"a":2}`, false},
		{`{"a":1,"a":2}`, false},
		{`{"abcdefghik":1,"abcdefghij":2}`, false},
		{`{"a":{"y":1,"x":2}}`, false},
		{`{"s":"\/"}`, false},
		{`{"s":"\u0041"}`, false},
		{`{"s":"\u000a"}`, false},
		{`{"s":"\u001F"}`, false},
		{`{"s":"\ud83d\ude42"}`, false},
		{`{"x":-0}`, false},
		{`{"x":1.0}`, true}, // the renderer's form of a whole float
		{`{"x":1.50}`, false},
		{`{"x":1E+21}`, false},
		{`{"x":1e21}`, false},
		{`{"x":0.000001}`, false},              // rendered 1e-6
		{`{"x":9223372036854775808}`, false},   // beyond int64: a float
		{`{"x":123456789012345680000}`, false}, // read one ulp off by the release's reader
		{`{"x":0.30000000000000004}`, true},
		{`{"x":5e-324}`, true},
		{`{"x":1.7976931348623157e+308}`, true},
	}
	for _, c := range cases {
		doc, canon, err := EncodeMessageCanonical(nil, []byte(c.in), []string{"t"})
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if want, _ := EncodeMessage(nil, []byte(c.in), []string{"t"}); !bytes.Equal(doc, want) {
			t.Errorf("%s: the document differs from EncodeMessage's", c.in)
		}
		text, err := AppendDataJSON(nil, doc, jsonfmt.Compact)
		if err != nil {
			t.Fatal(err)
		}
		if canon != c.canon {
			t.Errorf("%s: canonical %v, want %v (renders %s)", c.in, canon, c.canon, text)
		}
		if canon && string(text) != c.in {
			t.Errorf("%s: canonical, but renders %s", c.in, text)
		}
	}
	for i := 0; i < 2000; i++ {
		f := math.Float64frombits(rand.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		in := []byte(`{"f":` + strconv.FormatFloat(f, 'g', -1, 64) + `}`)
		if doc, canon, err := EncodeMessageCanonical(nil, in, nil); err == nil && canon {
			if text, _ := AppendDataJSON(nil, doc, jsonfmt.Compact); !bytes.Equal(text, in) {
				t.Fatalf("%s: canonical, but renders %s", in, text)
			}
		}
	}
	if _, canon, err := EncodeMessageCanonical(nil, []byte(`{"a":`), nil); err == nil || canon {
		t.Errorf("bad JSON: canonical %v, error %v", canon, err)
	}
}
