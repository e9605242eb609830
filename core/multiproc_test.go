package core

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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
		return roleCrasher(path)
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

func TestMultiProcessWritersAndFollowers(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	const writers, per, followers = 4, 10000, 2
	path := filepath.Join(t.TempDir(), "mp.plasmite")
	p, err := Create(path, 16<<20)
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
	for w := 0; w < writers; w++ {
		c := child(t, "writer", path, fmt.Sprintf("%d,%d", w, per))
		b := &bytes.Buffer{}
		c.Stdout = b
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		wr, wout = append(wr, c), append(wout, b)
	}
	for i, c := range wr {
		if err := c.Wait(); err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
		t.Logf("writer %d worst append latency %s µs", i, strings.TrimSpace(wout[i].String()))
	}
	for i, c := range fol {
		if err := c.Wait(); err != nil || strings.TrimSpace(fout[i].String()) != "ok" {
			t.Fatalf("follower %d: %v %q", i, err, fout[i].String())
		}
	}
	q, err := Open(path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if b := q.Bounds(); b != (Bounds{1, writers * per}) {
		t.Fatalf("bounds %v", b)
	}
	mustStrict(t, q)
}

// roleCrasher appends Flush messages forever, printing each acknowledged seq.
func roleCrasher(path string) int {
	p, err := Open(path, OpenOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	out := bufio.NewWriter(os.Stdout)
	rng := rand.New(rand.NewSource(int64(os.Getpid())))
	var buf []byte
	for i := 0; ; i++ {
		buf = writerPayload(buf, os.Getpid()%1000, i)
		buf = append(buf, bytes.Repeat([]byte{byte(i)}, rng.Intn(300))...)
		d := Fast
		if i%4 == 0 {
			d = Flush
		}
		r, err := p.appendPayload(buf, d)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if d == Flush {
			fmt.Fprintf(out, "%d %d\n", r.Seq, len(buf))
			out.Flush()
		}
	}
}

func crashRounds() int {
	if s := os.Getenv("PLASMITE_CRASH_ROUNDS"); s != "" {
		n, _ := strconv.Atoi(s)
		return n
	}
	if testing.Short() {
		return 20
	}
	return 200
}

// Writers killed with SIGKILL at random points: the pool always opens and
// validates, and every acknowledged Flush append is still readable intact.
func TestCrashKillWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.plasmite")
	p, err := Create(path, 64<<10) // small: the ring wraps many times
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	rounds := crashRounds()
	progressed, acked := 0, 0
	var lastNewest uint64
	defer func() {
		t.Logf("%d rounds, %d appended something, %d acknowledged flush appends checked", rounds, progressed, acked)
	}()
	for round := 0; round < rounds; round++ {
		// One or two concurrent crashers.
		n := 1 + rng.Intn(2)
		var cmds []*exec.Cmd
		var outs []*bytes.Buffer
		for i := 0; i < n; i++ {
			c := child(t, "crasher", path, "")
			b := &bytes.Buffer{}
			c.Stdout = b
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			cmds, outs = append(cmds, c), append(outs, b)
		}
		time.Sleep(time.Duration(rng.Intn(8000)) * time.Microsecond)
		for _, c := range cmds {
			c.Process.Signal(syscall.SIGKILL)
		}
		for _, c := range cmds {
			c.Wait()
		}
		q, err := Open(path, OpenOptions{})
		if err != nil {
			t.Fatalf("round %d: open: %v", round, err)
		}
		if err := q.m.checkStrict(); err != nil {
			q.Close()
			t.Fatalf("round %d: %s", round, err.(*Error).Display())
		}
		b := q.Bounds()
		if b.Newest > lastNewest {
			progressed++
		}
		lastNewest = b.Newest
		for _, out := range outs {
			for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				var seq uint64
				var n int
				if _, err := fmt.Sscanf(line, "%d %d", &seq, &n); err != nil {
					continue
				}
				acked++
				if seq > b.Newest {
					t.Fatalf("round %d: acknowledged seq %d beyond newest %d", round, seq, b.Newest)
				}
				if seq < b.Oldest {
					continue // overwritten since, legitimately
				}
				m, err := q.Get(seq)
				if err != nil {
					t.Fatalf("round %d: acknowledged seq %d: %v", round, seq, err)
				}
				if len(m.Payload) != n {
					t.Fatalf("round %d: seq %d has %d bytes, want %d", round, seq, len(m.Payload), n)
				}
			}
		}
		// Everything retained reads back intact.
		tl, _ := q.Tail(TailOptions{})
		for {
			m, ok, err := tl.TryNext()
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if !ok {
				break
			}
			if len(m.Payload) < 8 || !prefixOK(m.Payload) {
				t.Fatalf("round %d: torn message %d", round, m.Seq)
			}
		}
		tl.Close()
		q.Close()
	}
}

// prefixOK checks the writerPayload prefix of a crasher message (which has
// extra filler appended).
func prefixOK(b []byte) bool {
	w, i := int(binary.LittleEndian.Uint32(b)), int(binary.LittleEndian.Uint32(b[4:]))
	want := writerPayload(nil, w, i)
	if len(b) < len(want) || !bytes.Equal(b[:len(want)], want) {
		return false
	}
	for _, c := range b[len(want):] {
		if c != byte(i) {
			return false
		}
	}
	return true
}
