package core

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func seqPayload(i int) []byte { return []byte{byte(i), byte(i >> 8), 'x', 'y'} }

func drain(t *testing.T, tl *Tail) []uint64 {
	t.Helper()
	var out []uint64
	for {
		m, ok, err := tl.TryNext()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		out = append(out, m.Seq)
	}
}

func seqs(a, b uint64) []uint64 {
	var s []uint64
	for i := a; i <= b; i++ {
		s = append(s, i)
	}
	return s
}

func eq(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTailStarts(t *testing.T) {
	cases := []struct {
		opts TailOptions
		want []uint64
	}{
		{TailOptions{}, seqs(1, 10)},
		{TailOptions{Start: StartLive}, nil},
		{TailOptions{Start: StartSeq, Seq: 4}, seqs(4, 10)},
		{TailOptions{Start: StartSeq, Seq: 11}, nil},
		{TailOptions{Start: StartLast, Last: 3}, seqs(8, 10)},
		{TailOptions{Start: StartLast, Last: 30}, seqs(1, 10)},
		{TailOptions{Start: StartLast}, nil},
	}
	var p *Pool
	for _, c := range cases {
		p = tempPool(t, 64<<10)
		for i := 1; i <= 10; i++ {
			rawAppend(t, p, seqPayload(i))
		}
		tl, err := p.Tail(c.opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := drain(t, tl); !eq(got, c.want) {
			t.Errorf("%+v: got %v want %v", c.opts, got, c.want)
		}
		rawAppend(t, p, nil)
		n := p.Bounds().Newest
		if got := drain(t, tl); !eq(got, []uint64{n}) {
			t.Errorf("%+v: after append got %v want [%d]", c.opts, got, n)
		}
		tl.Close()
	}
	// A seq beyond the end waits for it.
	tl, _ := p.Tail(TailOptions{Start: StartSeq, Seq: p.Bounds().Newest + 3})
	defer tl.Close()
	for i := 0; i < 4; i++ {
		rawAppend(t, p, nil)
	}
	n := p.Bounds().Newest
	if got := drain(t, tl); !eq(got, seqs(n-1, n)) {
		t.Fatalf("future seq: %v", got)
	}
}

func TestTailPayloadsAndTags(t *testing.T) {
	p := tempPool(t, 1<<20)
	vs := vectors(t)
	order := []string{"one-int", "empty-data", "many-tags", "sensor", "random-00", "one-int"}
	for _, n := range order {
		if _, err := p.AppendLite3(vs[n].Payload, Fast); err != nil {
			t.Fatal(err)
		}
	}
	tl, _ := p.Tail(TailOptions{})
	for i, n := range order {
		m, ok, err := tl.TryNext()
		if !ok || err != nil || !bytes.Equal(m.Payload, vs[n].Payload) || m.Seq != uint64(i+1) || m.Time == 0 {
			t.Fatalf("%d: %v %v", i, ok, err)
		}
	}
	tl.Close()
	for _, c := range []struct {
		tags []string
		want []uint64
	}{
		{[]string{"event"}, []uint64{1, 6}},
		{[]string{"t3", "t19"}, []uint64{3}},
		{[]string{"t3", "nope"}, nil},
		{[]string{"metrics"}, []uint64{4}},
	} {
		tl, _ := p.Tail(TailOptions{Tags: c.tags})
		if got := drain(t, tl); !eq(got, c.want) {
			t.Errorf("tags %v: got %v want %v", c.tags, got, c.want)
		}
		tl.Close()
	}
}

func TestTailGapPolicies(t *testing.T) {
	payload := bytes.Repeat([]byte{1}, 100)
	p := tempPool(t, 4096+1024) // holds 5 frames of 176
	for i := 0; i < 3; i++ {
		rawAppend(t, p, payload)
	}
	cont, _ := p.Tail(TailOptions{})
	errt, _ := p.Tail(TailOptions{Gap: GapError})
	defer cont.Close()
	defer errt.Close()
	if !eq(drain(t, cont), seqs(1, 3)) || !eq(drain(t, errt), seqs(1, 3)) {
		t.Fatal("initial")
	}
	for i := 0; i < 10; i++ {
		rawAppend(t, p, payload)
	}
	b := p.Bounds()
	if b.Oldest <= 4 {
		t.Fatalf("no gap: %v", b)
	}
	if got := drain(t, cont); !eq(got, seqs(b.Oldest, b.Newest)) {
		t.Fatalf("continue: %v (bounds %v)", got, b)
	}
	_, _, err := errt.TryNext()
	var e *Error
	if !errors.As(err, &e) || e.Kind != RetentionGap || e.Seq == nil || *e.Seq != 4 || e.Hint == "" ||
		!strings.Contains(e.Message, "messages 4-") || !strings.HasSuffix(e.Message, "the next available message is "+itoa(b.Oldest)) {
		t.Fatalf("gap error: %v", err)
	}
	if _, err := errt.Next(context.Background()); err != io.EOF {
		t.Fatalf("after gap, Next: %v", err)
	}
	if _, ok, err := errt.TryNext(); ok || err != nil {
		t.Fatalf("after gap, TryNext: %v %v", ok, err)
	}
	// A stale since-seq is a gap even with a filter that matches nothing.
	st, _ := p.Tail(TailOptions{Start: StartSeq, Seq: 1, Gap: GapError, Tags: []string{"never"}})
	defer st.Close()
	if _, _, err := st.TryNext(); KindOf(err) != RetentionGap {
		t.Fatalf("stale since: %v", err)
	}
	// Without a start seq the first message establishes the position.
	ol, _ := p.Tail(TailOptions{Gap: GapError})
	for i := 0; i < 10; i++ {
		rawAppend(t, p, payload)
	}
	b = p.Bounds()
	if got := drain(t, ol); !eq(got, seqs(b.Oldest, b.Newest)) {
		t.Fatalf("unestablished: %v", got)
	}
	ol.Close()
}

func itoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}

func TestTailNextWaitsAndCancels(t *testing.T) {
	for _, noNotify := range []bool{false, true} {
		p := tempPool(t, 64<<10)
		tl, _ := p.Tail(TailOptions{Start: StartLive, NoNotify: noNotify})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		_, err := tl.Next(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("timeout: %v", err)
		}
		done := make(chan Message)
		go func() {
			m, err := tl.Next(context.Background())
			if err != nil {
				t.Error(err)
			}
			done <- m
		}()
		time.Sleep(5 * time.Millisecond)
		rawAppend(t, p, []byte("hi"))
		select {
		case m := <-done:
			if m.Seq != 1 || string(m.Payload) != "hi" {
				t.Fatalf("%+v", m)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("follower never woke")
		}
		tl.Close()
	}
}

func TestTailOutlivesPoolClose(t *testing.T) {
	p := tempPool(t, 64<<10)
	rawAppend(t, p, []byte("a"))
	tl, _ := p.Tail(TailOptions{})
	p.Close()
	if _, err := p.Get(1); KindOf(err) != Usage {
		t.Fatal(err)
	}
	m, ok, err := tl.TryNext()
	if !ok || err != nil || string(m.Payload) != "a" {
		t.Fatal(ok, err)
	}
	tl.Close()
	if _, _, err := tl.TryNext(); KindOf(err) != Usage {
		t.Fatal(err)
	}
}

// Readers keep up with a writer lapping a small ring: every delivered message
// is intact and seqs strictly increase.
func TestTailConcurrentLapping(t *testing.T) {
	p := tempPool(t, 4096+4096)
	tl, _ := p.Tail(TailOptions{})
	defer tl.Close()
	const n = 20000
	go func() {
		for i := 1; i <= n; i++ {
			b := bytes.Repeat([]byte{byte(i)}, 1+i%300)
			if _, err := p.appendPayload(b, Fast); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var last uint64
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for last < n {
		m, err := tl.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Seq <= last {
			t.Fatalf("seq %d after %d", m.Seq, last)
		}
		i := int(m.Seq)
		if len(m.Payload) != 1+i%300 || !bytes.Equal(m.Payload, bytes.Repeat([]byte{byte(i)}, 1+i%300)) {
			t.Fatalf("torn message %d", m.Seq)
		}
		last = m.Seq
	}
}

// A writer stopped between two header stores of one publish (here: the
// drop of message 1 published in tail, not yet in oldest, and message 1's
// frame already overwritten) is not damage: the tail delivers nothing and
// looks again, and once the publish completes it goes on from the new
// oldest. Only cursors that stay unlocatable for settleLimit, with no
// publish in progress, are reported Corrupt.
func TestTailWaitsOutAStalledPublish(t *testing.T) {
	p := tempPool(t, 64<<10)
	for i := 0; i < 3; i++ {
		rawAppend(t, p, []byte{'a' + byte(i)})
	}
	tl, _ := p.Tail(TailOptions{})
	defer tl.Close()
	c := loadCursors(p.m.data)
	o1, _ := p.m.locate(1, c)
	o2, _ := p.m.locate(2, c)
	o3, _ := p.m.locate(3, c)
	store64(p.m.data, hTail, o2)
	store64(p.m.data, hTailNext, o3)
	p.m.ring[o1] ^= 0xff // the frame's magic: overwritten by the new frame
	for _, publishing := range []bool{true, false} {
		j := uint64(0)
		if publishing {
			j = 1
		}
		store64(p.m.data, hJournal, j)
		if _, ok, err := tl.TryNext(); ok || err != nil || !tl.unsettled {
			t.Fatalf("publishing=%v: ok=%v err=%v unsettled=%v", publishing, ok, err, tl.unsettled)
		}
	}
	// Next waits it out: the publish completes while it waits.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan Message, 1)
	go func() {
		m, err := tl.Next(ctx)
		if err != nil {
			t.Error(err)
		}
		done <- Message{Seq: m.Seq, Payload: append([]byte(nil), m.Payload...)}
	}()
	store64(p.m.data, hOldest, 2)
	if m := <-done; m.Seq != 2 || string(m.Payload) != "b" {
		t.Fatalf("after the publish: %d %q", m.Seq, m.Payload)
	}
	// Cursors that stay unlocatable beyond settleLimit with no publish in
	// progress are damage.
	store64(p.m.data, hOldest, 1)
	tl2, _ := p.Tail(TailOptions{})
	defer tl2.Close()
	if _, ok, err := tl2.TryNext(); ok || err != nil || !tl2.unsettled {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	tl2.stuckSince = tl2.stuckSince.Add(-settleLimit)
	if _, _, err := tl2.TryNext(); KindOf(err) != Corrupt {
		t.Fatalf("after settleLimit: %v", err)
	}
}
