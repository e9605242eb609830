package lite3

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// seedDocs returns the vector documents (small ones) and the 1.2.1 goldens.
func seedDocs(f *testing.F) [][]byte {
	var docs [][]byte
	for _, v := range fuzzVectors(f) {
		if v.bytes != nil && len(v.bytes) < 16<<10 {
			docs = append(docs, v.bytes)
		}
	}
	names, _ := filepath.Glob(filepath.Join("testdata", "ref-1.2.1", "*.lite3"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err == nil && len(b) < 16<<10 {
			docs = append(docs, b)
		}
	}
	return docs
}

func isCorrupt(err error) bool {
	var le *Error
	return errors.As(err, &le) && le.Corrupt
}

// FuzzDecode feeds arbitrary bytes to every reader. Nothing may panic or
// hang; errors are Corrupt; whatever validates renders to valid JSON that
// agrees with ToAny.
func FuzzDecode(f *testing.F) {
	for _, d := range seedDocs(f) {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		exercise(doc)
		checkQuick(t, doc)
		checkFastSlow(t, doc)
		err := Validate(doc)
		if err != nil {
			if !isCorrupt(err) {
				t.Fatalf("Validate: non-Corrupt error %v", err)
			}
			if _, err2 := AppendJSON(nil, doc, jsonfmt.Compact); err2 == nil {
				t.Fatalf("AppendJSON accepted what Validate refused (%v)", err)
			}
			return
		}
		text, err := AppendJSON(nil, doc, jsonfmt.ExactFloats)
		if err != nil {
			t.Fatalf("AppendJSON failed on a valid document: %v", err)
		}
		if !json.Valid(text) || !utf8.Valid(text) {
			t.Fatalf("invalid JSON output: %q", text)
		}
		pretty, err := AppendJSON(nil, doc, jsonfmt.Pretty|jsonfmt.Color|jsonfmt.ExactFloats)
		if err != nil || stripANSI(pretty) != string(jsonfmt.AppendValue(nil, jsonfmt.RawJSON(text), jsonfmt.Pretty)) {
			t.Fatalf("pretty/color rendering disagrees with compact: %v", err)
		}
		if doc[0] == typeObject {
			tree, err := ToAny(doc)
			if err != nil {
				t.Fatalf("ToAny failed on a valid document: %v", err)
			}
			if w := jsonfmt.AppendValue(nil, tree, jsonfmt.Compact); !bytes.Equal(w, text) {
				t.Fatalf("ToAny and AppendJSON disagree:\n%s\n%s", w, text)
			}
		}
	})
}

// FuzzLookup checks that, on every document Validate accepts, lookups by
// key and index agree with the full decode, and that a fuzzed key is found
// exactly when the decode has it.
func FuzzLookup(f *testing.F) {
	for _, d := range seedDocs(f) {
		f.Add(d, "data")
		f.Add(d, "x")
	}
	f.Fuzz(func(t *testing.T, doc []byte, key string) {
		root, err := Root(doc)
		if err != nil {
			return
		}
		if _, ok := root.Get(key); ok && Validate(doc) != nil {
			return // lookups on corrupt bytes only need to be safe
		}
		if Validate(doc) != nil {
			steps := 20000
			walkValue(root, 0, &steps)
			return
		}
		d := getDecoder(doc, false, jsonfmt.Compact)
		whole, derr := d.anyValue(0, 0)
		putDecoder(d)
		if derr != nil {
			t.Fatalf("decode of a valid document failed: %v", derr)
		}
		checkLookups(t, root, whole, "")
		if m, ok := whole.(map[string]any); ok {
			want, has := m[key]
			got, found := root.Get(key)
			if has != found {
				t.Fatalf("Get(%q) found=%v, decode has=%v", key, found, has)
			}
			if found && !cmp.Equal(valueToAny(t, got), want, exactFloats) {
				t.Fatalf("Get(%q) value differs", key)
			}
			if data, ok := m["data"].(map[string]any); ok {
				dv, _ := root.Get("data")
				want, has := data[key]
				got, found := dv.Get(key)
				if has != found || (found && !cmp.Equal(valueToAny(t, got), want, exactFloats)) {
					t.Fatalf("data.Get(%q) disagrees", key)
				}
			}
		}
		if tags, err := metaTags(root); err == nil && ValidateMessage(doc) == nil {
			var list []string
			it := tags.Iter()
			for it.Next() {
				s, _ := it.Value().Str()
				list = append(list, s)
			}
			ok, err := HasAllTags(doc, list)
			if !ok || err != nil {
				t.Fatalf("HasAllTags(own tags) = %v, %v", ok, err)
			}
			has := false
			for _, s := range list {
				has = has || s == key
			}
			ok, err = HasAllTags(doc, []string{key})
			if ok != has || err != nil {
				t.Fatalf("HasAllTags(%q) = %v, %v; want %v", key, ok, err, has)
			}
		}
	})
}

