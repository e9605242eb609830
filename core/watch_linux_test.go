package core

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// osThreads returns this process's thread count (Threads: in /proc/self/status).
func osThreads(t testing.TB) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads: line in /proc/self/status")
	return 0
}

// Ten thousand idle tails of one pool cost one waiting thread between them
// (at most GOMAXPROCS + 16 threads for the whole process), and one append by
// another process wakes every one of them.
func TestTenThousandIdleTailsShareOneWaiter(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 1000
	}
	path := filepath.Join(t.TempDir(), "many.plasmite")
	p, err := Create(path, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*watchGuard)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		tl, err := p.Tail(TailOptions{Start: StartLive})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer tl.Close()
			m, err := tl.Next(ctx)
			if err == nil {
				if _, _, ok := checkWriterPayload(m.Payload); !ok || m.Seq != 1 {
					err = &Error{Kind: Corrupt, Message: "unexpected message " + strconv.FormatUint(m.Seq, 10)}
				}
			}
			errs <- err
		}()
	}
	waitUntil(t, "every tail to wait", func() bool { subs, _, _ := p.m.watch.members(); return subs == n })
	limit := runtime.GOMAXPROCS(0) + 16
	if !testNotifyOff {
		// The watcher asleep in its futex: the only shared futex sleeper.
		waitUntil(t, "the watcher to sleep", func() bool { return ntFutexSleepers(t, os.Getpid()) == 1 })
	}
	if th := osThreads(t); th > limit {
		t.Fatalf("%d idle tails use %d OS threads, want at most GOMAXPROCS+16 = %d", n, th, limit)
	} else {
		t.Logf("%d idle tails: %d OS threads (limit %d)", n, th, limit)
	}

	cmd := childProcess("writer", path, "0,1")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("writer process: %v", err)
	}
	woke := make(chan struct{})
	go func() { wg.Wait(); close(woke) }()
	select {
	case <-woke:
	case <-time.After(watchGuard):
		t.Fatalf("one append from another process did not wake all %d tails", n)
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
