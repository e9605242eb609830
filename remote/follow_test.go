package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
)

// The start rules of the reference's remote follow, from the bounds at
// open.
func TestStartRules(t *testing.T) {
	b := core.Bounds{Oldest: 5, Newest: 9}
	empty := core.Bounds{}
	for _, c := range []struct {
		s    Start
		b    core.Bounds
		want uint64
	}{
		{Start{Kind: StartNew}, b, 10},
		{Start{Kind: StartOldest}, b, 5},
		{Start{Kind: StartLast, N: 2}, b, 8},
		{Start{Kind: StartLast, N: 5}, b, 5},
		{Start{Kind: StartLast, N: 50}, b, 5},
		{Start{Kind: StartLast, N: 0}, b, 10},
		{Start{Kind: StartSeq, N: 7}, b, 7},
		{Start{Kind: StartSeq, N: 0}, b, 1},
		{Start{Kind: StartNew}, empty, 1},
		{Start{Kind: StartOldest}, empty, 1},
		{Start{Kind: StartLast, N: 3}, empty, 1},
		{Start{Kind: StartSeq, N: 4}, empty, 4},
	} {
		if got := c.s.first(c.b); got != c.want {
			t.Errorf("%+v on %+v: %d, want %d", c.s, c.b, got, c.want)
		}
	}
}

// collect reads n messages, failing on any error.
func collect(t *testing.T, f *Follower, n int) []uint64 {
	t.Helper()
	var seqs []uint64
	for len(seqs) < n {
		ctx, cancel := context.WithTimeout(bg, 10*time.Second)
		m, err := f.Next(ctx)
		cancel()
		if err != nil {
			t.Fatalf("after %v: %v", seqs, err)
		}
		seqs = append(seqs, m.Seq)
	}
	return seqs
}

