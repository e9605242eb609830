package lite3

import (
	"bytes"
	"encoding/base64"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// gen makes random JSON trees (typed as ToAny returns them) and renders
// them with members in random order.
type gen struct {
	r      *rand.Rand
	budget *int // values still to generate
}

func (g gen) key() string {
	switch g.r.IntN(10) {
	case 0:
		return ""
	case 1:
		return string(bytes.Repeat([]byte{'k'}, 60+g.r.IntN(200)))
	case 2:
		return "k" + strconv.Itoa(g.r.IntN(5)) // collides with siblings → dedupe tests
	}
	// keys never hold NUL: the encoders refuse them (see TestNulKeysRefusedOnWrite)
	return strings.ReplaceAll(g.str(1+g.r.IntN(8)), "\x00", "0")
}

const alphabet = "abcxyz_\"\\\n\t\x00\x1f/é中🙂\u2028"

func (g gen) str(n int) string {
	rs := []rune(alphabet)
	var b []rune
	for range n {
		b = append(b, rs[g.r.IntN(len(rs))])
	}
	return string(b)
}

func (g gen) float() float64 {
	switch g.r.IntN(5) {
	case 0:
		return float64(g.r.IntN(2000)-1000) / 8
	case 1:
		return g.r.NormFloat64() * math.Pow(10, float64(g.r.IntN(40)-20))
	case 2:
		return math.Float64frombits(g.r.Uint64()&^(0x7ff<<52) | uint64(g.r.IntN(0x7fe))<<52)
	case 3:
		return math.Copysign(0, -1)
	}
	return g.r.Float64()
}

func (g gen) value(depth int) any {
	*g.budget--
	k := g.r.IntN(10)
	if depth > 5 || *g.budget < 0 {
		k = g.r.IntN(6)
	}
	switch k {
	case 0:
		return nil
	case 1:
		return g.r.IntN(2) == 0
	case 2:
		return int(int64(g.r.Uint64()) >> g.r.IntN(64))
	case 3:
		return g.float()
	case 4, 5:
		return g.str(g.r.IntN(20))
	case 6, 7:
		return g.object(depth+1, g.r.IntN(12))
	default:
		n := g.r.IntN(12)
		if g.r.IntN(20) == 0 && *g.budget > 300 {
			n = 100 + g.r.IntN(200)
		}
		a := make([]any, n)
		for i := range a {
			a[i] = g.value(depth + 1)
		}
		return a
	}
}

func (g gen) object(depth, n int) map[string]any {
	if g.r.IntN(30) == 0 && *g.budget > 400 {
		n = 50 + g.r.IntN(300)
	}
	m := make(map[string]any, n)
	for range n {
		m[g.key()] = g.value(depth)
	}
	return m
}

// render writes v as JSON with object members in map (random) order and,
// sometimes, a duplicate member first that the later one must override.
func (g gen) render(dst []byte, v any) []byte {
	switch x := v.(type) {
	case map[string]any:
		dst = append(dst, '{')
		first := true
		for k, e := range x {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			if g.r.IntN(8) == 0 {
				dst = jsonfmt.AppendString(dst, k)
				dst = append(dst, `:"overridden",`...)
			}
			dst = jsonfmt.AppendString(dst, k)
			dst = append(dst, ':')
			dst = g.render(dst, e)
		}
		return append(dst, '}')
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			dst = g.render(dst, e)
		}
		return append(dst, ']')
	case float64:
		// exact shortest text, sometimes in another spelling
		if g.r.IntN(3) == 0 && x != 0 && !math.IsInf(x, 0) {
			return strconv.AppendFloat(dst, x, 'E', -1, 64)
		}
		return jsonfmt.AppendFloat(dst, x)
	default:
		return jsonfmt.AppendValue(dst, v, jsonfmt.Compact)
	}
}

// valueToAny converts through the lookup API only (Iter, Index, getters).
func valueToAny(t *testing.T, v Value) any {
	switch v.Kind() {
	case Null:
		return nil
	case Bool:
		b, _ := v.Bool()
		return b
	case Int:
		i, _ := v.Int()
		return int(i)
	case Float:
		f, _ := v.Float()
		return f
	case String:
		s, _ := v.Str()
		return s
	case Bytes:
		// as the full decode renders it (ToAny, anyValue): base64 text
		b, _ := v.BytesValue()
		return base64.StdEncoding.EncodeToString(b)
	case Object:
		m := map[string]any{}
		it := v.Iter()
		for it.Next() {
			m[string(it.Key())] = valueToAny(t, it.Value())
		}
		if it.Err() != nil || len(m) != v.Len() {
			t.Fatalf("object iteration: %v, %d of %d", it.Err(), len(m), v.Len())
		}
		return m
	case Array:
		a := []any{}
		it := v.Iter()
		for i := 0; it.Next(); i++ {
			e := valueToAny(t, it.Value())
			byIndex, ok := v.Index(i)
			if !ok || byIndex.off != it.Value().off || byIndex.kind != it.Value().kind {
				t.Fatalf("Index(%d) disagrees with iteration", i)
			}
			a = append(a, e)
		}
		if it.Err() != nil || len(a) != v.Len() {
			t.Fatalf("array iteration: %v, %d of %d", it.Err(), len(a), v.Len())
		}
		return a
	}
	t.Fatalf("unexpected kind %v", v.Kind())
	return nil
}

