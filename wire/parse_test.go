package wire

import (
	"errors"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// A message envelope read back renders as it was written, whatever the
// member order, and carries seq, time and tags.
func TestParseMessageRoundTrip(t *testing.T) {
	for _, data := range append([]string{`{}`, `{"a":{"b":[1,2.5,"x\"y\\",null,true,{}]},"z":"é ✓ \u2028"}`}, refData...) {
		m := message(t, 42, when, data, "a", "b \"c\"", "")
		line, err := AppendMessage(nil, m, jsonfmt.Compact)
		if err != nil {
			t.Fatal(err)
		}
		back, out, err := ParseMessage([]byte("prefix"), line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if string(out[:6]) != "prefix" || back.Seq != 42 || back.Time != when {
			t.Errorf("%s: seq %d time %d, prefix %q", line, back.Seq, back.Time, out[:6])
		}
		again, err := AppendMessage(nil, back, jsonfmt.Compact)
		if err != nil || string(again) != string(line) {
			t.Errorf("round trip\n got  %s %v\n want %s", again, err, line)
		}
	}
	// Another server may order members differently and add some.
	line := ` { "time" : "2026-12-01T17:11:18.460425511Z", "x": [1, {"y": "}"}], "seq": 7,
		"meta": {"tags": ["t"], "other": null}, "data": {"k": "v"} } `
	m, _, err := ParseMessage(nil, []byte(line))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := AppendMessage(nil, m, jsonfmt.Compact)
	if want := `{"data":{"k":"v"},"meta":{"tags":["t"]},"seq":7,"time":"2026-12-01T17:11:18.460425511Z"}`; string(got) != want {
		t.Errorf("reordered envelope\n got  %s\n want %s", got, want)
	}
}

func TestParseMessageRejects(t *testing.T) {
	const ok = `"meta":{"tags":[]},"seq":1,"time":"2026-12-01T17:11:18Z"`
	for _, line := range []string{
		``, `[]`, `{}`, `not json`, `{"data":{}}`,
		`{"data":[1],` + ok + `}`,          // data must be an object
		`{"data":{"a":},` + ok + `}`,       // invalid data
		`{"data":{},"data":{},` + ok + `}`, // duplicate member
		`{"data":{},"meta":{"tags":"x"},"seq":1,"time":"2026-12-01T17:11:18Z"}`,
		`{"data":{},"meta":{"tags":[1]},"seq":1,"time":"2026-12-01T17:11:18Z"}`,
		`{"data":{},"meta":{},"seq":1,"time":"2026-12-01T17:11:18Z"}`,
		`{"data":{},"meta":{"tags":[]},"seq":-1,"time":"2026-12-01T17:11:18Z"}`,
		`{"data":{},"meta":{"tags":[]},"seq":1,"time":"yesterday"}`,
		`{"data":{},"meta":{"tags":[]},"seq":1,"time":7}`,
		`{"data":{},` + ok + `,"x":tru}`, // an ignored member must still be JSON
		`{"data":{},` + ok + `} x`,       // trailing characters
		`{"data":{},` + ok,               // truncated
		`{"error":{"kind":"NotFound","message":"not found"}}`,
	} {
		dst := []byte("keep")
		_, out, err := ParseMessage(dst, []byte(line))
		if !errors.Is(err, ErrBadMessage) {
			t.Errorf("%q: err %v, want ErrBadMessage", line, err)
		}
		if string(out) != "keep" {
			t.Errorf("%q: dst changed to %q", line, out)
		}
	}
}

func TestParseMessageAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	line := []byte(`{"data":{"level":"info","msg":"request served in 12 ms","n":12,"ok":true,"f":1.5},"meta":{"tags":[]},"seq":12345,"time":"2026-12-01T17:11:18.460425511Z"}`)
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(200, func() { _, buf, _ = ParseMessage(buf[:0], line) }); n != 0 {
		t.Errorf("ParseMessage: %v allocations per message", n)
	}
}

func BenchmarkParseMessage(b *testing.B) {
	line := []byte(`{"data":{"level":"info","msg":"request served in 12 ms","n":12,"ok":true,"f":1.5},"meta":{"tags":["web"]},"seq":12345,"time":"2026-12-01T17:11:18.460425511Z"}`)
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		_, buf, _ = ParseMessage(buf[:0], line)
	}
}

// Pool info read back renders as the document it came from.
func TestParseInfoRoundTrip(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	in := core.Info{Path: "/p/a.plasmite", FileSize: 1 << 20, IndexOffset: 4096, IndexCapacity: 4096,
		IndexSizeBytes: 65536, RingOffset: 69632, RingSize: 978944, Bounds: core.Bounds{Oldest: 3, Newest: 9},
		MessageCount: 7, UsedBytes: 244, FreeBytes: 978700, UsedPercent: 0.02,
		OldestTime: now.Add(-40 * time.Millisecond), NewestTime: now.Add(-5 * time.Millisecond)}
	for _, c := range []core.Info{in, {Path: "x", RingSize: 1}} {
		doc := jsonfmt.AppendValue(nil, InfoDocument(c, "demo", now), jsonfmt.Compact)
		back, name, err := ParseInfo(doc)
		if err != nil || name != "demo" {
			t.Fatalf("%s: %q %v", doc, name, err)
		}
		again := jsonfmt.AppendValue(nil, InfoDocument(back, name, now), jsonfmt.Compact)
		if string(again) != string(doc) {
			t.Errorf("info round trip\n got  %s\n want %s", again, doc)
		}
	}
	// Without metrics the count follows from the bounds.
	back, _, err := ParseInfo([]byte(`{"path":"p","bounds":{"oldest":2,"newest":5}}`))
	if err != nil || back.MessageCount != 4 || back.Bounds != (core.Bounds{Oldest: 2, Newest: 5}) {
		t.Errorf("info without metrics: %+v %v", back, err)
	}
	if _, _, err := ParseInfo([]byte(`{"bounds":"x"}`)); err == nil {
		t.Error("mistyped bounds accepted")
	}
}

func TestParseList(t *testing.T) {
	doc := `{"pools":[{"name":"a","path":"/d/a.plasmite","file_size":10,"bounds":{}},` +
		`{"name":"b","path":"/d/b.plasmite","file_size":20,"bounds":{"oldest":1,"newest":2},"metrics":{"message_count":2}}]}`
	got, err := ParseList([]byte(doc))
	if err != nil || len(got) != 2 {
		t.Fatalf("%v %v", got, err)
	}
	if got[0].Name != "a" || got[0].Path != "/d/a.plasmite" || got[0].Info.FileSize != 10 || got[1].Info.Bounds.Newest != 2 {
		t.Errorf("entries %+v", got)
	}
	for _, bad := range []string{`{}`, `{"pools":{}}`, `[`} {
		if _, err := ParseList([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
