package lite3

import (
	"bytes"
	"math/rand/v2"
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
