//go:build linux

package core

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/plasmite-go/plasmite/internal/reftest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// Child processes: the test binary re-executed with -test.run selecting
// TestNotifyHelperProcess and the role in this variable.
const notifyRoleEnv = "PLASMITE_NOTIFY_TEST_ROLE"

// ntGuard bounds how long a test waits for something that should happen
// promptly; exceeding it means a lost wake-up, not slowness.
const ntGuard = 30 * time.Second

// ntMapFile creates (if needed) a file of size bytes and maps it shared.
func ntMapFile(t testing.TB, path string, size int, writable bool) []byte {
	t.Helper()
	mem, err := ntMap(path, size, writable)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	return mem
}

func ntMap(path string, size int, writable bool) ([]byte, error) {
	flag, prot := os.O_RDONLY, syscall.PROT_READ
	if writable {
		flag, prot = os.O_RDWR|os.O_CREATE, syscall.PROT_READ|syscall.PROT_WRITE
	}
	f, err := os.OpenFile(path, flag, 0o600)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if writable {
		if fi, err := f.Stat(); err != nil {
			return nil, err
		} else if fi.Size() < int64(size) {
			if err := f.Truncate(int64(size)); err != nil {
				return nil, err
			}
		}
	}
	return syscall.Mmap(int(f.Fd()), 0, size, prot, syscall.MAP_SHARED)
}

// ntHeader makes a zeroed 4096-byte "pool header" file in a fresh temp dir.
func ntHeader(t testing.TB) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "p.plasmite")
	return path, ntMapFile(t, path, 4096, true)
}

// ntOpen opens a notifier that does not post the reference semaphore, for
// tests about our own wake word.
func ntOpen(t testing.TB, path string, header []byte, writable bool) *notifier {
	t.Helper()
	ntNeedNotify(t)
	n := openNotifier(path, header, writable, notifyOptions{semaphore: true})
	if n.mode == notifyOff {
		t.Fatal("notifier unexpectedly disabled (PLASMITE_NOTIFY set in the environment?)")
	}
	n.semName = ""
	t.Cleanup(n.close)
	return n
}

func ntWord(header []byte, off int) uint32 {
	return (*atomic.Uint32)(unsafe.Pointer(&header[off])).Load()
}

// ntWaiters reports whether the waiters bit of the wake word is set.
func ntWaiters(header []byte) bool {
	return ntWord(header, notifyGenOffset)&notifyWaitersBit != 0
}

// ntFutexSleepers counts the threads of process pid blocked in a
// process-shared FUTEX_WAIT (the Go runtime's own futex sleeps are private,
// so they do not count), read from /proc/<pid>/task/*/syscall.
func ntFutexSleepers(t testing.TB, pid int) int {
	t.Helper()
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/syscall", pid))
	if err != nil || len(tasks) == 0 {
		t.Fatalf("no /proc tasks for %d: %v", pid, err)
	}
	prefix := fmt.Sprintf("%d ", syscall.SYS_FUTEX)
	count := 0
	for _, task := range tasks {
		b, err := os.ReadFile(task)
		if err != nil {
			continue // the thread just exited
		}
		f := strings.Fields(string(b))
		if strings.HasPrefix(string(b), prefix) && len(f) > 2 && f[2] == "0x0" {
			count++
		}
	}
	return count
}

// ntWaitFor polls cond until it holds or the guard expires.
func ntWaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(ntGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// ntSpawn starts this test binary in a helper role.
func ntSpawn(t testing.TB, role string, env ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestNotifyHelperProcess$", "-test.v")
	cmd.Env = append(append(os.Environ(), notifyRoleEnv+"="+role), env...)
	out := new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, out
}

// ntReap waits for a helper to exit within the guard and fails on a
// non-zero status.
func ntReap(t testing.TB, cmd *exec.Cmd, out *bytes.Buffer) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("helper %v: %v\n%s", cmd.Env[len(cmd.Env)-1], err, out)
		}
	case <-time.After(ntGuard):
		cmd.Process.Kill()
		<-done
		t.Fatalf("helper did not finish (lost wake-up?)\n%s", out)
	}
}

