package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
)

func TestEnvelopeRoundTrip(t *testing.T) {
	doc, err := encodeMessage(nil, []byte(` {"b":[1,2.5,"x"],"a":{"z":null,"y":true}} `), []string{"one", `t"2`})
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2026, 7, 28, 12, 0, 0, 123456000, time.UTC).UnixNano()
	got, err := appendEnvelope([]byte("prefix:"), doc, 7, ts)
	if err != nil {
		t.Fatal(err)
	}
	want := `prefix:{"seq":7,"time":"2026-07-28T12:00:00.123456Z","meta":{"tags":["one","t\"2"]},"data":{"a":{"y":true,"z":null},"b":[1,2.5,"x"]}}`
	if string(got) != want {
		t.Errorf("envelope\n got  %s\n want %s", got, want)
	}
}

func TestEncodeErrors(t *testing.T) {
	for _, tc := range []struct{ in, prefix string }{
		{`{`, "invalid json: "},
		{``, "invalid json: "},
		{`{"a":1,}`, "invalid json: "},
		{`[1]`, "data must be object"},
		{`"s"`, "data must be object"},
	} {
		_, err := encodeMessage(nil, []byte(tc.in), nil)
		var e *core.Error
		if !errors.As(err, &e) || e.Kind != core.Usage || !strings.HasPrefix(e.Message, tc.prefix) {
			t.Errorf("encode %q: %v, want Usage %q…", tc.in, err, tc.prefix)
		}
	}
	if err := jsonError([]byte("{\"a\":\"\xff\"}"), errors.New("x")); err.Error() != "invalid json utf-8" {
		t.Errorf("jsonError on bad UTF-8: %v", err)
	}
}

func TestEnvelopeRejectsBadDocuments(t *testing.T) {
	for _, doc := range [][]byte{nil, {}, make([]byte, 64), []byte(`{"meta":{},"data":{}}`)} {
		out, err := appendEnvelope([]byte("keep"), doc, 1, 0)
		if core.KindOf(err) != core.Corrupt {
			t.Errorf("envelope of %q: %v, want Corrupt", doc, err)
		}
		if string(out) != "keep" {
			t.Errorf("dst changed on error: %q", out)
		}
	}
}

func TestInfoJSONShape(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	in := core.Info{Path: "/p/x.plasmite", FileSize: 1 << 20, IndexOffset: 4096, IndexCapacity: 4096,
		IndexSizeBytes: 65536, RingOffset: 69632, RingSize: 978944, Bounds: core.Bounds{Oldest: 1, Newest: 2},
		MessageCount: 2, UsedBytes: 244, FreeBytes: 978700, UsedPercent: 0,
		OldestTime: now.Add(-40 * time.Millisecond), NewestTime: now.Add(-12 * time.Millisecond)}
	b, err := json.Marshal(infoJSON("x", in, now))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"bounds":{"newest":2,"oldest":1},"file_size":1048576,"index_capacity":4096,"index_offset":4096,` +
		`"index_size_bytes":65536,"metrics":{"age":{"newest_age_ms":12,"newest_time":"2026-01-02T03:04:04.988Z",` +
		`"oldest_age_ms":40,"oldest_time":"2026-01-02T03:04:04.96Z"},"message_count":2,"seq_span":2,` +
		`"utilization":{"free_bytes":978700,"used_bytes":244,"used_percent":0.0}},"name":"x","path":"/p/x.plasmite",` +
		`"ring_offset":69632,"ring_size":978944}`
	if string(b) != want {
		t.Errorf("info JSON\n got  %s\n want %s", b, want)
	}
	empty, _ := json.Marshal(infoJSON("e", core.Info{}, now))
	if !strings.Contains(string(empty), `"bounds":{}`) || !strings.Contains(string(empty), `"newest_age_ms":null`) {
		t.Errorf("empty pool info: %s", empty)
	}
}
