package api

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestErrorKindNumbers(t *testing.T) {
	kinds := []ErrorKind{ErrorInternal, ErrorUsage, ErrorNotFound, ErrorAlreadyExists, ErrorBusy,
		ErrorPermission, ErrorCorrupt, ErrorIO, ErrorRetentionGap}
	for i, k := range kinds {
		if int(k) != i+1 {
			t.Errorf("kind %d has number %d, want %d", i, k, i+1)
		}
	}
}

func TestErrorText(t *testing.T) {
	var nilErr *Error
	seq := uint64(3)
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{nilErr, "plasmite: <nil error>"},
		{&Error{Kind: ErrorNotFound, Message: "message not found", Seq: &seq}, "plasmite: message not found"},
		{&Error{Kind: ErrorNotFound, Message: "not found", Path: "/p/x.plasmite"}, "plasmite: not found (/p/x.plasmite)"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestSentinelErrors(t *testing.T) {
	closed := ClosedError("pool")
	if !errors.Is(closed, ErrClosed) || closed.Error() != "plasmite: closed: pool is closed" {
		t.Errorf("ClosedError: %v", closed)
	}
	bad := InvalidArgumentError("payload is required")
	if !errors.Is(bad, ErrInvalidArgument) || bad.Error() != "plasmite: invalid argument: payload is required" {
		t.Errorf("InvalidArgumentError: %v", bad)
	}
	if errors.Is(closed, ErrInvalidArgument) || errors.Is(bad, ErrClosed) {
		t.Error("sentinels match each other's errors")
	}
}

func TestApplyAppendOptions(t *testing.T) {
	if got := ApplyAppendOptions(); got.Durability != DurabilityFast {
		t.Errorf("default durability %d", got.Durability)
	}
	if got := ApplyAppendOptions(nil, WithDurability(DurabilityFlush)); got.Durability != DurabilityFlush {
		t.Errorf("WithDurability(Flush) gave %d", got.Durability)
	}
	if got := ApplyAppendOptions(WithDurability(DurabilityFlush), WithDurability(DurabilityFast)); got.Durability != DurabilityFast {
		t.Errorf("later options must win: %d", got.Durability)
	}
	if DurabilityFast != 0 || DurabilityFlush != 1 {
		t.Error("durability numbers differ from the C ABI's")
	}
}

func TestPoolRefsAndSizes(t *testing.T) {
	if PoolRefName("a") != "a" || PoolRefPath("/x/a.plasmite") != "/x/a.plasmite" || PoolRefURI("http://h:1/a") != "http://h:1/a" {
		t.Error("pool ref helpers must keep their argument")
	}
	if DefaultPoolSizeBytes != 1<<20 || DefaultPoolSize != DefaultPoolSizeBytes {
		t.Errorf("default pool size %d/%d", DefaultPoolSizeBytes, DefaultPoolSize)
	}
}

func TestDecodeMessage(t *testing.T) {
	raw := []byte(`{"seq":7,"time":"2026-02-18T05:00:00.123456789+03:00","meta":{"tags":["a","b"]},"data":{"ok":true}}`)
	m, err := DecodeMessage(raw)
	if err != nil {
		t.Fatal(err)
	}
	if m.Seq != 7 || string(m.Data) != `{"ok":true}` || strings.Join(m.Tags(), ",") != "a,b" {
		t.Errorf("decoded %+v", m)
	}
	if m.Time.Location() != time.UTC || !m.Time.Equal(time.Date(2026, 2, 18, 2, 0, 0, 123456789, time.UTC)) {
		t.Errorf("time %v, want 02:00:00.123456789 UTC", m.Time)
	}
	if m.TimeRFC3339 != "2026-02-18T05:00:00.123456789+03:00" {
		t.Errorf("time text %q", m.TimeRFC3339)
	}
	raw[0] = ' '
	if !bytes.HasPrefix(m.Raw, []byte(`{"seq"`)) {
		t.Error("Raw must be a copy")
	}
	for _, bad := range []string{`{`, `{"seq":1,"time":"yesterday","meta":{"tags":[]},"data":{}}`, `{"seq":-1}`} {
		_, err := DecodeMessage([]byte(bad))
		var perr *Error
		if err == nil || errors.As(err, &perr) || !strings.HasPrefix(err.Error(), "plasmite: ") {
			t.Errorf("DecodeMessage(%s): %v, want a plain plasmite error", bad, err)
		}
	}
}

func TestNilReceivers(t *testing.T) {
	var m *Message
	if m.Tags() != nil {
		t.Error("nil message has tags")
	}
	var f *Lite3Frame
	if !f.Time().IsZero() {
		t.Error("nil frame has a time")
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	if got := (&Lite3Frame{TimestampNs: uint64(at.UnixNano())}).Time(); !got.Equal(at) || got.Location() != time.UTC {
		t.Errorf("frame time %v, want %v", got, at)
	}
}

func TestUDPStarts(t *testing.T) {
	for _, tc := range []struct {
		got  UDPStart
		want UDPStart
	}{
		{UDPStartNewPosition(), UDPStart{UDPStartNew, 0}},
		{UDPStartLastCount(5), UDPStart{UDPStartLast, 5}},
		{UDPStartSinceNs(9), UDPStart{UDPStartSince, 9}},
		{UDPStartAtSequence(4), UDPStart{UDPStartSequence, 4}},
	} {
		if tc.got != tc.want {
			t.Errorf("got %+v, want %+v", tc.got, tc.want)
		}
	}
	if o := NewUDPFollowOptions(); o.Start.Kind != UDPStartNew || !o.Live {
		t.Errorf("default follow options %+v", o)
	}
	for _, e := range []UDPEvent{&UDPFrame{}, &UDPGap{}, &UDPProgress{}} {
		e.udpEvent()
	}
}