// TestNotifyHelperProcess is not a test: it runs the child roles.
func TestNotifyHelperProcess(t *testing.T) {
	ntNeedNotify(t)
	role := os.Getenv(notifyRoleEnv)
	if role == "" {
		t.Skip("helper process only")
	}
	if err := ntRunRole(role); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func ntRunRole(role string) error {
	path := os.Getenv("NT_PATH")
	size, _ := strconv.Atoi(os.Getenv("NT_SIZE"))
	if size == 0 {
		size = 4096
	}
	mem, err := ntMap(path, size, true)
	if err != nil {
		return err
	}
	switch role {
	case "waiter":
		// Wait once for a change of the generation; succeed only if the
		// wait ended because of it (max is far beyond the parent's guard).
		n := openNotifier(path, mem, true, notifyOptions{semaphore: true})
		tok := n.token()
		if err := n.wait(context.Background(), tok, time.Hour); err != nil {
			return err
		}
		if got := n.token(); got == tok {
			return fmt.Errorf("wait returned with the token unchanged (%d)", tok)
		}
		return nil
	case "pingpong":
		// Answer each bump of word B with a bump of word A until B reaches
		// NT_ROUNDS.
		rounds, _ := strconv.Atoi(os.Getenv("NT_ROUNDS"))
		a := openNotifier(path, mem[:2048], true, notifyOptions{semaphore: true})
		b := openNotifier(path, mem[2048:4096], true, notifyOptions{semaphore: true})
		a.semName, b.semName = "", ""
		ctx, cancel := context.WithTimeout(context.Background(), ntGuard)
		defer cancel()
		tok := uint32(0) // fresh file; the parent may have bumped already
		for int(tok) < rounds {
			for b.token() == tok {
				if err := b.wait(ctx, tok, time.Hour); err != nil {
					return fmt.Errorf("waiting for round %d: %w", tok+1, err)
				}
			}
			tok = b.token()
			a.wakeAll()
		}
		return nil
	case "bench-follower":
		return ntBenchFollower(path, mem)
	}
	return fmt.Errorf("unknown role %q", role)
}

func TestNotifyWakeCrossesProcesses(t *testing.T) {
	ntNeedNotify(t)
	path, hdr := ntHeader(t)
	n := ntOpen(t, path, hdr, true)

	var kids []*exec.Cmd
	var outs []*bytes.Buffer
	for range 2 {
		cmd, out := ntSpawn(t, "waiter", "NT_PATH="+path)
		kids, outs = append(kids, cmd), append(outs, out)
	}
	tok := n.token()
	local := make(chan error, 1)
	go func() { local <- n.wait(context.Background(), tok, time.Hour) }()

	ntWaitFor(t, "three sleepers", func() bool {
		return ntFutexSleepers(t, kids[0].Process.Pid) == 1 &&
			ntFutexSleepers(t, kids[1].Process.Pid) == 1 &&
			ntFutexSleepers(t, os.Getpid()) == 1
	})
	n.wakeAll() // one wake-up must reach all of them

	for i := range kids {
		ntReap(t, kids[i], outs[i])
	}
	select {
	case err := <-local:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(ntGuard):
		t.Fatal("in-process waiter not woken")
	}
	if n.token() == tok {
		t.Fatal("token unchanged after wakeAll")
	}
	if ntWaiters(hdr) {
		t.Fatal("waiters bit still set after the wake")
	}
}

// A ping-pong between two processes where every round depends on one
// wake-up: a single lost wake-up stalls it.
func TestNotifyPingPongAcrossProcesses(t *testing.T) {
	ntNeedNotify(t)
	const rounds = 3000
	path, hdr := ntHeader(t)
	a := ntOpen(t, path, hdr[:2048], true)
	b := ntOpen(t, path, hdr[2048:], true)
	cmd, out := ntSpawn(t, "pingpong", "NT_PATH="+path, "NT_ROUNDS="+strconv.Itoa(rounds))

	ctx, cancel := context.WithTimeout(context.Background(), ntGuard)
	defer cancel()
	for i := range rounds {
		tok := a.token() // before the bump that provokes the answer
		b.wakeAll()
		for a.token() == tok {
			if err := a.wait(ctx, tok, time.Hour); err != nil {
				t.Fatalf("round %d: %v\n%s", i, err, out)
			}
		}
	}
	ntReap(t, cmd, out)
	if got := a.token(); got != rounds {
		t.Fatalf("answers = %d, want %d", got, rounds)
	}
	if ntWaiters(hdr[:2048]) || ntWaiters(hdr[2048:]) {
		t.Fatal("waiters bit left set")
	}
}

func TestNotifyTokenTakenBeforeWakeIsNotLost(t *testing.T) {
	ntNeedNotify(t)
	path, hdr := ntHeader(t)
	n := ntOpen(t, path, hdr, true)
	other := ntOpen(t, path, hdr, true) // a second handle, as another writer would have

	tok := n.token()
	other.wakeAll() // lands between token() and wait()
	done := make(chan error, 1)
	go func() { done <- n.wait(context.Background(), tok, time.Hour) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(ntGuard):
		t.Fatal("wake-up between token and wait was lost")
	}
	if n.token() != tok+1 {
		t.Fatalf("token = %d, want %d", n.token(), tok+1)
	}
	// The fast path returns without flagging itself as a waiter.
	if ntWaiters(hdr) {
		t.Fatal("waiters bit set by a wait that did not sleep")
	}
}

func TestNotifyCancelUnblocksWait(t *testing.T) {
	ntNeedNotify(t)
	path, hdr := ntHeader(t)
	n := ntOpen(t, path, hdr, true)

	// Cancel at different moments: before the waiter sleeps, while it
	// enters, and once it is surely asleep.
	for i := range 300 {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- n.wait(ctx, n.token(), time.Hour) }()
		switch i % 3 {
		case 1:
			for range i % 7 {
				time.Sleep(0)
			}
		case 2:
			ntWaitFor(t, "the waiter to sleep", func() bool { return ntFutexSleepers(t, os.Getpid()) == 1 })
		}
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("round %d: err = %v, want context.Canceled", i, err)
			}
		case <-time.After(ntGuard):
			t.Fatalf("round %d: cancel did not interrupt the wait", i)
		}
	}
	if ntFutexSleepers(t, os.Getpid()) != 0 {
		t.Fatal("a cancelled wait is still asleep")
	}

	// An already finished context is reported without waiting.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := n.wait(ctx, n.token(), time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("done ctx: err = %v", err)
	}
	// A context deadline earlier than max ends the wait with its error.
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := n.wait(ctx, n.token(), time.Hour); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ctx deadline: err = %v, want DeadlineExceeded", err)
	}
}

