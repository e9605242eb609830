package core

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// watchGuard bounds waits for things that must happen promptly; reaching it
// means a lost wake-up, not slowness.
const watchGuard = 30 * time.Second

// members reports, for tests, how many tails wait in the open round (its
// leader included), its ready functions, and whether it has a waiter.
func (w *watch) members() (waiting, ready int, running bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if r := w.cur.Load(); r != nil {
		waiting = int(r.subs.Load())
	}
	if w.waiter == tailWaiter {
		waiting++
	}
	return waiting, len(w.ready), w.waiter != noWaiter
}

// waitUntil polls cond until it holds, failing the test after watchGuard.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(watchGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// eachWatch runs f for a tail that waits with wake-ups and one that polls.
func eachWatch(t *testing.T, f func(t *testing.T, p *Pool, o TailOptions)) {
	for _, noNotify := range []bool{false, true} {
		t.Run(fmt.Sprintf("NoNotify=%v", noNotify), func(t *testing.T) {
			f(t, tempPool(t, 64<<10), TailOptions{Start: StartLive, NoNotify: noNotify})
		})
	}
}

// A cancel ends a waiting Next at once: Next selects on ctx.Done() itself.
// The median over many cancels must stay under 10 ms (the figure is
// BenchmarkNextCancel); the guard only catches a cancel that is lost.
func TestNextReturnsPromptlyOnCancel(t *testing.T) {
	eachWatch(t, func(t *testing.T, p *Pool, o TailOptions) {
		tl, err := p.Tail(o)
		if err != nil {
			t.Fatal(err)
		}
		defer tl.Close()
		var lat []time.Duration
		for range 50 {
			ctx, cancel := context.WithCancel(context.Background())
			type result struct {
				err error
				at  time.Time
			}
			done := make(chan result, 1)
			go func() {
				_, err := tl.Next(ctx)
				done <- result{err, time.Now()}
			}()
			waitUntil(t, "Next to wait", func() bool { subs, _, _ := tl.w.members(); return subs == 1 })
			t0 := time.Now()
			cancel()
			select {
			case r := <-done:
				if !errors.Is(r.err, context.Canceled) {
					t.Fatalf("Next: %v, want context.Canceled", r.err)
				}
				lat = append(lat, r.at.Sub(t0))
			case <-time.After(watchGuard):
				t.Fatal("cancel did not end Next")
			}
			if subs, _, _ := tl.w.members(); subs != 0 {
				t.Fatalf("a cancelled Next is still a member of the round (%d)", subs)
			}
		}
		slices.Sort(lat)
		if med := lat[len(lat)/2]; med > 10*time.Millisecond {
			t.Fatalf("median cancel-to-return %v, want under 10ms (max %v)", med, lat[len(lat)-1])
		}
	})
}

// A context deadline ends Next with DeadlineExceeded, with nothing appended.
func TestNextDeadline(t *testing.T) {
	eachWatch(t, func(t *testing.T, p *Pool, o TailOptions) {
		tl, _ := p.Tail(o)
		defer tl.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if _, err := tl.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Next: %v", err)
		}
	})
}

// Many tails of one pool share one watcher, which ends after the wake-up
// that nobody waits past, and after every member left.
func TestWatcherRunsOnlyWhileTailsWait(t *testing.T) {
	eachWatch(t, func(t *testing.T, p *Pool, o TailOptions) {
		const n = 50
		var w *watch
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			tl, err := p.Tail(o)
			if err != nil {
				t.Fatal(err)
			}
			defer tl.Close()
			w = tl.w
			wg.Add(1)
			go func() {
				defer wg.Done()
				m, err := tl.Next(ctx)
				if err == nil && m.Seq != 1 {
					err = fmt.Errorf("seq %d", m.Seq)
				}
				errs <- err
			}()
		}
		if _, _, running := p.m.watch.members(); running && o.NoNotify {
			t.Fatal("the wake-up watcher runs although only polling tails wait")
		}
		waitUntil(t, "all tails to wait", func() bool { subs, _, _ := w.members(); return subs == n })
		if _, _, running := w.members(); !running {
			t.Fatal("tails wait but no watcher runs")
		}
		rawAppend(t, p, []byte("one"))
		wg.Wait()
		for range n {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		waitUntil(t, "the watcher to end after the wake-up", func() bool { _, _, r := w.members(); return !r })

		// Members that all leave through their contexts end it too.
		tl, _ := p.Tail(o)
		defer tl.Close()
		ctx2, cancel2 := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { _, err := tl.Next(ctx2); done <- err }()
		waitUntil(t, "a tail to wait", func() bool { subs, _, _ := w.members(); return subs == 1 })
		cancel2()
		<-done
		waitUntil(t, "the watcher to end after its members left", func() bool { _, _, r := w.members(); return !r })
	})
}

