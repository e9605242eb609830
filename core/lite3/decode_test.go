package lite3

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// typedTree parses JSON text into the tree ToAny should produce: integers
// that fit int64 as int, -0 and every other number as float64.
func typedTree(t testing.TB, text []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return retype(t, v)
}

func retype(t testing.TB, v any) any {
	switch x := v.(type) {
	case json.Number:
		s := string(x)
		if !strings.ContainsAny(s, ".eE") && s != "-0" {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return int(i)
			}
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		if s == "-0" {
			f = math.Copysign(0, -1)
		}
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = retype(t, e)
		}
	case []any:
		for i, e := range x {
			x[i] = retype(t, e)
		}
	}
	return v
}

// exactFloats makes cmp tell -0.0 from 0.0.
var exactFloats = cmp.Comparer(func(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
})

func TestDecodeVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		if v.Error != "" {
			continue
		}
		if err := ValidateMessage(v.bytes); err != nil {
			t.Errorf("%s: ValidateMessage: %v", v.Name, err)
			continue
		}
		tree, err := ToAny(v.bytes)
		if err != nil {
			t.Errorf("%s: ToAny: %v", v.Name, err)
			continue
		}
		tags := make([]any, len(v.Tags))
		for i, s := range v.Tags {
			tags[i] = s
		}
		want := map[string]any{
			"meta": map[string]any{"tags": tags},
			"data": typedTree(t, v.Data),
		}
		if d := cmp.Diff(want, tree, exactFloats); d != "" {
			t.Errorf("%s: decoded tree differs (-want +got):\n%s", v.Name, d)
		}

		// JSON text of data: keys sorted, parses back to the same tree,
		// and re-encodes to the very same bytes.
		dj, err := AppendDataJSON(nil, v.bytes, jsonfmt.ExactFloats)
		if err != nil {
			t.Errorf("%s: AppendDataJSON: %v", v.Name, err)
			continue
		}
		if d := cmp.Diff(want["data"], typedTree(t, dj), exactFloats); d != "" {
			t.Errorf("%s: data JSON differs (-want +got):\n%s", v.Name, d)
		}
		again, err := EncodeMessageLegacy(nil, dj, v.Tags)
		if err != nil || !bytes.Equal(again, v.bytes) {
			t.Errorf("%s: re-encoding the decoded JSON does not give the same bytes (err %v)", v.Name, err)
		}
		// Whole-document JSON equals the envelope rendered with sorted keys.
		all, err := AppendJSON(nil, v.bytes, jsonfmt.ExactFloats)
		if err != nil {
			t.Errorf("%s: AppendJSON: %v", v.Name, err)
			continue
		}
		if w := jsonfmt.AppendValue(nil, want, jsonfmt.Compact); !bytes.Equal(all, w) {
			t.Errorf("%s: AppendJSON:\n got %.300s\nwant %.300s", v.Name, all, w)
		}
		// Tag filter.
		ok, err := HasAllTags(v.bytes, v.Tags)
		if err != nil || !ok {
			t.Errorf("%s: HasAllTags(own tags) = %v, %v", v.Name, ok, err)
		}
		ok, err = HasAllTags(v.bytes, append(v.Tags[:len(v.Tags):len(v.Tags)], "no-such-tag"))
		if err != nil || ok {
			t.Errorf("%s: HasAllTags(extra tag) = %v, %v", v.Name, ok, err)
		}
	}
}