func TestNotifyMaxElapsedReturnsNil(t *testing.T) {
	ntNeedNotify(t)
	path, hdr := ntHeader(t)
	for _, writable := range []bool{true, false} {
		n := ntOpen(t, path, hdr, writable)
		tok := n.token()
		const max = 30 * time.Millisecond
		start := time.Now()
		if err := n.wait(context.Background(), tok, max); err != nil {
			t.Fatalf("writable=%v: err = %v", writable, err)
		}
		if el := time.Since(start); el < max {
			t.Fatalf("writable=%v: returned after %v, before max %v without a wake-up", writable, el, max)
		}
		if n.token() != tok {
			t.Fatal("token changed without wakeAll")
		}
		for _, m := range []time.Duration{0, -time.Second} {
			if err := n.wait(context.Background(), tok, m); err != nil {
				t.Fatalf("max %v: %v", m, err)
			}
		}
	}
}

func TestNotifyReadOnlyMappingWakes(t *testing.T) {
	ntNeedNotify(t)
	path, hdr := ntHeader(t)
	w := ntOpen(t, path, hdr, true)
	ro := ntOpen(t, path, ntMapFile(t, path, 4096, false), false)
	if ro.mode != notifyReadOnly {
		t.Fatalf("mode = %d", ro.mode)
	}

	tok := ro.token()
	done := make(chan error, 1)
	go func() { done <- ro.wait(context.Background(), tok, time.Hour) }()
	ntWaitFor(t, "the read-only waiter to sleep", func() bool { return ntFutexSleepers(t, os.Getpid()) == 1 })
	if ntWord(hdr, notifyGenOffset) != 0 {
		t.Fatal("read-only waiter wrote the wake word")
	}
	w.wakeAll()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(ntGuard):
		t.Fatal("read-only waiter never noticed the new generation")
	}
	if ro.token() == tok {
		t.Fatal("token unchanged")
	}
	// A read-only handle neither bumps the generation nor counts itself.
	before := ntWord(hdr, notifyGenOffset)
	ro.wakeAll()
	if ntWord(hdr, notifyGenOffset) != before {
		t.Fatal("read-only notifier wrote the header")
	}
	// Cancellation interrupts its sliced sleep as well.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- ro.wait(ctx, ro.token(), time.Hour) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestNotifyDisabled(t *testing.T) {
	ntNeedNotify(t)
	path, hdr := ntHeader(t)
	n := openNotifier(path, hdr, true, notifyOptions{off: true})
	defer n.close()
	t.Cleanup(func() { os.Remove(semaphoreDir + "/sem." + semaphoreName(path)) })

	n.wakeAll()
	if !bytes.Equal(hdr[notifyGenOffset:notifyGenOffset+8], make([]byte, 8)) {
		t.Fatal("disabled notifier wrote the header")
	}
	if _, err := os.Stat(semaphoreDir + "/sem." + semaphoreName(path)); err == nil {
		t.Fatal("disabled notifier posted the semaphore")
	}
	if n.token() != 0 {
		t.Fatal("token must be constant when disabled")
	}

	// wait is a plain sleep: a wake from an enabled handle does not end it.
	other := ntOpen(t, path, hdr, true)
	other.wakeAll()
	const max = 30 * time.Millisecond
	start := time.Now()
	if err := n.wait(context.Background(), 12345, max); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < max {
		t.Fatalf("disabled wait returned after %v < %v", el, max)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.wait(ctx, 0, time.Hour) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(ntGuard):
		t.Fatal("cancel did not end a disabled wait")
	}
}