// FuzzEncode feeds arbitrary text to the encoder: it must either refuse
// with a usage error or produce a valid message whose data decodes to the
// same JSON value, in both modes, and the decoded text re-encodes to the
// same bytes.
func FuzzEncode(f *testing.F) {
	for _, v := range fuzzVectors(f) {
		if len(v.Data) < 16<<10 {
			f.Add([]byte(v.Data), strings.Join(v.Tags, ","))
		}
	}
	f.Add([]byte(`{"a":1,"a":[1e400]}`), "")
	f.Add([]byte(`{"s":"\ud83d\ude42\u0000","n":-0,"f":1.5E+3}`), "x,y")
	f.Fuzz(func(t *testing.T, data []byte, tagList string) {
		var tags []string
		if tagList != "" {
			tags = strings.Split(tagList, ",")
		}
		legacy, lerr := EncodeMessageLegacy(nil, data, tags)
		release, rerr := EncodeMessage(nil, data, tags)
		if (lerr == nil) != (rerr == nil) {
			// only the float readers differ: out of range in one mode only
			if !strings.Contains(errString(lerr)+errString(rerr), "out of range") {
				t.Fatalf("modes disagree: legacy %v, release %v", lerr, rerr)
			}
			return
		}
		if lerr != nil {
			var le *Error
			if !errors.As(lerr, &le) || le.Corrupt {
				t.Fatalf("want a usage *Error, got %v", lerr)
			}
			if le.Pos > len(data) {
				t.Fatalf("error position %d beyond input %d", le.Pos, len(data))
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		for _, doc := range [][]byte{legacy, release} {
			if err := ValidateMessage(doc); err != nil {
				t.Fatalf("encoder output does not validate: %v", err)
			}
			if ok, err := HasAllTags(doc, tags); !ok || err != nil {
				t.Fatalf("HasAllTags(own tags) = %v, %v", ok, err)
			}
		}
		if len(legacy) != len(release) {
			t.Fatalf("layouts differ: %d vs %d bytes", len(legacy), len(release))
		}
		canonDoc, canon, cerr := EncodeMessageCanonical(nil, data, tags)
		if cerr != nil || !bytes.Equal(canonDoc, release) {
			t.Fatalf("EncodeMessageCanonical differs from EncodeMessage: %v", cerr)
		}
		if canon {
			if text, err := AppendDataJSON(nil, release, jsonfmt.Compact); err != nil || !bytes.Equal(text, data) {
				t.Fatalf("canonical %q renders %q (%v)", data, text, err)
			}
		}
		dj, err := AppendDataJSON(nil, legacy, jsonfmt.ExactFloats)
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if err := json.Unmarshal(dj, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &b); err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(a, b) {
			t.Fatalf("decoded data differs:\n%s\n%s", dj, data)
		}
		again, err := EncodeMessageLegacy(nil, dj, tags)
		if err != nil || !bytes.Equal(again, legacy) {
			t.Fatalf("re-encoding differs: %v", err)
		}
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
