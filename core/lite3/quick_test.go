package lite3

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// checkQuick fails when the quick checks accept a document the full walker
// refuses.
func checkQuick(t testing.TB, doc []byte) {
	t.Helper()
	if quickValid(doc) {
		if err := validateFull(doc); err != nil {
			t.Fatalf("quickValid accepted a document the walker refuses: %v\n%x", err, doc)
		}
	}
	if quickMessage(doc) {
		if err := validateMessageFull(doc); err != nil {
			t.Fatalf("quickMessage accepted a document the walker refuses: %v\n%x", err, doc)
		}
	}
}

// TestQuickAgreesOnVectors: on the vectors and goldens (valid messages) the
// quick checks accept everything without probed hashes, and every
// single-byte corruption they still accept is accepted by the walker too.
func TestQuickAgreesOnVectors(t *testing.T) {
	var docs [][]byte
	for _, v := range loadVectors(t) {
		if v.bytes != nil {
			docs = append(docs, v.bytes)
		}
	}
	docs = append(docs, goldenDocs(t)...)
	fast := 0
	for _, doc := range docs {
		if validateMessageFull(doc) != nil {
			t.Fatalf("vector does not validate")
		}
		if quickMessage(doc) {
			fast++
		} else if !hasProbedKey(t, doc) {
			t.Errorf("quickMessage refused a valid message without probed keys (%d bytes)", len(doc))
		}
		if quickValid(doc) != quickMessage(doc) {
			t.Errorf("quickValid and quickMessage disagree on a valid message")
		}
		if len(doc) > 4096 {
			continue
		}
		m := append([]byte(nil), doc...)
		for i := range m {
			orig := m[i]
			for _, x := range []byte{orig ^ 1, orig ^ 0x80, orig + 4, 0, 0xff} {
				m[i] = x
				checkQuick(t, m)
			}
			m[i] = orig
		}
		for n := len(doc) - 1; n >= 0 && n > len(doc)-200; n-- {
			checkQuick(t, doc[:n])
		}
	}
	if fast < len(docs)*3/4 {
		t.Errorf("quick path taken for only %d of %d valid documents", fast, len(docs))
	}
}

// hasProbedKey reports whether some object key of doc is stored under a
// probed hash (or holds a NUL byte), which the quick check leaves to the
// walker.
func hasProbedKey(t testing.TB, doc []byte) bool {
	root, err := Root(doc)
	if err != nil {
		t.Fatal(err)
	}
	var walk func(v Value) bool
	walk = func(v Value) bool {
		if v.Kind() != Object && v.Kind() != Array {
			return false
		}
		it := v.Iter()
		for it.Next() {
			if v.Kind() == Object {
				k := it.Key()
				if h, ok := v.find(djb2(k)); !ok || !keyIs(doc, h, k) {
					return true
				}
				for _, c := range k {
					if c == 0 {
						return true
					}
				}
			}
			if walk(it.Value()) {
				return true
			}
		}
		return false
	}
	return walk(root)
}

func keyIs(doc []byte, kv uint32, k []byte) bool {
	got, _, ok := keyAt(doc, kv)
	return ok && string(got) == string(k)
}

// goldenDocs returns the 1.2.1 golden documents.
func goldenDocs(t testing.TB) [][]byte {
	names, _ := filepath.Glob(filepath.Join("testdata", "ref-1.2.1", "*.lite3"))
	var docs [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, b)
	}
	return docs
}

func TestAsciiHash(t *testing.T) {
	for _, k := range []string{"", "a", "ab", "abc", "abcd", "abcde", "sensor", "temperature-01", "x\x7fyz~~~~!"} {
		h, ok := asciiHash([]byte(k))
		if !ok || h != djb2(k) {
			t.Errorf("asciiHash(%q) = %d, %v; want %d", k, h, ok, djb2(k))
		}
	}
	for _, k := range []string{"\x00", "abc\x00", "abcd\x00efg", "é", "abcdé", "abcdefg\x80", "\x01\x00\x01\x01"} {
		if _, ok := asciiHash([]byte(k)); ok {
			t.Errorf("asciiHash(%q) accepted", k)
		}
	}
	if !isASCII([]byte("0123456789abcdef~")) || isASCII([]byte("0123456789é")) || isASCII([]byte("01234567\xff")) {
		t.Error("isASCII wrong")
	}
}

