package core

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Multi-process tests re-exec the test binary; PLASMITE_CORE_ROLE picks the
// role the child plays instead of running tests.
func TestMain(m *testing.M) {
	// make test-nonotify: every test (and helper process) runs with
	// wake-ups off, as OpenOptions.NoNotify would have them.
	testNotifyOff = strings.EqualFold(os.Getenv("PLASMITE_NOTIFY"), "off")
	logPath, owner := semaphoreLog()
	if role := os.Getenv("PLASMITE_CORE_ROLE"); role != "" {
		os.Exit(runRole(role, os.Getenv("PLASMITE_CORE_POOL"), os.Getenv("PLASMITE_CORE_ARG")))
	}
	code := m.Run()
	if owner {
		removeLoggedSemaphores(logPath)
	}
	os.Exit(code)
}

// semaphoreLog makes every process of this test run (the children inherit
// PLASMITE_CORE_SEMLOG) record the semaphore files it creates, so the parent
// can remove them at the end instead of littering /dev/shm.
func semaphoreLog() (path string, owner bool) {
	path = os.Getenv("PLASMITE_CORE_SEMLOG")
	if path == "" {
		f, err := os.CreateTemp("", "plasmite-semlog-")
		if err != nil {
			return "", false
		}
		f.Close()
		path, owner = f.Name(), true
		os.Setenv("PLASMITE_CORE_SEMLOG", path)
	}
	semaphoreCreated = func(sem string) {
		if f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0); err == nil {
			f.WriteString(sem + "\n")
			f.Close()
		}
	}
	return path, owner
}

func removeLoggedSemaphores(logPath string) {
	data, _ := os.ReadFile(logPath)
	for _, sem := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(sem, "/dev/shm/sem.plsm-") {
			os.Remove(sem)
		}
	}
	os.Remove(logPath)
}

func runRole(role, path, arg string) int {
	switch role {
	case "writer":
		return roleWriter(path, arg)
	case "follower":
		return roleFollower(path, arg)
	case "pinger":
		return rolePinger(path, arg)
	case "crasher":
		return roleCrasher(path, arg)
	case "feeder":
		return roleFeeder(path, arg)
	case "relay":
		return roleRelay(path, arg)
	}
	fmt.Fprintln(os.Stderr, "unknown role", role)
	return 2
}

// writerPayload is writer w's i-th message: w, i, then filler of varying size.
func writerPayload(buf []byte, w, i int) []byte {
	buf = buf[:0]
	buf = binary.LittleEndian.AppendUint32(buf, uint32(w))
	buf = binary.LittleEndian.AppendUint32(buf, uint32(i))
	n := (w*7 + i) % 97
	for k := 0; k < n; k++ {
		buf = append(buf, byte(w+i+k))
	}
	return buf
}

func checkWriterPayload(b []byte) (w, i int, ok bool) {
	if len(b) < 8 {
		return 0, 0, false
	}
	w, i = int(binary.LittleEndian.Uint32(b)), int(binary.LittleEndian.Uint32(b[4:]))
	return w, i, bytes.Equal(b, writerPayload(nil, w, i))
}

// roleWriter appends arg="w,n" messages; prints the worst append latency.
func roleWriter(path, arg string) int {
	var w, n int
	fmt.Sscanf(arg, "%d,%d", &w, &n)
	p, err := Open(path, OpenOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var buf []byte
	var worst time.Duration
	for i := 0; i < n; i++ {
		buf = writerPayload(buf, w, i)
		t0 := time.Now()
		if _, err := p.appendPayload(buf, Fast); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		worst = max(worst, time.Since(t0))
	}
	p.Close()
	fmt.Println(worst.Microseconds())
	return 0
}

// roleFollower reads arg messages from seq 1 with GapError and checks order,
// density and integrity; prints "ok".
func roleFollower(path, arg string) int {
	total, _ := strconv.Atoi(arg)
	p, err := Open(path, OpenOptions{ReadOnly: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tl, _ := p.Tail(TailOptions{Start: StartSeq, Seq: 1, Gap: GapError})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	next := map[int]int{}
	for s := 1; s <= total; s++ {
		m, err := tl.Next(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, "next:", err)
			return 1
		}
		if m.Seq != uint64(s) {
			fmt.Fprintf(os.Stderr, "got seq %d, want %d\n", m.Seq, s)
			return 1
		}
		w, i, ok := checkWriterPayload(m.Payload)
		if !ok || next[w] != i {
			fmt.Fprintf(os.Stderr, "seq %d: bad payload (writer %d msg %d, want %d, intact %v)\n", s, w, i, next[w], ok)
			return 1
		}
		next[w]++
	}
	fmt.Println("ok")
	return 0
}

func child(t *testing.T, role, path, arg string) *exec.Cmd { return childProcess(role, path, arg) }

// childProcess is this test binary playing role (see runRole) on pool path.
func childProcess(role, path, arg string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PLASMITE_CORE_ROLE="+role, "PLASMITE_CORE_POOL="+path, "PLASMITE_CORE_ARG="+arg)
	cmd.Stderr = os.Stderr
	return cmd
}

// The delivery check: writer processes append concurrently while
// follower processes read every message from seq 1, checking order,
// density and integrity. Knobs (test only; `make stress` raises them):
// PLASMITE_STRESS_WRITERS (4), PLASMITE_STRESS_MESSAGES per writer (10000,
// 2000 with -short), PLASMITE_STRESS_FOLLOWERS (2).
func TestMultiProcessWritersAndFollowers(t *testing.T) {
	writers := stressKnob("PLASMITE_STRESS_WRITERS", 4, 4)
	per := stressKnob("PLASMITE_STRESS_MESSAGES", 10000, 2000)
	followers := stressKnob("PLASMITE_STRESS_FOLLOWERS", 2, 2)
	path := filepath.Join(t.TempDir(), "mp.plasmite")
	// Large enough that a follower never falls a whole ring behind.
	p, err := Create(path, max(16<<20, int64(writers*per)*160))
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	var fol, wr []*exec.Cmd
	var fout, wout []*bytes.Buffer
	for i := 0; i < followers; i++ {
		c := child(t, "follower", path, strconv.Itoa(writers*per))
		b := &bytes.Buffer{}
		c.Stdout = b
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		fol, fout = append(fol, c), append(fout, b)
	}
	start := time.Now()
	for w := 0; w < writers; w++ {
		c := child(t, "writer", path, fmt.Sprintf("%d,%d", w, per))
		b := &bytes.Buffer{}
		c.Stdout = b
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		wr, wout = append(wr, c), append(wout, b)
	}
	var worst []string
	for i, c := range wr {
		if err := c.Wait(); err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
		worst = append(worst, strings.TrimSpace(wout[i].String()))
	}
	written := time.Since(start)
	for i, c := range fol {
		if err := c.Wait(); err != nil || strings.TrimSpace(fout[i].String()) != "ok" {
			t.Fatalf("follower %d: %v %q", i, err, fout[i].String())
		}
	}
	total := writers * per
	t.Logf("delivery check: %d writers × %d messages + %d followers: all %d delivered to every follower in order, intact; "+
		"written in %v (%.0f appends/s), read by all in %v; worst append latency per writer (µs): %s",
		writers, per, followers, total, written.Round(time.Millisecond), float64(total)/written.Seconds(),
		time.Since(start).Round(time.Millisecond), strings.Join(worst, ", "))
	q, err := Open(path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if b := q.Bounds(); b != (Bounds{1, uint64(total)}) {
		t.Fatalf("bounds %v", b)
	}
	mustStrict(t, q)
}
