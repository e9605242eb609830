package local

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// randomValue builds a tree of the types appendValue handles.
func randomValue(r *rand.Rand, depth int) any {
	strs := []string{"", "a", "<&>", "\"\\", "\x00\x1f\b\f\n\r\t", "é😀", "\u2028\u2029", "\xff\xfe", "a\xc3", "key"}
	floats := []float64{0, math.Copysign(0, -1), 1, 3, 0.1, 23.5, 1e-6, 9.99e-7, 1e20, 1e21, 1.5e300, 5e-324,
		math.MaxFloat64, -2.5e-8, 123456789.125, float64(1 << 53)}
	n := 12
	if depth > 3 {
		n = 10 // no more containers
	}
	switch r.Intn(n) {
	case 0:
		return nil
	case 1:
		return r.Intn(2) == 0
	case 2:
		return strs[r.Intn(len(strs))] + strs[r.Intn(len(strs))]
	case 3:
		return floats[r.Intn(len(floats))] * float64(1-2*r.Intn(2))
	case 4:
		f := float32(floats[r.Intn(len(floats))])
		if math.IsInf(float64(f), 0) {
			f = 1.5e38
		}
		return f
	case 5:
		return r.Int63() - r.Int63()
	case 6:
		return []any{int(r.Int31()), int8(r.Int()), int16(r.Int()), int32(r.Int())}[r.Intn(4)]
	case 7:
		return []any{uint(r.Uint32()), uint8(r.Int()), uint16(r.Int()), uint32(r.Int()), r.Uint64()}[r.Intn(5)]
	case 8:
		if r.Intn(4) == 0 {
			return []string(nil)
		}
		return []string{strs[r.Intn(len(strs))], strs[r.Intn(len(strs))]}
	case 9:
		return r.NormFloat64() * math.Pow(10, float64(r.Intn(60)-30))
	case 10:
		if r.Intn(5) == 0 {
			return []any(nil)
		}
		l := make([]any, r.Intn(4))
		for i := range l {
			l[i] = randomValue(r, depth+1)
		}
		return l
	default:
		if r.Intn(5) == 0 {
			return map[string]any(nil)
		}
		m := map[string]any{}
		for i := r.Intn(20); i > 0; i-- {
			m[strs[r.Intn(len(strs))]+strs[r.Intn(len(strs))]] = randomValue(r, depth+1)
		}
		return m
	}
}

func TestAppendValueMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for i := 0; i < 20000; i++ {
		v := randomValue(r, 0)
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := appendValue(nil, v, 0)
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("appendValue(%#v) = %s, %v\nencoding/json: %s", v, got, ok, want)
		}
	}
}

func TestAppendValueDefersToEncodingJSON(t *testing.T) {
	type named string
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	for _, v := range []any{
		math.NaN(), math.Inf(1), float32(math.Inf(-1)),
		json.Number("1"), json.RawMessage(`{}`), named("x"), struct{}{}, []int{1}, map[string]int{}, &struct{}{},
		map[string]any{"ok": 1, "bad": []byte("x")}, []any{1, complex(1, 2)}, cyclic,
	} {
		if _, ok := appendValue(nil, v, 0); ok {
			t.Errorf("appendValue took %T", v)
		}
	}
	deep := any(1)
	for i := 0; i < 2*maxDepth; i++ {
		deep = []any{deep}
	}
	if _, ok := appendValue(nil, deep, 0); ok {
		t.Error("appendValue followed 2000 levels")
	}
	shallow := any(strings.Repeat("x", 3))
	for i := 0; i < maxDepth; i++ {
		shallow = map[string]any{"k": shallow}
	}
	got, ok := appendValue(nil, shallow, 0)
	want, _ := json.Marshal(shallow)
	if !ok || !bytes.Equal(got, want) {
		t.Errorf("1000 levels: %v", ok)
	}
}

func FuzzAppendValueString(f *testing.F) {
	for _, s := range []string{"", "plain", "<a href=\"x\">&amp;</a>", "\x00\u2028\xff", "é😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := map[string]any{s: []any{s, []string{s}}}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := appendValue(nil, v, 0); !ok || !bytes.Equal(got, want) {
			t.Fatalf("%q: %s, want %s", s, got, want)
		}
	})
}