// checkLookups compares every reachable path of want with Get/Index.
func checkLookups(t *testing.T, v Value, want any, path string) {
	switch w := want.(type) {
	case map[string]any:
		for k, e := range w {
			got, ok := v.Get(k)
			if !ok {
				t.Fatalf("%s: Get(%q) not found", path, k)
			}
			checkLookups(t, got, e, path+"."+k)
		}
		if _, ok := v.Get("\x01absent"); ok {
			t.Fatalf("%s: found an absent key", path)
		}
	case []any:
		for i, e := range w {
			got, ok := v.Index(i)
			if !ok {
				t.Fatalf("%s: Index(%d) not found", path, i)
			}
			checkLookups(t, got, e, path+"["+strconv.Itoa(i)+"]")
		}
		if _, ok := v.Index(len(w)); ok {
			t.Fatalf("%s: Index past the end found", path)
		}
	default:
		if got := valueToAny(t, v); !cmp.Equal(got, want, exactFloats) {
			t.Fatalf("%s: lookup gives %#v, want %#v", path, got, want)
		}
	}
}

func TestRoundTripProperties(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 50
	}
	for seed := range n {
		budget := 1500
		g := gen{rand.New(rand.NewPCG(uint64(seed), 42)), &budget}
		data := g.object(0, g.r.IntN(15))
		var tags []string
		for range g.r.IntN(4) {
			tags = append(tags, g.str(g.r.IntN(5)))
		}
		text := g.render(nil, data)
		legacy, err := EncodeMessageLegacy(nil, text, tags)
		if err != nil {
			t.Fatalf("seed %d: %v\n%.500s", seed, err, text)
		}
		release, err := EncodeMessage(nil, text, tags)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		// Same layout: the two modes differ only in generation counters
		// and in floats the release reads one ulp off.
		if len(legacy) != len(release) {
			t.Fatalf("seed %d: legacy %d bytes, release %d bytes", seed, len(legacy), len(release))
		}
		tagAny := make([]any, len(tags))
		for i, s := range tags {
			tagAny[i] = s
		}
		want := map[string]any{"meta": map[string]any{"tags": tagAny}, "data": data}
		for _, doc := range [][]byte{legacy, release} {
			if err := ValidateMessage(doc); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			got, err := ToAny(doc)
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			opt := exactFloats
			if &doc[0] == &release[0] {
				opt = cmp.Comparer(func(a, b float64) bool { // a few ulps at most
					return a == b || math.Abs(a-b) <= 4e-16*math.Abs(a)
				})
			}
			if d := cmp.Diff(want, got, opt); d != "" {
				t.Fatalf("seed %d: decode differs (-want +got):\n%s", seed, d)
			}
		}
		got, err := ToAny(legacy)
		if err != nil {
			t.Fatal(err)
		}
		root, _ := Root(legacy)
		if d := cmp.Diff(got, valueToAny(t, root), exactFloats); d != "" {
			t.Fatalf("seed %d: lookup API disagrees with ToAny:\n%s", seed, d)
		}
		checkLookups(t, root, want, "")
		// Rendering equals jsonfmt's rendering of the tree, and the text
		// re-encodes to the very same bytes.
		all, err := AppendJSON(nil, legacy, jsonfmt.ExactFloats)
		if err != nil {
			t.Fatal(err)
		}
		if w := jsonfmt.AppendValue(nil, want, jsonfmt.Compact); !bytes.Equal(all, w) {
			t.Fatalf("seed %d: AppendJSON differs at %d", seed, firstDiff(all, w))
		}
		dj, err := AppendDataJSON(nil, legacy, jsonfmt.ExactFloats)
		if err != nil {
			t.Fatal(err)
		}
		again, err := EncodeMessageLegacy(nil, dj, tags)
		if err != nil || !bytes.Equal(again, legacy) {
			t.Fatalf("seed %d: re-encoding differs (%v)", seed, err)
		}
		ok, err := HasAllTags(legacy, tags)
		if !ok || err != nil {
			t.Fatalf("seed %d: HasAllTags = %v, %v", seed, ok, err)
		}
	}
}