// OpenOptions.NoSemaphore: our wake word works, the semaphore is not posted;
// OpenOptions.NoNotify: neither.
func TestNotifyOpenOptions(t *testing.T) {
	ntNeedNotify(t)
	for _, c := range []struct {
		name     string
		o        OpenOptions
		gen      uint32 // wake word after one append
		semPosts bool
	}{
		{"default", OpenOptions{}, 2, true},
		{"NoSemaphore", OpenOptions{NoSemaphore: true}, 2, false},
		{"NoNotify", OpenOptions{NoNotify: true}, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "p.plasmite")
			semPath := ntSemPath(t, path)
			p, err := CreateWith(path, CreateOptions{Size: 64 << 10, Open: c.o})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if _, err := p.AppendJSON([]byte(`{"a":1}`), nil, Fast); err != nil {
				t.Fatal(err)
			}
			if g := ntWord(p.m.data, notifyGenOffset); g != c.gen {
				t.Errorf("wake word %d, want %d", g, c.gen)
			}
			_, err = os.Stat(semPath)
			if posted := err == nil; posted != c.semPosts {
				t.Errorf("semaphore posted: %v, want %v", posted, c.semPosts)
			}
			// Open takes the same options.
			q, err := Open(path, c.o)
			if err != nil {
				t.Fatal(err)
			}
			defer q.Close()
			if _, err := q.AppendJSON([]byte(`{"a":2}`), nil, Fast); err != nil {
				t.Fatal(err)
			}
			if g := ntWord(p.m.data, notifyGenOffset); g != 2*c.gen {
				t.Errorf("wake word %d after a second append, want %d", g, 2*c.gen)
			}
		})
	}
}