// AfterReady calls f at once when a message is there, after the next append
// otherwise, and stop reports whether it kept f from running.
func TestAfterReady(t *testing.T) {
	eachWatch(t, func(t *testing.T, p *Pool, o TailOptions) {
		tl, _ := p.Tail(o)
		defer tl.Close()
		called := make(chan int, 4)
		stop := tl.AfterReady(func() { called <- 1 })
		waitUntil(t, "the registration", func() bool { _, ready, running := tl.w.members(); return ready == 1 && running })
		rawAppend(t, p, []byte("a"))
		select {
		case <-called:
		case <-time.After(watchGuard):
			t.Fatal("f not called after an append")
		}
		if stop() {
			t.Fatal("stop after the call reported true")
		}
		// A message is waiting: f runs at once, and the registration is gone.
		tl.AfterReady(func() { called <- 2 })
		if got := <-called; got != 2 {
			t.Fatalf("got %d", got)
		}
		if _, ready, _ := tl.w.members(); ready != 0 {
			t.Fatalf("%d registrations left", ready)
		}
		if m, ok, err := tl.TryNext(); !ok || err != nil || m.Seq != 1 {
			t.Fatalf("TryNext: %v %v %v", m.Seq, ok, err)
		}
		// Caught up: stop before any append keeps f from running.
		stop = tl.AfterReady(func() { called <- 3 })
		if !stop() {
			t.Fatal("stop before the append reported false")
		}
		if _, ready, _ := tl.w.members(); ready != 0 {
			t.Fatalf("%d registrations left after stop", ready)
		}
		// A closed tail: f runs (TryNext then reports the closed tail).
		tl.Close()
		tl.AfterReady(func() { called <- 4 })
		if got := <-called; got != 4 {
			t.Fatalf("got %d", got)
		}
	})
}

// Issue 12 defect 4: a follower whose pool file is truncated to 0 under it
// ends with an IO error, whether it waits with wake-ups or polls, and on a
// read-only mapping too, instead of dying of SIGBUS in the wait.
func TestFollowerOfTruncatedPoolEndsWithIOError(t *testing.T) {
	if raceEnabled {
		t.Skip("a fault inside the race runtime cannot become a panic (race_test.go)")
	}
	for _, c := range []struct {
		name string
		open OpenOptions
		tail TailOptions
	}{
		{"notify", OpenOptions{}, TailOptions{Start: StartLive}},
		{"NoNotify-tail", OpenOptions{}, TailOptions{Start: StartLive, NoNotify: true}},
		{"NoNotify-pool", OpenOptions{NoNotify: true}, TailOptions{Start: StartLive}},
		{"read-only", OpenOptions{ReadOnly: true}, TailOptions{Start: StartLive}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "t.plasmite")
			w, err := Create(path, 64<<10)
			if err != nil {
				t.Fatal(err)
			}
			rawAppend(t, w, []byte("before"))
			w.Close()
			p, err := Open(path, c.open)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			tl, err := p.Tail(c.tail)
			if err != nil {
				t.Fatal(err)
			}
			defer tl.Close()
			done := make(chan error, 1)
			go func() { _, err := tl.Next(context.Background()); done <- err }()
			waitUntil(t, "Next to wait", func() bool { subs, _, _ := tl.w.members(); return subs == 1 })
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				if KindOf(err) != IO {
					t.Fatalf("Next: %v, want an IO error", err)
				}
			case <-time.After(watchGuard):
				t.Fatal("Next did not notice the truncation")
			}
			if _, err := tl.Next(context.Background()); KindOf(err) != IO {
				t.Fatalf("second Next: %v, want IO", err)
			}
			stop := tl.AfterReady(func() {})
			_ = stop()
		})
	}
}

