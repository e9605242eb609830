//go:build cgo

package main

import (
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