func seqList(from, to uint64) []uint64 {
	var s []uint64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

func sameSeqs(a, b []uint64) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

// Streams that end early are resumed at last+1; what a stream repeats is
// dropped.
func TestFollowReconnectsAndDedupes(t *testing.T) {
	for _, lite3 := range []bool{false, true} {
		t.Run(fmt.Sprint("lite3=", lite3), func(t *testing.T) {
			f := newFake(t)
			p := f.pool("demo", 1<<20)
			appendN(t, p, 1, 7)
			f.streamLimit = 2
			f.rewind = 1 // every stream repeats the message before since_seq
			rp, _ := f.client(t).Pool("demo")
			fl, err := rp.Follow(bg, FollowOptions{Start: Start{Kind: StartOldest}, Lite3: lite3,
				OnGap: func(e, n uint64) { t.Errorf("gap %d..%d", e, n) }})
			if err != nil {
				t.Fatal(err)
			}
			defer fl.Close()
			if got := collect(t, fl, 7); !sameSeqs(got, seqList(1, 7)) {
				t.Errorf("seqs %v", got)
			}
			// Live: a message appended later arrives too.
			go p.AppendJSON([]byte(`{"i":8}`), nil, core.Fast)
			if got := collect(t, fl, 1); got[0] != 8 {
				t.Errorf("live seq %v", got)
			}
			var since []string
			for _, r := range f.log() {
				if i := strings.Index(r, "since_seq="); i >= 0 {
					since = append(since, r[i:])
				}
			}
			// The first stream reads 1 and 2; every later one begins one
			// early (a repeat) and delivers one new message.
			if since[0] != "since_seq=1" || since[1] != "since_seq=3" || since[2] != "since_seq=4" {
				t.Errorf("resume points %q", since)
			}
		})
	}
}

// Messages the follower never saw are reported as gaps, once each.
func TestFollowReportsGaps(t *testing.T) {
	f := newFake(t)
	p := f.pool("demo", 64<<10)
	appendN(t, p, 1, 3)
	rp, _ := f.client(t).Pool("demo")
	var mu sync.Mutex
	var gaps []string
	fl, err := rp.Follow(bg, FollowOptions{Start: Start{Kind: StartSeq, N: 1},
		OnGap: func(e, n uint64) { mu.Lock(); gaps = append(gaps, fmt.Sprint(e, "-", n)); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	if got := collect(t, fl, 3); !sameSeqs(got, seqList(1, 3)) {
		t.Fatalf("seqs %v", got)
	}
	fl.Close()
	// Overwrite the beginning, then follow from seq 1 again.
	overwrite(t, p)
	oldest := p.Bounds().Oldest
	if oldest <= 4 {
		t.Fatalf("nothing was overwritten (oldest %d)", oldest)
	}
	fl, _ = rp.Follow(bg, FollowOptions{Start: Start{Kind: StartSeq, N: 1},
		OnGap: func(e, n uint64) { mu.Lock(); gaps = append(gaps, fmt.Sprint(e, "-", n)); mu.Unlock() }})
	defer fl.Close()
	if got := collect(t, fl, 1); got[0] != oldest {
		t.Errorf("first seq %d, want %d", got[0], oldest)
	}
	if want := fmt.Sprint("1-", oldest); len(gaps) != 1 || gaps[0] != want {
		t.Errorf("gaps %q, want [%s]", gaps, want)
	}
}

// A finite follow reads up to the newest message at open: max is sent,
// later messages are not delivered, and what retention removed before the
// stream reached it is a gap found by re-reading the bounds.
func TestFollowFinite(t *testing.T) {
	f := newFake(t)
	p := f.pool("demo", 1<<20)
	appendN(t, p, 1, 5)
	rp, _ := f.client(t).Pool("demo")
	fl, err := rp.Follow(bg, FollowOptions{Start: Start{Kind: StartLast, N: 2}, Finite: true})
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, p, 6, 3) // after open: not part of the finite read
	if got := collect(t, fl, 2); !sameSeqs(got, []uint64{4, 5}) {
		t.Errorf("seqs %v", got)
	}
	if _, err := fl.Next(bg); err != io.EOF {
		t.Errorf("after the last: %v, want EOF", err)
	}
	log := f.log()
	if log[0] != "GET /v0/pools/demo/info" || log[1] != "GET /v0/pools/demo/tail?max=2&since_seq=4&timeout_ms=100" {
		t.Errorf("requests %q", log)
	}
	// A stream that ends empty-handed is followed by a bounds re-check and
	// another stream.
	f2 := newFake(t)
	p2 := f2.pool("demo", 1<<20)
	appendN(t, p2, 1, 5)
	streams := 0
	f2.tailHook = func(w http.ResponseWriter, r *http.Request) bool {
		streams++
		if streams == 1 {
			w.WriteHeader(200) // ends at once, with nothing
			return true
		}
		return false
	}
	var gaps []string
	rp2, _ := f2.client(t).Pool("demo")
	fl2, _ := rp2.Follow(bg, FollowOptions{Start: Start{Kind: StartOldest}, Finite: true,
		OnGap: func(e, n uint64) { gaps = append(gaps, fmt.Sprint(e, "-", n)) }})
	got := collect(t, fl2, 5)
	if !sameSeqs(got, seqList(1, 5)) || len(gaps) != 0 {
		t.Errorf("seqs %v gaps %v", got, gaps)
	}
	if _, err := fl2.Next(bg); err != io.EOF {
		t.Errorf("end: %v", err)
	}
}

// The bounds re-check after an empty finite stream reports what retention
// took.
func TestFollowFiniteRecheckGap(t *testing.T) {
	f := newFake(t)
	p := f.pool("demo", 64<<10)
	appendN(t, p, 1, 3)
	rp, _ := f.client(t).Pool("demo")
	var gaps []string
	fl, err := rp.Follow(bg, FollowOptions{Start: Start{Kind: StartOldest}, Finite: true,
		OnGap: func(e, n uint64) { gaps = append(gaps, fmt.Sprint(e, "-", n)) }})
	if err != nil {
		t.Fatal(err)
	}
	// Before the first stream, overwrite everything the follow was to read.
	overwrite(t, p)
	// The server continues at its oldest, past the snapshot's end: the
	// follow reports 1..3 lost and ends.
	if _, err := fl.Next(bg); err != io.EOF {
		t.Errorf("next: %v, want EOF", err)
	}
	if len(gaps) != 1 || gaps[0] != "1-4" {
		t.Errorf("gaps %v, want [1-4]", gaps)
	}
	// And when a stream instead ends empty, the re-read bounds say the same:
	// the gap up to the oldest retained, then the rest.
	first := true
	f.tailHook = func(w http.ResponseWriter, r *http.Request) bool {
		if first {
			first = false
			w.WriteHeader(200)
			return true
		}
		return false
	}
	gaps = nil
	fl, _ = rp.Follow(bg, FollowOptions{Start: Start{Kind: StartSeq, N: 1}, Finite: true,
		OnGap: func(e, n uint64) { gaps = append(gaps, fmt.Sprint(e, "-", n)) }})
	b := p.Bounds()
	if got := collect(t, fl, int(b.Newest-b.Oldest+1)); !sameSeqs(got, seqList(b.Oldest, b.Newest)) {
		t.Errorf("seqs %v, want %d..%d", got, b.Oldest, b.Newest)
	}
	if _, err := fl.Next(bg); err != io.EOF {
		t.Errorf("end: %v", err)
	}
	if want := fmt.Sprint("1-", b.Oldest); len(gaps) != 1 || gaps[0] != want {
		t.Errorf("gaps %v, want [%s]", gaps, want)
	}
}

// The wait halves on the server's cap until accepted, and stays there.
func TestFollowTimeoutCapHalving(t *testing.T) {
	f := newFake(t)
	p := f.pool("demo", 1<<20)
	appendN(t, p, 1, 4)
	f.capMS = 10
	f.streamLimit = 1
	rp, _ := f.client(t).Pool("demo")
	fl, err := rp.Follow(bg, FollowOptions{Start: Start{Kind: StartOldest}, Finite: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := collect(t, fl, 4); !sameSeqs(got, seqList(1, 4)) {
		t.Errorf("seqs %v", got)
	}
	var waits []string
	for _, r := range f.log() {
		if i := strings.Index(r, "timeout_ms="); i >= 0 {
			waits = append(waits, r[i+len("timeout_ms="):])
		}
	}
	if strings.Join(waits, ",") != "100,50,25,12,6,6,6,6" {
		t.Errorf("waits sent %v", waits)
	}
	// A server that takes no wait at all: down to 1 ms, then the error.
	f.capMS = 0
	fl, _ = rp.Follow(bg, FollowOptions{Start: Start{Kind: StartOldest}, Finite: true})
	_, err = fl.Next(bg)
	if e := wantKind(t, err, core.Usage); e.Message != "tail timeout exceeds server limit" {
		t.Errorf("uncapped: %v", e)
	}
	if !strings.HasSuffix(f.log()[len(f.log())-1], "timeout_ms=1") {
		t.Errorf("last request %q", f.log()[len(f.log())-1])
	}
	if _, err2 := fl.Next(bg); err2 != err {
		t.Errorf("error not sticky: %v", err2)
	}
}

// A Next whose context ends returns its error; the follow goes on and
// loses nothing.
func TestFollowNextContext(t *testing.T) {
	f := newFake(t)
	p := f.pool("demo", 1<<20)
	rp, _ := f.client(t).Pool("demo")
	fl, err := rp.Follow(bg, FollowOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	for i := 0; i < 3; i++ {
		ctx, cancel := context.WithTimeout(bg, 30*time.Millisecond)
		_, err := fl.Next(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("idle next: %v", err)
		}
	}
	appendN(t, p, 1, 2)
	if got := collect(t, fl, 2); !sameSeqs(got, []uint64{1, 2}) {
		t.Errorf("seqs %v", got)
	}
}

// Close ends a Next in progress promptly, and the follow.
func TestFollowClose(t *testing.T) {
	f := newFake(t)
	f.pool("demo", 1<<20)
	rp, _ := f.client(t).Pool("demo")
	fl, err := rp.Follow(bg, FollowOptions{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := fl.Next(bg)
		done <- err
	}()
	// Wait until the stream is open on the server.
	for !strings.Contains(strings.Join(f.log(), " "), "/tail") {
		time.Sleep(time.Millisecond)
	}
	fl.Close()
	select {
	case err := <-done:
		if err != io.EOF {
			t.Errorf("next after close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("close did not end next")
	}
	if _, err := fl.Next(bg); err != io.EOF {
		t.Errorf("later next: %v", err)
	}
	// The follow's own context ends it the same way.
	ctx, cancel := context.WithCancel(bg)
	fl, _ = rp.Follow(ctx, FollowOptions{})
	cancel()
	if _, err := fl.Next(bg); err != io.EOF {
		t.Errorf("next after the follow's context: %v", err)
	}
}

// Server errors end the follow: a pool deleted meanwhile (the terminal
// NotFound line), RetentionGap under GapError.
func TestFollowServerErrors(t *testing.T) {
	f := newFake(t)
	rp, _ := f.client(t).Pool("nope")
	if _, err := rp.Follow(bg, FollowOptions{}); core.KindOf(err) != core.NotFound {
		t.Errorf("missing pool: %v", err)
	}
	fl, err := rp.Follow(bg, FollowOptions{Start: Start{Kind: StartSeq, N: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fl.Next(bg); core.KindOf(err) != core.NotFound {
		t.Errorf("stream of a missing pool: %v", err)
	}
	p := f.pool("small", 64<<10)
	overwrite(t, p)
	sp, _ := f.client(t).Pool("small")
	fl, _ = sp.Follow(bg, FollowOptions{Start: Start{Kind: StartSeq, N: 1}, GapError: true})
	_, err = fl.Next(bg)
	if e := wantKind(t, err, core.RetentionGap); e.Seq == nil || *e.Seq != 1 {
		t.Errorf("gap: %+v", e)
	}
	// Lite3 streams have no error frame: the follower sees the jump itself.
	fl, _ = sp.Follow(bg, FollowOptions{Start: Start{Kind: StartSeq, N: 1}, GapError: true, Lite3: true})
	_, err = fl.Next(bg)
	oldest := p.Bounds().Oldest
	if e := wantKind(t, err, core.RetentionGap); e.Seq == nil || *e.Seq != 1 || e.Path != "small" ||
		e.Message != fmt.Sprintf("messages 1-%d are no longer retained; the next available message is %d", oldest-1, oldest) {
		t.Errorf("lite3 gap: %+v", e)
	}
	for _, r := range f.log() {
		if strings.Contains(r, "tail_lite3") && strings.Contains(r, "gap_policy") {
			t.Errorf("gap_policy sent to tail_lite3: %s", r)
		}
	}
	if _, err := sp.Follow(bg, FollowOptions{Lite3: true, GapError: true, Tags: []string{"x"}}); core.KindOf(err) != core.Usage {
		t.Errorf("lite3 gap error with tags: %v", err)
	}
}

// A finite follow whose streams are cut short while delivering asks for
// longer ones, up to what the server takes.
func TestFollowFiniteWaitGrows(t *testing.T) {
	f := newFake(t)
	p := f.pool("demo", 1<<20)
	appendN(t, p, 1, 10)
	f.streamLimit = 2 // every stream ends early, as if at its deadline
	f.capMS = 500
	rp, _ := f.client(t).Pool("demo")
	fl, err := rp.Follow(bg, FollowOptions{Start: Start{Kind: StartOldest}, Finite: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := collect(t, fl, 10); !sameSeqs(got, seqList(1, 10)) {
		t.Errorf("seqs %v", got)
	}
	var waits []string
	for _, r := range f.log() {
		if i := strings.Index(r, "timeout_ms="); i >= 0 {
			waits = append(waits, r[i+len("timeout_ms="):])
		}
	}
	if strings.Join(waits, ",") != "100,200,400,800,400,400" {
		t.Errorf("waits sent %v", waits)
	}
}

// A Next whose context is already done gets what has already arrived
// (what the stream's buffer holds), and leaves the stream open.
func TestFollowPollsWithExpiredContext(t *testing.T) {
	f := newFake(t)
	p := f.pool("demo", 1<<20)
	appendN(t, p, 1, 3)
	rp, _ := f.client(t).Pool("demo")
	fl, err := rp.Follow(bg, FollowOptions{Start: Start{Kind: StartOldest}})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	done, cancel := context.WithCancel(bg)
	cancel()
	var seqs []uint64
	for len(seqs) < 3 {
		m, err := fl.Next(done)
		if errors.Is(err, context.Canceled) {
			m, err = fl.Next(bg) // nothing buffered: wait for it
		}
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, m.Seq)
	}
	if !sameSeqs(seqs, []uint64{1, 2, 3}) {
		t.Errorf("seqs %v", seqs)
	}
	if n := strings.Count(strings.Join(f.log(), " "), "/tail"); n != 1 {
		t.Errorf("%d streams opened, want 1", n)
	}
}