func TestDecodeTextForms(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"g":123456.789,"a":1.5,"b":-0.125,"c":1e+20,"d":1e-07,"e":3.0,"f":1000000000000000.0}`,
			`{"a":1.5,"b":-0.125,"c":1e+20,"d":1e-7,"e":3.0,"f":1000000000000000.0,"g":123456.789}`},
		{`{"z":-0.0,"y":-0,"x":0,"w":1E2,"v":0.00001,"u":1e16}`,
			`{"u":1e+16,"v":0.00001,"w":100.0,"x":0,"y":-0.0,"z":-0.0}`},
		{`{"big":18446744073709551615,"above":9223372036854775808,"max":9223372036854775807,"min":-9223372036854775808,"below":-9223372036854775809}`,
			`{"above":9.223372036854776e+18,"below":-9.223372036854776e+18,"big":1.8446744073709552e+19,"max":9223372036854775807,"min":-9223372036854775808}`},
		{`{"s":"a\u2028b\u2029c/<>&\u0001\u007f","e":"\ud83d\ude42","k":{"b":[],"a":{}}}`,
			"{\"e\":\"🙂\",\"k\":{\"a\":{},\"b\":[]},\"s\":\"a\u2028b\u2029c/<>&\\u0001\u007f\"}"},
		{`{"a":1,"a":2,"b":{"x":1,"x":[3]}}`, `{"a":2,"b":{"x":[3]}}`},
	}
	for _, c := range cases {
		doc, err := EncodeMessage(nil, []byte(c.in), []string{"t"})
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		got, err := AppendDataJSON(nil, doc, jsonfmt.Compact)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if string(got) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func TestMessageJSON(t *testing.T) {
	doc, err := EncodeMessage(nil, []byte(`{"b":[1,{"c":null}],"a":true}`), []string{"x", "y"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := AppendMessageJSON([]byte("> "), doc, 7, 1770075900123456789, jsonfmt.Compact)
	if err != nil {
		t.Fatal(err)
	}
	want := `> {"data":{"a":true,"b":[1,{"c":null}]},"meta":{"tags":["x","y"]},"seq":7,"time":"2026-02-02T23:45:00.123456789Z"}`
	if string(got) != want {
		t.Errorf("compact:\n got %s\nwant %s", got, want)
	}
	got, err = AppendMessageJSON(nil, doc, 7, 1770075900000000000, jsonfmt.Pretty)
	if err != nil {
		t.Fatal(err)
	}
	wantPretty := `{
  "data": {
    "a": true,
    "b": [
      1,
      {
        "c": null
      }
    ]
  },
  "meta": {
    "tags": [
      "x",
      "y"
    ]
  },
  "seq": 7,
  "time": "2026-02-02T23:45:00Z"
}`
	if string(got) != wantPretty {
		t.Errorf("pretty:\n got %s\nwant %s", got, wantPretty)
	}
	// Pretty equals encoding/json's MarshalIndent of the same tree.
	var tree any
	compact, _ := AppendMessageJSON(nil, doc, 7, 1770075900000000000, jsonfmt.Compact)
	if err := json.Unmarshal(compact, &tree); err != nil {
		t.Fatal(err)
	}
	std, _ := json.MarshalIndent(tree, "", "  ")
	if string(std) != wantPretty {
		t.Errorf("MarshalIndent disagrees:\n%s", std)
	}
	// Colored pretty: tokens wrapped, whitespace plain.
	col, err := AppendMessageJSON(nil, doc, 7, 1770075900000000000, jsonfmt.Pretty|jsonfmt.Color)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(col, []byte("\x1b[36m\"seq\"\x1b[0m\x1b[39m:\x1b[0m \x1b[33m7\x1b[0m")) {
		t.Errorf("colored output lacks the seq tokens:\n%q", col)
	}
	if stripANSI(col) != wantPretty {
		t.Errorf("colored output without colors differs:\n%s", stripANSI(col))
	}
	data, err := AppendDataJSON(nil, doc, jsonfmt.Compact)
	if err != nil || string(data) != `{"a":true,"b":[1,{"c":null}]}` {
		t.Errorf("AppendDataJSON = %s, %v", data, err)
	}
}

func stripANSI(b []byte) string {
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] == 0x1b {
			for i < len(b) && b[i] != 'm' {
				i++
			}
			continue
		}
		out = append(out, b[i])
	}
	return string(out)
}

// Bytes values (type 4) never come from JSON but may be stored by other
// Lite3 writers; they render as standard base64 with padding.
func TestBytesValue(t *testing.T) {
	doc, err := EncodeMessage(nil, []byte(`{"b":"abc"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := Root(doc)
	v, _ := root.GetPath("data", "b")
	doc[v.off] = typeBytes // payload: u32 4, "abc\x00"
	if err := ValidateMessage(doc); err != nil {
		t.Fatal(err)
	}
	v, _ = root.GetPath("data", "b")
	if raw, ok := v.BytesValue(); !ok || string(raw) != "abc\x00" || v.Kind() != Bytes {
		t.Fatalf("BytesValue = %q, %v (kind %v)", raw, ok, v.Kind())
	}
	got, err := AppendDataJSON(nil, doc, jsonfmt.Compact)
	if err != nil || string(got) != `{"b":"YWJjAA=="}` {
		t.Fatalf("AppendDataJSON = %s, %v", got, err)
	}
	tree, err := ToAny(doc)
	if err != nil || tree["data"].(map[string]any)["b"] != "YWJjAA==" {
		t.Fatalf("ToAny = %v, %v", tree, err)
	}
}

// A leaf node with an offset in child slots 1..key_count (which only
// damage leaves) is refused by every check and every rendering, as the
// reference's iterator cannot read it; StrayChildren names the slots, and
// zeroing them gives back the document as it was.
func TestStrayChildOffsets(t *testing.T) {
	doc, err := EncodeMessage(nil, []byte(`{"a":1,"b":"two","c":[3]}`), []string{"t"})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := AppendMessageJSON(nil, doc, 1, 0, jsonfmt.Compact)
	root, _ := Root(doc)
	data, _ := root.Get("data")
	slot := data.off + offChild + 4*2 // the data object: a leaf of 3 keys
	bad := append([]byte(nil), doc...)
	binary.LittleEndian.PutUint32(bad[slot:], 96)
	for name, err := range map[string]error{
		"Validate":        Validate(bad),
		"ValidateMessage": ValidateMessage(bad),
		"ValidateAppend":  ValidateAppend(bad),
	} {
		var le *Error
		if !errors.As(err, &le) || !le.Corrupt || le.Msg != StrayChildMessage || le.Pos != int(slot) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := AppendMessageJSON(nil, bad, 1, 0, jsonfmt.Compact); err == nil {
		t.Error("AppendMessageJSON rendered it")
	}
	strays, err := StrayChildren(bad)
	if err != nil || len(strays) != 1 || strays[0] != slot {
		t.Fatalf("StrayChildren: %v %v", strays, err)
	}
	binary.LittleEndian.PutUint32(bad[slot:], 0)
	if got, err := AppendMessageJSON(nil, bad, 1, 0, jsonfmt.Compact); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("cleared: %s %v", got, err)
	}
	// Slots past key_count are never read, by either implementation.
	binary.LittleEndian.PutUint32(bad[data.off+offChild+4*4:], 96)
	if err := ValidateMessage(bad); err != nil {
		t.Fatalf("slot 4 of a 3-key leaf: %v", err)
	}
	// Any other defect is StrayChildren's error.
	if _, err := StrayChildren(doc[:50]); err == nil {
		t.Fatal("StrayChildren of a short document")
	}
}
