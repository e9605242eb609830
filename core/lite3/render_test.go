package lite3

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// appendDataJSONSlow is AppendDataJSON by the validating walker alone.
func appendDataJSONSlow(dst, doc []byte, style jsonfmt.Style) ([]byte, error) {
	root, err := Root(doc)
	if err != nil {
		return dst, err
	}
	data, err := messageData(root)
	if err != nil {
		return dst, err
	}
	return appendDataSlow(dst, doc, data, style)
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
				func(dst []byte) ([]byte, error) { return appendDataJSONSlow(dst, doc, style) }},
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

// TestFewDigits checks fewDigits against strconv's shortest digits on
// short decimals, their neighbours and random bit patterns.
func TestFewDigits(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n := 300000
	if testing.Short() {
		n = 30000
	}
	check := func(f float64) {
		var b1, b2 [24]byte
		d, e, ok := fewDigits(&b1, f)
		if !ok {
			return
		}
		wd, we := floatDigits(&b2, f)
		if string(d) != string(wd) || e != we {
			t.Fatalf("%v (%#x): fewDigits %s e%d, strconv %s e%d", f, math.Float64bits(f), d, e, wd, we)
		}
	}
	hits := 0
	for i := range n {
		var f float64
		switch i % 4 {
		case 0: // a short decimal
			f = float64(r.Int64N(1<<uint(1+r.IntN(53)))) / pow10[r.IntN(23)]
		case 1: // its neighbours
			f = float64(r.Int64N(1<<uint(1+r.IntN(53)))) / pow10[r.IntN(23)]
			f = math.Nextafter(f, math.Inf(2*r.IntN(2)-1))
		case 2:
			f = math.Float64frombits(r.Uint64())
		default: // powers of two and their neighbours (asymmetric intervals)
			f = math.Ldexp(1, r.IntN(120)-70)
			if r.IntN(2) == 0 {
				f = math.Nextafter(f, 0)
			}
		}
		if r.IntN(2) == 0 {
			f = -f
		}
		if f == 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			continue
		}
		var b [24]byte
		if _, _, ok := fewDigits(&b, f); ok {
			hits++
		}
		check(f)
	}
	for _, f := range []float64{23.5, 0.1, 0.2, 0.3, 1e-5, 1e-7, 123456789012345, 4503599627370495, 4503599627370495.5, 0.30000000000000004, 1e15, 1e16, 9.999999999999999, 99.99999999999999, 5e-324, math.MaxFloat64, 1.5e300} {
		check(f)
		check(-f)
	}
	if hits < n/4 {
		t.Fatalf("fewDigits answered only %d of %d", hits, n)
	}
}
