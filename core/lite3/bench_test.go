package lite3

import (
	"testing"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// benchData is a typical ~100-byte message body.
var (
	benchData = []byte(`{"sensor":"temp-01","value":23.5,"unit":"C","ok":true,"count":1234,"site":{"room":"lab","floor":2}}`)
	benchTags = []string{"metrics", "lab"}
)

func benchDoc(b *testing.B) []byte {
	doc, err := EncodeMessage(nil, benchData, benchTags)
	if err != nil {
		b.Fatal(err)
	}
	return doc
}

func BenchmarkEncodeMessage(b *testing.B) {
	buf := make([]byte, 0, 4096)
	b.SetBytes(int64(len(benchData)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		buf, err = EncodeMessage(buf[:0], benchData, benchTags)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeMessageCanonical encodes the C and Node benchmarks'
// 100-byte message (compact, keys sorted: canonical) and checks it is.
func BenchmarkEncodeMessageCanonical(b *testing.B) {
	data := []byte(`{"id":1234567,"kind":"bench","ok":true,"payload":"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL"}`)
	tags := []string{"bench"}
	buf := make([]byte, 0, 4096)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		out, canonical, err := EncodeMessageCanonical(buf[:0], data, tags)
		if err != nil || !canonical {
			b.Fatal(err, canonical)
		}
		buf = out
	}
}

func BenchmarkEncodeMessageLegacy(b *testing.B) {
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		buf, err = EncodeMessageLegacy(buf[:0], benchData, benchTags)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeMessageJSON renders the full envelope, as follow/fetch do.
func BenchmarkDecodeMessageJSON(b *testing.B) {
	doc := benchDoc(b)
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		buf, err = AppendMessageJSON(buf[:0], doc, 42, 1770075900123456789, jsonfmt.Compact)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeDataJSON(b *testing.B) {
	doc := benchDoc(b)
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		buf, err = AppendDataJSON(buf[:0], doc, jsonfmt.Compact)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePretty(b *testing.B) {
	doc := benchDoc(b)
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		buf, err = AppendMessageJSON(buf[:0], doc, 42, 1770075900123456789, jsonfmt.Pretty|jsonfmt.Color)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateMessage(b *testing.B) {
	doc := benchDoc(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := ValidateMessage(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookupField looks up one field of data on the raw bytes.
func BenchmarkLookupField(b *testing.B) {
	doc := benchDoc(b)
	root, _ := Root(doc)
	data, _ := root.Get("data")
	b.ReportAllocs()
	for b.Loop() {
		v, ok := data.Get("value")
		if !ok {
			b.Fatal("not found")
		}
		if f, _ := v.Float(); f != 23.5 {
			b.Fatal(f)
		}
	}
}

// BenchmarkLookupPath does the whole path from the document: data.site.room.
func BenchmarkLookupPath(b *testing.B) {
	doc := benchDoc(b)
	b.ReportAllocs()
	for b.Loop() {
		root, err := Root(doc)
		if err != nil {
			b.Fatal(err)
		}
		v, ok := root.GetPath("data", "site", "room")
		if !ok {
			b.Fatal("not found")
		}
		if s, _ := v.StrBytes(); string(s) != "lab" {
			b.Fatal(string(s))
		}
	}
}

func BenchmarkHasAllTags(b *testing.B) {
	doc := benchDoc(b)
	want := []string{"lab"}
	b.ReportAllocs()
	for b.Loop() {
		ok, err := HasAllTags(doc, want)
		if !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkToAny(b *testing.B) {
	doc := benchDoc(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ToAny(doc); err != nil {
			b.Fatal(err)
		}
	}
}