// BenchmarkNextCancel: time from cancel to the return of a waiting Next.
func BenchmarkNextCancel(b *testing.B) {
	p := tempPool(b, 64<<10)
	tl, _ := p.Tail(TailOptions{Start: StartLive})
	defer tl.Close()
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan time.Time, 1)
		go func() { tl.Next(ctx); done <- time.Now() }()
		waitUntil(b, "Next to wait", func() bool { subs, _, _ := tl.w.members(); return subs == 1 })
		t0 := time.Now()
		cancel()
		lat = append(lat, (<-done).Sub(t0))
	}
	reportQuantiles(b, lat, "µs", time.Microsecond)
}

// reportQuantiles reports the p50 and p99 of lat in unit.
func reportQuantiles(b *testing.B, lat []time.Duration, unit string, per time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2])/float64(per), "p50-"+unit)
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)])/float64(per), "p99-"+unit)
}

// BenchmarkWakeAllTails: N tails of one pool wait; a writer in another
// process appends a message stamped with its send time; the figure is the
// time until the last of the N tails has it (p50/p99 over the rounds). The
// writer appends the next message when this process acknowledges the round
// on a second pool, so every round starts with all tails asleep.
func BenchmarkWakeAllTails(b *testing.B) {
	for _, n := range []int{1, 100, 10000} {
		b.Run("tails="+strconv.Itoa(n), func(b *testing.B) { benchWakeAllTails(b, n) })
	}
}

func benchWakeAllTails(b *testing.B, n int) {
	dir := b.TempDir()
	data, ack := filepath.Join(dir, "data.plasmite"), filepath.Join(dir, "ack.plasmite")
	p, err := Create(data, 1<<20)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	a, err := Create(ack, 1<<20)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	rounds := b.N
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	var left atomic.Int64 // tails still to receive the current round's message
	var last atomic.Int64 // latest arrival of the round, Unix ns
	roundDone := make(chan struct{}, 1)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		tl, err := p.Tail(TailOptions{Start: StartLive})
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer tl.Close()
			for range rounds {
				if _, err := tl.Next(ctx); err != nil {
					errs <- err
					return
				}
				now := time.Now().UnixNano()
				for {
					l := last.Load()
					if now <= l || last.CompareAndSwap(l, now) {
						break
					}
				}
				if left.Add(-1) == 0 {
					roundDone <- struct{}{}
				}
			}
		}()
	}
	cmd := childProcess("relay", data, ack+","+strconv.Itoa(rounds))
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer cmd.Wait()
	reader, _ := p.Tail(TailOptions{Start: StartLive}) // reads the stamps
	defer reader.Close()
	lat := make([]time.Duration, 0, rounds)
	b.ResetTimer()
	for range rounds {
		left.Store(int64(n))
		last.Store(0)
		waitUntil(b, "all tails to wait", func() bool { subs, _, _ := p.m.watch.members(); return subs >= n })
		if _, err := a.appendPayload([]byte("go"), Fast); err != nil {
			b.Fatal(err)
		}
		select {
		case <-roundDone:
		case err := <-errs:
			b.Fatal(err)
		case <-ctx.Done():
			b.Fatal("round timed out")
		}
		m, err := reader.Next(ctx)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Duration(last.Load()-int64(binary.LittleEndian.Uint64(m.Payload))))
	}
	b.StopTimer()
	wg.Wait()
	reportQuantiles(b, lat, "µs", time.Microsecond)
}

// roleRelay follows the ack pool named in arg ("path,rounds") and, for each
// message there, appends to pool path a message holding the wall clock.
func roleRelay(path, arg string) int {
	var ack string
	var rounds int
	if i := strings.LastIndexByte(arg, ','); i > 0 {
		ack = arg[:i]
		rounds, _ = strconv.Atoi(arg[i+1:])
	}
	p, err := Open(path, OpenOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer p.Close()
	a, err := Open(ack, OpenOptions{ReadOnly: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer a.Close()
	tl, _ := a.Tail(TailOptions{Start: StartSeq, Seq: 1})
	defer tl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var buf [8]byte
	for range rounds {
		if _, err := tl.Next(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "relay:", err)
			return 1
		}
		binary.LittleEndian.PutUint64(buf[:], uint64(time.Now().UnixNano()))
		if _, err := p.appendPayload(buf[:], Fast); err != nil {
			fmt.Fprintln(os.Stderr, "relay:", err)
			return 1
		}
	}
	return 0
}