// Whatever way waits end, one wakeAll leaves the word without the waiters
// bit, so later appends pay no system call.
func TestNotifyWaitersBitHeals(t *testing.T) {
	ntNeedNotify(t)
	path, hdr := ntHeader(t)
	n := ntOpen(t, path, hdr, true)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ctx, cancel := context.WithCancel(context.Background())
				if (g+i)%3 == 0 {
					time.AfterFunc(time.Duration(i%5)*100*time.Microsecond, cancel)
				}
				n.wait(ctx, n.token(), time.Duration(1+i%4)*time.Millisecond)
				cancel()
			}
		}()
	}
	for range 300 {
		n.wakeAll()
		time.Sleep(100 * time.Microsecond)
	}
	close(stop)
	wg.Wait()
	n.wakeAll()
	if ntWaiters(hdr) {
		t.Fatal("waiters bit survives a wakeAll with nobody waiting")
	}
	if w := ntWord(hdr, notifyGenOffset); w != 2*301 {
		t.Fatalf("word = %d, want generation 301 (%d)", w, 2*301)
	}
}

// A follower killed in its sleep costs the writers one wake, not one per
// append forever.
func TestNotifyKilledWaiterHeals(t *testing.T) {
	ntNeedNotify(t)
	path, hdr := ntHeader(t)
	n := ntOpen(t, path, hdr, true)
	cmd, _ := ntSpawn(t, "waiter", "NT_PATH="+path)
	ntWaitFor(t, "the child to sleep", func() bool { return ntFutexSleepers(t, cmd.Process.Pid) == 1 })
	if !ntWaiters(hdr) {
		t.Fatal("a sleeping writable waiter must have set the waiters bit")
	}
	cmd.Process.Kill()
	cmd.Wait()
	n.wakeAll()
	if ntWaiters(hdr) {
		t.Fatal("waiters bit not cleared by the wake")
	}
	n.wakeAll()
	if ntWaiters(hdr) || ntWord(hdr, notifyGenOffset) != 4 {
		t.Fatalf("word = %d, want 4", ntWord(hdr, notifyGenOffset))
	}
}

func TestNotifyCloseReleasesWaiters(t *testing.T) {
	ntNeedNotify(t)
	path, hdr := ntHeader(t)
	mem, err := ntMap(path, 4096, true)
	if err != nil {
		t.Fatal(err)
	}
	n := openNotifier(path, mem, true, notifyOptions{semaphore: true})
	n.semName = ""
	done := make(chan error, 2)
	for range 2 {
		go func() { done <- n.wait(context.Background(), n.token(), time.Hour) }()
	}
	ntWaitFor(t, "two sleepers", func() bool { return ntFutexSleepers(t, os.Getpid()) == 2 })
	n.close() // returns only once no wait uses the mapping
	if err := syscall.Munmap(mem); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(ntGuard):
			t.Fatal("close did not release a waiter")
		}
	}
	// After close the notifier no longer touches the (now unmapped) header.
	if err := n.wait(context.Background(), 7, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if n.token() != 0 {
		t.Fatal("token after close")
	}
	n.close() // idempotent
	_ = hdr
}

// ---------------------------------------------------------------------------
// The reference's semaphore.

// ntSemPath returns the semaphore file for pool path and removes it when
// the test ends.
func ntSemPath(t testing.TB, pool string) string {
	t.Helper()
	p := semaphoreDir + "/sem." + semaphoreName(pool)
	t.Cleanup(func() { os.Remove(p) })
	return p
}

func ntSemValue(t testing.TB, semPath string) (value, waiters uint32, raw []byte) {
	t.Helper()
	raw, err := os.ReadFile(semPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) < 8 {
		t.Fatalf("semaphore is %d bytes", len(raw))
	}
	return binary.LittleEndian.Uint32(raw), binary.LittleEndian.Uint32(raw[4:]), raw
}

