package local

import (
	"errors"
	"io"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/bindings/go/api"
)

// waitLocked returns once a read holds the stream's lock, that is, is in
// progress.
func waitLocked[T any](r *reader[T]) {
	for r.mu.TryLock() {
		r.mu.Unlock()
		runtime.Gosched()
	}
}

// Close interrupts a read that is waiting, without a deadline, for a
// message, then releases the stream.
func TestCloseInterruptsAReadInProgress(t *testing.T) {
	c, err := NewClient(filepath.Join(t.TempDir(), "pools"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p, err := c.CreatePool(PoolRefName("idle"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	js, err := p.OpenStream(nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := js.(*Stream)
	done := make(chan error)
	go func() { _, err := s.NextJSON(); done <- err }()
	waitLocked(&s.r)
	s.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Errorf("interrupted JSON read: %v, want ErrClosed", err)
	}

	ls, err := p.OpenLite3Stream(nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := ls.(*Lite3Stream)
	go func() { _, err := l.Next(); done <- err }()
	waitLocked(&l.r)
	l.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Errorf("interrupted Lite3 read: %v, want ErrClosed", err)
	}
	if _, err := l.Next(); !errors.Is(err, ErrClosed) || errors.Is(err, io.EOF) {
		t.Errorf("read after Close: %v", err)
	}
	var _ api.Lite3Stream = l
}

// Replay collects for TailOptions-style timeouts as the reference rounds
// them: whole milliseconds, at least one, one second when not positive.
func TestCollectTimeout(t *testing.T) {
	for _, tc := range []struct{ in, want time.Duration }{
		{0, time.Second}, {-time.Nanosecond, time.Second}, {time.Nanosecond, time.Millisecond},
		{time.Millisecond - 1, time.Millisecond}, {1500 * time.Microsecond, time.Millisecond}, {2 * time.Second, 2 * time.Second},
	} {
		if got := collectTimeout(tc.in); got != tc.want {
			t.Errorf("collectTimeout(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