// TestWordHash: the word-at-a-time DJB2 and ASCII checks agree with the
// byte-wise ones for every key length, whatever follows the key.
func TestWordHash(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		key := make([]byte, r.IntN(40))
		for j := range key {
			key[j] = byte(1 + r.IntN(126))
			if r.IntN(60) == 0 {
				key[j] = byte(r.IntN(256)) // sometimes NUL or non-ASCII
			}
		}
		b := make([]byte, len(key)+8+r.IntN(3))
		for j := range b {
			b[j] = byte(r.IntN(256)) // garbage around the key
		}
		off := uint64(len(b) - len(key) - 8)
		copy(b[off:], key)
		want, wok := asciiHash(key)
		got, ok := wordHash(b, off, uint64(len(key)))
		if ok != wok || (ok && got != want) {
			t.Fatalf("wordHash(%q) = %d, %v; want %d, %v", key, got, ok, want, wok)
		}
		if ok && got != djb2(key) {
			t.Fatalf("wordHash(%q) = %d, djb2 %d", key, got, djb2(key))
		}
		for s := uint64(0); s <= uint64(len(key)); s++ {
			e := s + uint64(r.IntN(len(key)-int(s)+1))
			if asciiSpan(b[:off+uint64(len(key))+uint64(r.IntN(9))], off+s, off+e) != isASCII(key[s:e]) {
				t.Fatalf("asciiSpan(%q[%d:%d]) wrong", key, s, e)
			}
		}
	}
}

// printedFloatVia returns the value the reference release prints for a
// stored f64, as the renderers compute it: its Lite3 library writes the
// shortest round-trip digits, positional when −6 < (decimal exponent + 1)
// ≤ 21 ("123.0", "0.000001", "100000000000000000000.0") and d.ddde±X
// otherwise, and its JSON layer parses that text back (parseFloatRelease)
// before printing. fast skips the re-read where exactReread allows it.
func printedFloatVia(f float64, fast bool) float64 {
	if f == 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return f
	}
	var dbuf [24]byte
	digits, exp := floatDigits(&dbuf, f)
	if fast && exactReread(digits, exp) {
		return f
	}
	return reread(f, digits, exp)
}

// TestPrintedFloatShortcut: skipping the re-read where exactReread allows
// it changes no printed value.
func TestPrintedFloatShortcut(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(f float64) {
		t.Helper()
		a, b := printedFloatVia(f, true), printedFloatVia(f, false)
		if math.Float64bits(a) != math.Float64bits(b) {
			t.Fatalf("printedFloat(%v): shortcut %v, re-read %v", f, a, b)
		}
		if f != 0 && !math.IsInf(f, 0) && !math.IsNaN(f) {
			var buf [24]byte
			digits, exp := floatDigits(&buf, f)
			got := jsonfmt.AppendFloatDigits(nil, f < 0, digits, exp)
			if want := jsonfmt.AppendFloat(nil, f); string(got) != string(want) {
				t.Fatalf("AppendFloatDigits(%v) = %s, AppendFloat %s", f, got, want)
			}
		}
	}
	for _, f := range []float64{23.5, 1, 0.1, 1e20, 1e21, 1e22, 1e23, 123456789012345678, 9007199254740993,
		1.8446744073709552e+19, 0.00001, 0.000001, 1e-7, 5e-324, math.MaxFloat64, 1e-22, 1.2345e-23, 4.35e-7} {
		check(f)
		check(-f)
	}
	for i := 0; i < 100000; i++ {
		check(math.Float64frombits(r.Uint64()))
		// short decimals at every magnitude, where the shortcut applies
		d := float64(r.Int64N(1_000_000_000_000))
		check(d * math.Pow(10, float64(r.IntN(60)-40)))
		check(float64(r.Int64N(1<<62)) / 1000)
	}
}

func TestKeyPrefix(t *testing.T) {
	buf := []byte("abcdefghijklmnop")
	for n := 0; n <= 10; n++ {
		want := uint64(0)
		for i := 0; i < 8; i++ {
			want <<= 8
			if i < n {
				want |= uint64(buf[i])
			}
		}
		if got := keyPrefix(buf[:n]); got != want {
			t.Errorf("keyPrefix(%q) = %x, want %x", buf[:n], got, want)
		}
		if got := keyPrefix(append([]byte(nil), buf[:n]...)[:n:n]); got != want {
			t.Errorf("keyPrefix(%q) without spare capacity = %x, want %x", buf[:n], got, want)
		}
		if n < 8 {
			if got := binary.BigEndian.Uint64(buf) & prefixMask(n); got != want {
				t.Errorf("prefixMask(%d) wrong: %x", n, got)
			}
		}
	}
}