func TestSemaphoreName(t *testing.T) {
	ntNeedNotify(t)
	// From the pool-format notes (§6.7): a path that does not resolve is
	// hashed as given.
	if got, want := semaphoreName("/srv/pools/demo.plasmite"),
		"plsm-43a51dd5e0aa970d1b98b053949381b62ca75aaf078239bbc7377821044657a1"; got != want {
		t.Fatalf("name = %s, want %s", got, want)
	}
	if got := semaphoreName("rel/missing.plasmite"); got != ntHash("rel/missing.plasmite") {
		t.Fatalf("unresolvable relative path not hashed as given: %s", got)
	}

	// An existing pool reached through a symlink and "..": the canonical
	// path is hashed, as realpath(3) would give it.
	dir := t.TempDir()
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(realDir, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	pool := filepath.Join(realDir, "a", "p.plasmite")
	if err := os.WriteFile(pool, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(realDir, "a", "b"), filepath.Join(realDir, "link")); err != nil {
		t.Fatal(err)
	}
	want := ntHash(pool)
	for _, p := range []string{pool, filepath.Join(realDir, "link") + "/../p.plasmite", realDir + "/a/./b/../p.plasmite"} {
		if got := semaphoreName(p); got != want {
			t.Errorf("semaphoreName(%s) = %s, want hash of %s", p, got, pool)
		}
	}
	// Relative to the working directory.
	t.Chdir(filepath.Join(realDir, "link"))
	if got := semaphoreName("../p.plasmite"); got != want {
		t.Errorf("relative through symlinked cwd: %s, want hash of %s", got, pool)
	}
	if n := len(semaphoreName(pool)); n != 69 { // "/" + 69 = the 70 characters of §6.7
		t.Errorf("name length %d", n)
	}
}

func ntHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "plsm-" + hex.EncodeToString(sum[:])
}

func TestSemaphorePostedOnWake(t *testing.T) {
	ntNeedNotify(t)
	dir := t.TempDir()
	pool := filepath.Join(dir, "p.plasmite")
	hdr := ntMapFile(t, pool, 4096, true)
	semPath := ntSemPath(t, pool)
	n := openNotifier(pool, hdr, true, notifyOptions{semaphore: true})
	defer n.close()

	if _, err := os.Stat(semPath); err == nil {
		t.Fatal("semaphore exists before the first wake")
	}
	for range 3 {
		n.wakeAll()
	}
	fi, err := os.Stat(semPath)
	if err != nil {
		t.Fatalf("semaphore not created: %v", err)
	}
	if fi.Mode() != 0o600 || fi.Size() != semaphoreSize {
		t.Fatalf("semaphore mode %v size %d, want -rw------- 32", fi.Mode(), fi.Size())
	}
	value, waiters, raw := ntSemValue(t, semPath)
	if value != 3 || waiters != 0 {
		t.Fatalf("value %d waiters %d, want 3 0", value, waiters)
	}
	want := make([]byte, semaphoreSize)
	want[0], want[8] = 3, 0x80
	if !bytes.Equal(raw, want) {
		t.Fatalf("semaphore bytes %x, want %x", raw, want)
	}
	// The count saturates.
	for range 2 * semaphoreMaxCount {
		n.wakeAll()
	}
	if value, _, _ := ntSemValue(t, semPath); value != semaphoreMaxCount {
		t.Fatalf("value %d after many posts, want the cap %d", value, semaphoreMaxCount)
	}
}

