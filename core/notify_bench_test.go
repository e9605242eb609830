//go:build linux

package core

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

// wakeAll with nobody asleep: the cost every append pays.
func BenchmarkNotifyWakeAllNoSleepers(b *testing.B) {
	b.Run("word", func(b *testing.B) {
		path, hdr := ntHeader(b)
		n := ntOpen(b, path, hdr, true)
		b.ReportAllocs()
		for b.Loop() {
			n.wakeAll()
		}
	})
	b.Run("word+semaphore", func(b *testing.B) {
		pool := filepath.Join(b.TempDir(), "p.plasmite")
		hdr := ntMapFile(b, pool, 4096, true)
		ntSemPath(b, pool)
		n := openNotifier(pool, hdr, true, notifyOptions{semaphore: true})
		defer n.close()
		n.wakeAll() // maps the semaphore
		if n.semState.Load() != semReady {
			b.Fatal("semaphore not available")
		}
		b.ReportAllocs()
		for b.Loop() {
			n.wakeAll()
		}
	})
	// The count kept below its cap (as when a reference follower consumes
	// it), so every wakeAll pays the compare-and-swap.
	b.Run("word+semaphore-unsaturated", func(b *testing.B) {
		pool := filepath.Join(b.TempDir(), "p.plasmite")
		hdr := ntMapFile(b, pool, 4096, true)
		ntSemPath(b, pool)
		n := openNotifier(pool, hdr, true, notifyOptions{semaphore: true})
		defer n.close()
		n.wakeAll()
		b.ReportAllocs()
		for b.Loop() {
			n.semData.Store(0)
			n.wakeAll()
		}
	})
	// Every wakeAll finds the waiters bit set (a follower re-flagging itself
	// after each wake-up, or one killed in its sleep, once): the price of
	// the FUTEX_WAKE system call.
	b.Run("waiters-bit-set", func(b *testing.B) {
		path, hdr := ntHeader(b)
		n := ntOpen(b, path, hdr, true)
		b.ReportAllocs()
		for b.Loop() {
			n.gen.Or(notifyWaitersBit)
			n.wakeAll()
		}
	})
}

// wait when the token is already stale: the follower's cost while data flows.
func BenchmarkNotifyWaitAlreadyChanged(b *testing.B) {
	path, hdr := ntHeader(b)
	n := ntOpen(b, path, hdr, true)
	tok := n.token()
	n.wakeAll()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := n.wait(ctx, tok, time.Second); err != nil {
			b.Fatal(err)
		}
	}
}

// Offsets in the benchmark's shared file (outside both wake-word areas).
const (
	ntStampOff = 1024 // writer's wall clock at the bump, ns
	ntP50Off   = 1032 // follower's results
	ntP99Off   = 1040
	ntMaxOff   = 1048
)

func ntInt64(mem []byte, off int) *atomic.Int64 {
	return (*atomic.Int64)(unsafe.Pointer(&mem[off]))
}

// Cross-process wake latency: a follower process blocked in wait, a writer
// process stamping the time and calling wakeAll. The follower measures
// now - stamp after each wake-up and reports p50/p99/max. Before each bump
// the writer lets the follower sink into its futex sleep (the idle-follower
// case), so ns/op is mostly that pause; the latency metrics are what count.
func BenchmarkNotifyWakeLatency(b *testing.B) {
	path := filepath.Join(b.TempDir(), "lat")
	mem := ntMapFile(b, path, 8192, true)
	wake := ntOpen(b, path, mem[:4096], true)
	ack := ntOpen(b, path, mem[4096:], true)
	stamp := ntInt64(mem, ntStampOff)

	ackTok := ack.token()
	cmd, out := ntSpawn(b, "bench-follower", "NT_PATH="+path, "NT_SIZE=8192", "NT_N="+strconv.Itoa(b.N))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	waitAck := func() {
		for ack.token() == ackTok {
			if err := ack.wait(ctx, ackTok, time.Minute); err != nil {
				b.Fatalf("follower silent: %v\n%s", err, out)
			}
		}
		ackTok = ack.token()
	}

	b.ResetTimer()
	for range b.N {
		waitAck() // follower holds its token and is heading for wait
		for !ntWaiters(mem) {
			runtime.Gosched()
		}
		time.Sleep(50 * time.Microsecond)
		stamp.Store(time.Now().UnixNano())
		wake.wakeAll()
	}
	waitAck() // results are in
	b.StopTimer()
	ntReap(b, cmd, out)
	b.ReportMetric(float64(ntInt64(mem, ntP50Off).Load()), "p50-ns")
	b.ReportMetric(float64(ntInt64(mem, ntP99Off).Load()), "p99-ns")
	b.ReportMetric(float64(ntInt64(mem, ntMaxOff).Load()), "max-ns")
}

// ntBenchFollower is the follower side of BenchmarkNotifyWakeLatency.
func ntBenchFollower(path string, mem []byte) error {
	count, err := strconv.Atoi(os.Getenv("NT_N"))
	if err != nil || len(mem) < 8192 {
		return fmt.Errorf("bad NT_N or mapping: %v", err)
	}
	wake := openNotifier(path, mem[:4096], true, notifyOptions{semaphore: true})
	ack := openNotifier(path, mem[4096:], true, notifyOptions{semaphore: true})
	wake.semName, ack.semName = "", ""
	stamp := ntInt64(mem, ntStampOff)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	lat := make([]int64, 0, count)
	for range count {
		tok := wake.token()
		ack.wakeAll()
		for wake.token() == tok {
			if err := wake.wait(ctx, tok, time.Minute); err != nil {
				return err
			}
		}
		lat = append(lat, time.Now().UnixNano()-stamp.Load())
	}
	slices.Sort(lat)
	pick := func(q float64) int64 { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	ntInt64(mem, ntP50Off).Store(pick(0.50))
	ntInt64(mem, ntP99Off).Store(pick(0.99))
	ntInt64(mem, ntMaxOff).Store(lat[len(lat)-1])
	ack.wakeAll()
	return nil
}
