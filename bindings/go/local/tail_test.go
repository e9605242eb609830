package local_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/bindings/go/api"
	plasmite "github.com/plasmite-go/plasmite/bindings/go/local"
)

// drain reads a tail to its end and returns what it delivered and its error.
func drain[T any](out <-chan T, errs <-chan error) ([]T, error) {
	var got []T
	for v := range out {
		got = append(got, v)
	}
	return got, <-errs
}

func TestTailFromTheStartThenLive(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "tail")
	mustAppend(t, p, map[string]any{"n": 1})
	ctx, cancel := context.WithCancel(t.Context())
	out, errs := p.Tail(ctx, plasmite.TailOptions{Buffer: 1})
	if m := <-out; m.Seq != 1 {
		t.Fatalf("first message %d", m.Seq)
	}
	live := mustAppend(t, p, map[string]any{"n": 2})
	if m := <-out; m.Seq != live.Seq || !bytes.Equal(m.Raw, live.Raw) {
		t.Fatalf("live message %+v, want %+v", m, live)
	}
	cancel()
	rest, err := drain(out, errs)
	if len(rest) != 0 || !errors.Is(err, context.Canceled) {
		t.Errorf("after cancel: %d messages, %v", len(rest), err)
	}

	// Resume at the next sequence number.
	mustAppend(t, p, map[string]any{"n": 3})
	got, err := drain(p.Tail(t.Context(), plasmite.TailOptions{SinceSeq: u64(live.Seq + 1), MaxMessages: u64(1)}))
	if err != nil || len(got) != 1 || got[0].Seq != 3 {
		t.Errorf("resumed tail: %v, %v", got, err)
	}
}

func TestTailFiltersByTags(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "tags")
	mustAppend(t, p, map[string]any{"kind": "drop"}, "drop")
	mustAppend(t, p, map[string]any{"kind": "half"}, "keep")
	mustAppend(t, p, map[string]any{"kind": "keep"}, "keep", "also")
	opts := plasmite.TailOptions{Tags: []string{"also", "keep"}, MaxMessages: u64(1)}
	got, err := drain(p.Tail(t.Context(), opts))
	if err != nil || len(got) != 1 || decode(t, got[0].Data)["kind"] != "keep" {
		t.Fatalf("JSON tail: %v, %v", got, err)
	}
	frames, err := drain(p.TailLite3(t.Context(), opts))
	if err != nil || len(frames) != 1 || frames[0].Seq != 3 {
		t.Fatalf("Lite3 tail: %v, %v", frames, err)
	}
}

func TestTailMaxMessages(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "max")
	for i := 0; i < 3; i++ {
		mustAppend(t, p, map[string]any{"i": i})
	}
	got, err := drain(p.Tail(t.Context(), plasmite.TailOptions{MaxMessages: u64(2), Buffer: 1}))
	if err != nil || len(got) != 2 || got[1].Seq != 2 {
		t.Errorf("JSON: %v, %v", got, err)
	}
	// Fewer messages than the maximum: the tail waits for more.
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	frames, err := drain(p.TailLite3(ctx, plasmite.TailOptions{SinceSeq: u64(2), MaxMessages: u64(5), Buffer: 1}))
	if !errors.Is(err, context.DeadlineExceeded) || len(frames) != 2 || frames[1].Seq != 3 {
		t.Errorf("Lite3: %v, %v", frames, err)
	}
	none, err := drain(p.Tail(t.Context(), plasmite.TailOptions{MaxMessages: u64(0)}))
	if err != nil || len(none) != 0 {
		t.Errorf("max 0: %v, %v", none, err)
	}
}

func TestTailEndsWithItsContext(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "idle")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	got, err := drain(p.TailLite3(ctx, plasmite.TailOptions{}))
	if len(got) != 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("idle tail: %v, %v", got, err)
	}
	mustAppend(t, p, map[string]any{"n": 1})
	done, stop := context.WithCancel(t.Context())
	stop()
	got2, err := drain(p.Tail(done, plasmite.TailOptions{}))
	if len(got2) != 0 || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before it started: %v, %v", got2, err)
	}
}