func TestSemaphoreExistingIsReused(t *testing.T) {
	ntNeedNotify(t)
	dir := t.TempDir()
	pool := filepath.Join(dir, "p.plasmite")
	hdr := ntMapFile(t, pool, 4096, true)
	semPath := ntSemPath(t, pool)
	init := make([]byte, semaphoreSize)
	init[0], init[8] = 5, 0x80
	if err := os.WriteFile(semPath, init, 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(semPath)

	n := openNotifier(pool, hdr, true, notifyOptions{semaphore: true})
	defer n.close()
	n.wakeAll()
	if v, _, _ := ntSemValue(t, semPath); v != 6 {
		t.Fatalf("value %d, want 6", v)
	}
	after, _ := os.Stat(semPath)
	if !os.SameFile(before, after) {
		t.Fatal("existing semaphore replaced instead of reused")
	}
}

// A waiter blocked the way glibc's sem_wait blocks (announced in the high
// half, asleep on the low half) is woken by a post.
func TestSemaphoreWakesBlockedWaiter(t *testing.T) {
	ntNeedNotify(t)
	dir := t.TempDir()
	pool := filepath.Join(dir, "p.plasmite")
	hdr := ntMapFile(t, pool, 4096, true)
	semPath := ntSemPath(t, pool)
	n := openNotifier(pool, hdr, true, notifyOptions{semaphore: true})
	defer n.close()
	n.wakeAll() // creates the semaphore with count 1
	sem := ntMapFile(t, semPath, semaphoreSize, true)
	data := (*atomic.Uint64)(unsafe.Pointer(&sem[0]))
	if !data.CompareAndSwap(1, 0) {
		t.Fatalf("count %d, want 1", data.Load())
	}

	done := make(chan struct{})
	go func() {
		defer close(done)
		data.Add(1 << 32) // one waiter
		for {
			d := data.Load()
			if uint32(d) > 0 {
				if data.CompareAndSwap(d, d-1-(1<<32)) {
					return
				}
				continue
			}
			futexWait((*atomic.Uint32)(unsafe.Pointer(&sem[0])), 0, time.Hour)
		}
	}()
	ntWaitFor(t, "the waiter to announce itself", func() bool { return data.Load()>>32 == 1 })
	n.wakeAll()
	select {
	case <-done:
	case <-time.After(ntGuard):
		t.Fatal("post did not wake the blocked semaphore waiter")
	}
	if d := data.Load(); d != 0 {
		t.Fatalf("semaphore word %#x after the waiter took the post, want 0", d)
	}
}

func TestSemaphoreFailureIsSilent(t *testing.T) {
	ntNeedNotify(t)
	path, hdr := ntHeader(t)
	n := openNotifier(path, hdr, true, notifyOptions{semaphore: true})
	defer n.close()
	n.semName = "no/such/dir/x" // /dev/shm/sem.no/such/dir/x cannot be created
	n.wakeAll()
	n.wakeAll()
	if g := ntWord(hdr, notifyGenOffset); g != 4 {
		t.Fatalf("word %d, want 4 (generation 2)", g)
	}
	if n.semState.Load() != semBroken {
		t.Fatal("semaphore failure not remembered")
	}
}

// With a C compiler around, check the layout against glibc itself: its
// sem_trywait consumes our post, and our post wakes its blocked sem_wait.
func TestSemaphoreGlibcInterop(t *testing.T) {
	ntNeedNotify(t)
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "sem.c")
	bin := filepath.Join(dir, "sem")
	const prog = `#include <semaphore.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
int main(int argc, char **argv) {
	sem_t *s = sem_open(argv[1], O_CREAT, 0600, 0);
	if (s == SEM_FAILED) { printf("sem_open: %s\n", strerror(errno)); return 2; }
	if (!strcmp(argv[2], "trywait") && sem_trywait(s)) { printf("trywait: %s\n", strerror(errno)); return 3; }
	if (!strcmp(argv[2], "wait") && sem_wait(s)) { printf("wait: %s\n", strerror(errno)); return 4; }
	if (!strcmp(argv[2], "post") && sem_post(s)) { printf("post: %s\n", strerror(errno)); return 5; }
	int v = -1; sem_getvalue(s, &v); printf("%d\n", v);
	return 0;
}
`
	if err := os.WriteFile(src, []byte(prog), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cc, "-O2", "-pthread", "-o", bin, src).CombinedOutput(); err != nil {
		t.Skipf("cannot build the glibc probe: %v\n%s", err, out)
	}
	pool := filepath.Join(dir, "p.plasmite")
	hdr := ntMapFile(t, pool, 4096, true)
	semPath := ntSemPath(t, pool)
	name := "/" + semaphoreName(pool)
	n := openNotifier(pool, hdr, true, notifyOptions{semaphore: true})
	defer n.close()
	run := func(op string) string {
		out, err := exec.Command(bin, name, op).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v %s", op, err, out)
		}
		return string(bytes.TrimSpace(out))
	}

	n.wakeAll() // we create it
	n.wakeAll()
	if got := run("get"); got != "2" {
		t.Fatalf("glibc sees value %s, want 2", got)
	}
	if got := run("trywait"); got != "1" {
		t.Fatalf("after glibc trywait: %s, want 1", got)
	}
	if got := run("post"); got != "2" { // glibc posts on the file we created
		t.Fatalf("after glibc post: %s", got)
	}
	if v, _, _ := ntSemValue(t, semPath); v != 2 {
		t.Fatalf("we read %d after glibc post, want 2", v)
	}
	run("trywait")
	run("trywait")

	// A glibc sem_wait blocked on count 0 wakes on our post.
	cmd := exec.Command(bin, name, "wait")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ntWaitFor(t, "glibc sem_wait to block", func() bool {
		_, w, _ := ntSemValue(t, semPath)
		return w > 0
	})
	n.wakeAll()
	ntReap(t, cmd, &out)
	if got := string(bytes.TrimSpace(out.Bytes())); got != "0" {
		t.Fatalf("glibc waiter saw %q, want 0 after consuming the post", got)
	}

	// And a semaphore glibc created is one we can post.
	os.Remove(semPath)
	run("get")
	n2 := openNotifier(pool, hdr, true, notifyOptions{semaphore: true})
	defer n2.close()
	n2.wakeAll()
	if got := run("get"); got != "1" {
		t.Fatalf("post on glibc-created semaphore: %s, want 1", got)
	}
}

