package lite3

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// appendDataSlow is AppendDataJSON by the validating walker alone.
func appendDataSlow(dst, doc []byte, style jsonfmt.Style) ([]byte, error) {
	root, err := Root(doc)
	if err != nil {
		return dst, err
	}
	data, err := messageData(root)
	if err != nil {
		return dst, err
	}
	d := getDecoder(doc, true, style)
	defer putDecoder(d)
	d.out = dst
	if err := d.value(data.off, 0, 0); err != nil {
		return dst, err
	}
	return d.out, nil
}

// checkFastSlow checks that the renderers (fast path with fallback) give
// exactly what the validating walker alone gives: the same text or the same
// error, in every style, and leave dst's bytes alone on error.
func checkFastSlow(t *testing.T, doc []byte) {
	t.Helper()
	prefix := []byte("prefix:")
	for _, style := range []jsonfmt.Style{jsonfmt.Compact, jsonfmt.Pretty | jsonfmt.Color, jsonfmt.ExactFloats, jsonfmt.Color} {
		type fn func(dst []byte) ([]byte, error)
		pairs := []struct {
			name       string
			fast, slow fn
		}{
			{"AppendJSON",
				func(dst []byte) ([]byte, error) { return AppendJSON(dst, doc, style) },
				func(dst []byte) ([]byte, error) { return appendJSONSlow(dst, doc, style) }},
			{"AppendDataJSON",
				func(dst []byte) ([]byte, error) { return AppendDataJSON(dst, doc, style) },
				func(dst []byte) ([]byte, error) { return appendDataSlow(dst, doc, style) }},
			{"AppendMessageJSON",
				func(dst []byte) ([]byte, error) { return AppendMessageJSON(dst, doc, 7, 1770075900123456789, style) },
				func(dst []byte) ([]byte, error) {
					return appendMessageSlow(dst, doc, 7, 1770075900123456789, style)
				}},
		}
		for _, p := range pairs {
			got, gerr := p.fast(bytes.Clone(prefix))
			want, werr := p.slow(bytes.Clone(prefix))
			if errString(gerr) != errString(werr) {
				t.Fatalf("%s style %d: error %v, walker %v", p.name, style, gerr, werr)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s style %d: differs at %d:\n got %.300q\nwant %.300q", p.name, style, firstDiff(got, want), got, want)
			}
		}
	}
}

// TestFastMatchesWalker compares the fast renderer with the walker on the
// vectors, on generated messages (with big objects, deep arrays and
// colliding keys) and on randomly damaged copies of them.
func TestFastMatchesWalker(t *testing.T) {
	var docs [][]byte
	for _, v := range loadVectors(t) {
		if v.bytes != nil {
			docs = append(docs, v.bytes)
		}
	}
	n := 200
	if testing.Short() {
		n = 40
	}
	for seed := range n {
		budget := 150
		g := gen{rand.New(rand.NewPCG(uint64(seed), 7)), &budget}
		data := g.object(0, g.r.IntN(40))
		var tags []string
		for range g.r.IntN(12) {
			tags = append(tags, g.str(g.r.IntN(5)))
		}
		doc, err := EncodeMessage(nil, g.render(nil, data), tags)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	var small [][]byte
	for _, doc := range docs {
		checkFastSlow(t, doc)
		if len(doc) <= 4096 {
			small = append(small, doc)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	mutations := 4000
	if testing.Short() {
		mutations = 500
	}
	for range mutations {
		doc := bytes.Clone(small[r.IntN(len(small))])
		for range 1 + r.IntN(3) {
			i := r.IntN(len(doc))
			switch r.IntN(3) {
			case 0:
				doc[i] = byte(r.IntN(256))
			case 1:
				doc[i] ^= 1 << r.IntN(8)
			default:
				doc[i]++
			}
		}
		checkFastSlow(t, doc)
	}
}