func TestTailEndsWhenThePoolCloses(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "closed-tail")
	out, errs := p.Tail(t.Context(), plasmite.TailOptions{})
	frames, ferrs := p.TailLite3(t.Context(), plasmite.TailOptions{})
	p.Close()
	for _, err := range []error{second(drain(out, errs)), second(drain(frames, ferrs))} {
		if !errors.Is(err, plasmite.ErrClosed) {
			t.Errorf("tail of a closed pool: %v", err)
		}
	}
}

func TestTailRetentionGap(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "gap")
	first := mustAppend(t, p, map[string]any{"first": true})
	fillPast(t, p, first.Seq)

	// By default the tail continues at the oldest retained message.
	got, err := drain(p.Tail(t.Context(), plasmite.TailOptions{SinceSeq: u64(first.Seq), MaxMessages: u64(1)}))
	if err != nil || len(got) != 1 || got[0].Seq <= first.Seq {
		t.Fatalf("default policy: %v, %v", got, err)
	}
	// ErrorOnGap reports the first missing message before any later one,
	// whatever the tag filter.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	gapOpts := plasmite.TailOptions{SinceSeq: u64(first.Seq), Tags: []string{"never"}, ErrorOnGap: true}
	msgs, err := drain(p.Tail(ctx, gapOpts))
	checkGap(t, len(msgs), err, first.Seq)
	gapOpts.Tags = nil
	frames, err := drain(p.TailLite3(ctx, gapOpts))
	checkGap(t, len(frames), err, first.Seq)
}

func checkGap(t *testing.T, delivered int, err error, seq uint64) {
	t.Helper()
	e := wantKind(t, err, plasmite.ErrorRetentionGap)
	if delivered != 0 {
		t.Errorf("%d messages delivered before the gap error", delivered)
	}
	if e.Seq == nil || *e.Seq != seq {
		t.Errorf("gap error seq %v, want %d", e.Seq, seq)
	}
}

// A tail waits for a slow consumer: nothing is lost or reordered.
func TestTailBackpressure(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "slow")
	const n = 200
	out, errs := p.Tail(t.Context(), plasmite.TailOptions{Buffer: 1, MaxMessages: u64(n)})
	for i := 0; i < n; i++ {
		mustAppend(t, p, map[string]any{"i": i})
	}
	got, err := drain(out, errs)
	if err != nil || len(got) != n {
		t.Fatalf("%d messages, %v", len(got), err)
	}
	for i, m := range got {
		if m.Seq != uint64(i+1) {
			t.Fatalf("message %d has seq %d", i, m.Seq)
		}
	}
}

func TestReplay(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "replay")
	var appended []*api.Message
	for i := 0; i < 4; i++ {
		appended = append(appended, mustAppend(t, p, map[string]any{"i": i}))
		time.Sleep(10 * time.Millisecond) // recorded gaps to replay
	}
	span := appended[3].Time.Sub(appended[0].Time)
	start := time.Now()
	got, err := drain(p.Replay(t.Context(), plasmite.ReplayOptions{Speed: 2, MaxMessages: u64(4)}))
	elapsed := time.Since(start)
	if err != nil || len(got) != 4 {
		t.Fatalf("replay: %d messages, %v", len(got), err)
	}
	for i, m := range got {
		if !bytes.Equal(m.Raw, appended[i].Raw) {
			t.Errorf("replayed %s, want %s", m.Raw, appended[i].Raw)
		}
	}
	if elapsed < span/2 {
		t.Errorf("replay at speed 2 took %v, less than half the recorded %v", elapsed, span)
	}

	// Without MaxMessages, collection lasts Timeout and includes later appends.
	out, errs := p.Replay(t.Context(), plasmite.ReplayOptions{SinceSeq: u64(4), Timeout: 200 * time.Millisecond, Speed: 1000})
	late := mustAppend(t, p, map[string]any{"late": true})
	got, err = drain(out, errs)
	if err != nil || len(got) != 2 || got[1].Seq != late.Seq {
		t.Errorf("replay with a late append: %v, %v", got, err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	out, errs = p.Replay(ctx, plasmite.ReplayOptions{Timeout: time.Hour})
	cancel()
	if got, err := drain(out, errs); len(got) != 0 || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled collection: %v, %v", got, err)
	}
}