// ntRefBin returns the reference 1.2.1 CLI, or skips.
func ntRefBin(t *testing.T) string {
	t.Helper()
	if testNotifyOff {
		t.Skip("PLASMITE_NOTIFY=off: our appends post nothing")
	}
	return reftest.Bin(t)
}

// Against the reference release: its writer posts the semaphore we compute
// the name of, and its follower consumes our posts.
func TestSemaphoreReferenceInterop(t *testing.T) {
	ntNeedNotify(t)
	bin := ntRefBin(t)
	dir := t.TempDir()
	pool := filepath.Join(dir, "demo.plasmite")
	semPath := ntSemPath(t, pool)
	ref := func(args ...string) {
		t.Helper()
		out, err := exec.Command(bin, append([]string{"--dir", dir}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("plasmite %v: %v\n%s", args, err, out)
		}
	}
	ref("pool", "create", "demo")
	ref("feed", "demo", `{"a":1}`)
	if v, _, _ := ntSemValue(t, semPath); v != 1 {
		t.Fatalf("reference append left count %d on %s, want 1", v, semPath)
	}

	// Its follower polls sem_trywait: our posts are consumed.
	follow := exec.Command(bin, "--dir", dir, "follow", "demo")
	if err := follow.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { follow.Process.Kill(); follow.Wait() }()
	ntWaitFor(t, "the reference follower to drain the count", func() bool {
		v, _, _ := ntSemValue(t, semPath)
		return v == 0
	})
	hdr := ntMapFile(t, pool, 4096, true)
	n := openNotifier(pool, hdr, true, notifyOptions{semaphore: true})
	defer n.close()
	// Freeze the follower so the posts are seen before it takes them.
	if err := follow.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		n.wakeAll()
	}
	v, _, _ := ntSemValue(t, semPath)
	follow.Process.Signal(syscall.SIGCONT)
	if v != 3 {
		t.Fatalf("count %d after three posts, want 3", v)
	}
	ntWaitFor(t, "the reference follower to consume our posts", func() bool {
		v, _, _ := ntSemValue(t, semPath)
		return v == 0
	})
	// Our wake word did not disturb the pool for the reference.
	ref("feed", "demo", `{"a":2}`)
	out, err := exec.Command(bin, "--dir", dir, "fetch", "demo", "2").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte(`"a":2`)) {
		t.Fatalf("reference fetch after our wakes: %v\n%s", err, out)
	}
}

// ntNeedNotify skips tests of the notifier itself when PLASMITE_NOTIFY=off
// (make test-nonotify) has disabled it for the whole process.
func ntNeedNotify(t testing.TB) {
	t.Helper()
	if testNotifyOff {
		t.Skip("PLASMITE_NOTIFY=off disables the notifier under test")
	}
}
