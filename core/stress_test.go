package core

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core/lite3"
	"github.com/plasmite-go/plasmite/internal/reftest"
)

// The crash loop (issue 12, `make stress`): each round starts 2 to 4
// writers on one pool — ours and, when installed, release 1.2.1's CLI,
// each with fast or flush durability — SIGKILLs them all at a random
// moment, then checks that every message a writer acknowledged is either
// still retained, intact, or was overwritten since, and that a follower
// running all along delivered each one intact (or reported it overwritten
// before it could). Our writers must never damage the pool. A killed 1.2.1
// writer can (it overwrites the oldest frames before publishing that it
// dropped them): that damage must have exactly that shape, and Repair
// must make the pool whole again, losing only the overwritten messages.
//
// Knobs (environment, test only): PLASMITE_CRASH_ROUNDS (default 20, 8
// with -short; `make stress` sets hundreds).

func stressKnob(name string, def, short int) int {
	if s := os.Getenv(name); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
	}
	if testing.Short() {
		return short
	}
	return def
}

// crashPad is the pad length of writer w's message i.
func crashPad(w, i int) int { return (w*7 + i*13) % 300 }

func crashData(w, i int) []byte {
	return []byte(`{"w":` + strconv.Itoa(w) + `,"i":` + strconv.Itoa(i) + `,"p":"` + strings.Repeat("x", crashPad(w, i)) + `"}`)
}

// msgID is who wrote a crash-loop message.
type msgID struct{ w, i int }

// crashMessage decodes and checks a crash-loop message.
func crashMessage(payload []byte) (msgID, error) {
	if err := lite3.ValidateMessage(payload); err != nil {
		return msgID{}, err
	}
	root, _ := lite3.Root(payload)
	w, ok1 := mustGet(root, "data", "w").Int()
	i, ok2 := mustGet(root, "data", "i").Int()
	p, ok3 := mustGet(root, "data", "p").Str()
	if !ok1 || !ok2 || !ok3 || len(p) != crashPad(int(w), int(i)) || strings.Trim(p, "x") != "" {
		return msgID{}, errors.New("message content does not match its writer and number")
	}
	return msgID{int(w), int(i)}, nil
}

func mustGet(v lite3.Value, path ...string) lite3.Value {
	r, _ := v.GetPath(path...)
	return r
}

// roleCrasher appends messages forever with durability arg ("fast",
// "flush" or "mixed"), printing "seq i" for each acknowledged one.
func roleCrasher(path, arg string) int {
	p, err := Open(path, OpenOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	out := bufio.NewWriter(os.Stdout)
	w := os.Getpid()
	for i := 0; ; i++ {
		d := Fast
		if arg == "flush" || arg == "mixed" && i%4 == 0 {
			d = Flush
		}
		r, err := p.AppendJSON(crashData(w, i), []string{"crash"}, d)
		if err != nil {
			fmt.Fprintln(os.Stderr, "crasher:", err)
			return 1
		}
		fmt.Fprintf(out, "%d %d\n", r.Seq, i)
		out.Flush()
	}
}

// crashWriter is one writer process of a round.
type crashWriter struct {
	ref      bool
	mode     string
	w        int // writer id in the messages
	cmd      *exec.Cmd
	out, err *strings.Builder
}

// acks returns what the writer acknowledged: seq → message id.
func (cw *crashWriter) acks() map[uint64]msgID {
	acks := map[uint64]msgID{}
	k := 0
	for _, line := range strings.Split(cw.out.String(), "\n") {
		if cw.ref {
			// one receipt per message, in input order: {"meta":…,"seq":N,"time":…}
			var rc struct{ Seq uint64 }
			if json.Unmarshal([]byte(line), &rc) == nil && rc.Seq != 0 {
				acks[rc.Seq] = msgID{cw.w, k}
				k++
			}
			continue
		}
		var seq uint64
		var i int
		if _, err := fmt.Sscanf(line, "%d %d", &seq, &i); err == nil {
			acks[seq] = msgID{cw.w, i}
		}
	}
	return acks
}

func startCrashWriter(t *testing.T, path, refBin string, ref bool, mode string, w int) *crashWriter {
	cw := &crashWriter{ref: ref, mode: mode, w: w, out: &strings.Builder{}, err: &strings.Builder{}}
	var feed *os.File
	if ref {
		cw.cmd = exec.Command(refBin, "feed", path, "--durability", mode, "--tag", "crash")
		r, wr, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cw.cmd.Stdin, feed = r, wr
		defer r.Close()
	} else {
		cw.cmd = child(t, "crasher", path, mode)
	}
	cw.cmd.Stdout, cw.cmd.Stderr = cw.out, cw.err
	if err := cw.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if feed != nil {
		go func() { // an endless feed, until the writer dies (EPIPE)
			bw := bufio.NewWriterSize(feed, 64<<10)
			for i := 0; ; i++ {
				bw.Write(crashData(w, i))
				if bw.WriteByte('\n') != nil {
					break
				}
			}
			feed.Close()
		}()
	} else {
		cw.w = cw.cmd.Process.Pid
	}
	return cw
}

// crashFollower tails the pool for the whole crash loop, checking every
// message it delivers, and records what it delivered and what it was told
// it missed (overwritten before it could read it).
type crashFollower struct {
	path string
	mu   sync.Mutex
	last uint64 // every seq up to last was delivered or reported missed
	got  map[uint64]msgID
	gaps [][2]uint64
	bad  []string // messages delivered torn or wrong: failures
	// damage: the follower met a Corrupt pool and waits for repaired
	damage   int
	repaired chan struct{}
	progress chan struct{}
	stop     chan struct{}
	stopped  chan struct{}
}

func (f *crashFollower) run() {
	defer close(f.stopped)
	for {
		select {
		case <-f.stop:
			return
		default:
		}
		if !f.follow() {
			return
		}
	}
}

// follow reads until the tail fails; it reports false when stopped.
func (f *crashFollower) follow() bool {
	p, err := Open(f.path, OpenOptions{ReadOnly: true})
	if err != nil {
		return f.waitRepair()
	}
	defer p.Close()
	f.mu.Lock()
	from := f.last + 1
	f.mu.Unlock()
	tl, _ := p.Tail(TailOptions{Start: StartSeq, Seq: from, Gap: GapError})
	defer tl.Close()
	var missedFrom uint64
	for {
		select {
		case <-f.stop:
			return false
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		m, err := tl.Next(ctx)
		cancel()
		switch {
		case err == nil:
		case errors.Is(err, context.DeadlineExceeded):
			continue
		case KindOf(err) == RetentionGap:
			if missedFrom == 0 {
				missedFrom = *err.(*Error).Seq
			}
			tl.Close()
			tl, _ = p.Tail(TailOptions{Start: StartOldest, Gap: GapError})
			continue
		case KindOf(err) == Corrupt:
			f.mu.Lock()
			f.damage++
			f.mu.Unlock()
			return f.waitRepair()
		default:
			f.mu.Lock()
			f.bad = append(f.bad, "follower: "+err.Error())
			f.mu.Unlock()
			return false
		}
		id, cerr := crashMessage(m.Payload)
		f.mu.Lock()
		if missedFrom != 0 {
			f.gaps = append(f.gaps, [2]uint64{missedFrom, m.Seq - 1})
			missedFrom = 0
		}
		if cerr != nil {
			f.bad = append(f.bad, "seq "+itoa(m.Seq)+" delivered torn: "+cerr.Error())
		}
		f.got[m.Seq] = id
		f.last = m.Seq
		f.mu.Unlock()
		select {
		case f.progress <- struct{}{}:
		default:
		}
	}
}

func (f *crashFollower) waitRepair() bool {
	select {
	case <-f.stop:
		return false
	case <-f.repaired:
		return true
	}
}

// caughtUp waits until the follower accounted for every seq up to newest.
func (f *crashFollower) caughtUp(newest uint64, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		done := f.last >= newest
		f.mu.Unlock()
		if done {
			return true
		}
		select {
		case <-f.progress:
		case <-deadline.C:
			return false
		}
	}
}

// missed reports whether the follower was told seq was overwritten.
func (f *crashFollower) missed(seq uint64) bool {
	for _, g := range f.gaps {
		if g[0] <= seq && seq <= g[1] {
			return true
		}
	}
	return false
}

type crashStats struct {
	rounds, ours, ref, fast, flush         int
	acked, retained, overwritten           int
	delivered, missedByFollower            int
	refDamage, repaired, lostByRepair      int
	followerMetDamage, writersDiedOnDamage int
}

func TestCrashKillWriters(t *testing.T) {
	rounds := stressKnob("PLASMITE_CRASH_ROUNDS", 20, 8)
	refBin := reftest.OptionalBin(t)
	path := filepath.Join(t.TempDir(), "crash.plasmite")
	p, err := Create(path, 1<<20) // the ring wraps in most rounds
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	f := &crashFollower{path: path, got: map[uint64]msgID{}, repaired: make(chan struct{}, 1),
		progress: make(chan struct{}, 1), stop: make(chan struct{}), stopped: make(chan struct{})}
	go f.run()
	defer func() { close(f.stop); <-f.stopped }()
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	var st crashStats
	start := time.Now()
	defer func() {
		t.Logf("crash loop: %d rounds in %v; writers: %d ours, %d 1.2.1 (%d fast, %d flush); %d acknowledged messages checked: "+
			"%d retained and intact, %d overwritten since; follower: %d delivered intact, %d reported overwritten before read; "+
			"1.2.1 writers damaged the pool in %d rounds, repaired each time (%d messages lost to the damage); "+
			"the follower met the damage %d times, writers failed on it %d times",
			st.rounds, time.Since(start).Round(time.Millisecond), st.ours, st.ref, st.fast, st.flush, st.acked,
			st.retained, st.overwritten, st.delivered, st.missedByFollower, st.refDamage, st.lostByRepair,
			st.followerMetDamage, st.writersDiedOnDamage)
	}()
	for round := 0; round < rounds; round++ {
		st.rounds++
		var ws []*crashWriter
		refInRound := false
		for k := 2 + rng.Intn(3); k > 0; k-- {
			ref := refBin != "" && rng.Intn(2) == 0
			mode := []string{"fast", "flush", "mixed"}[rng.Intn(3)]
			if ref {
				if mode == "mixed" {
					mode = "fast"
				}
				st.ref++
				refInRound = true
			} else {
				st.ours++
			}
			if mode == "flush" {
				st.flush++
			} else {
				st.fast++
			}
			ws = append(ws, startCrashWriter(t, path, refBin, ref, mode, 1000000+round*10+k))
		}
		time.Sleep(time.Duration(5000+rng.Intn(40000)) * time.Microsecond) // the moment of the crash
		for _, w := range ws {
			w.cmd.Process.Signal(syscall.SIGKILL)
		}
		var failed []string // writers that stopped on an error before the kill
		for _, w := range ws {
			err := w.cmd.Wait()
			var ee *exec.ExitError
			if errors.As(err, &ee) && ee.ExitCode() >= 0 {
				failed = append(failed, fmt.Sprintf("writer (1.2.1: %v) exit %d: %s", w.ref, ee.ExitCode(), w.err))
			}
		}
		lost := map[uint64]bool{}
		damaged := strictCheck(path)
		if damaged == nil && len(failed) > 0 {
			t.Fatalf("round %d: on an undamaged pool, %v", round, failed)
		}
		st.writersDiedOnDamage += len(failed)
		if err := damaged; err != nil {
			if !refInRound {
				t.Fatalf("round %d: only our writers ran, and the pool is damaged: %v", round, err)
			}
			r, rerr := Repair(path, RepairOptions{NoBackup: true})
			if rerr != nil {
				t.Fatalf("round %d: repair of the damage left by a 1.2.1 writer (%v): %v", round, err, rerr)
			}
			for _, l := range r.Lost {
				if l.Reason != "missing" || !strings.Contains(l.Detail, "unfinished append") {
					if b, err := os.ReadFile(path); err == nil && os.Getenv("PLASMITE_CRASH_KEEP") != "" {
						os.WriteFile(os.Getenv("PLASMITE_CRASH_KEEP"), b, 0o644)
					}
					t.Fatalf("round %d: damage not of the shape a killed 1.2.1 writer leaves: %+v", round, r)
				}
				for s := l.First; s <= l.Last; s++ {
					lost[s] = true
				}
			}
			if err := strictCheck(path); err != nil {
				t.Fatalf("round %d: still damaged after repair %+v: %v", round, r, err)
			}
			st.refDamage++
			st.lostByRepair += len(lost)
			select {
			case f.repaired <- struct{}{}:
			default:
			}
		}
		q, err := Open(path, OpenOptions{ReadOnly: true})
		if err != nil {
			t.Fatalf("round %d: open: %v", round, err)
		}
		b := q.Bounds()
		if !f.caughtUp(b.Newest, 20*time.Second) {
			q.Close()
			f.mu.Lock()
			t.Fatalf("round %d: the follower did not get to seq %d (it is at %d, met damage %d times)", round, b.Newest, f.last, f.damage)
		}
		f.mu.Lock()
		if len(f.bad) > 0 {
			t.Fatalf("round %d: %v", round, f.bad)
		}
		for _, w := range ws {
			for seq, id := range w.acks() {
				st.acked++
				if seq > b.Newest {
					t.Fatalf("round %d: acknowledged seq %d beyond the newest %d", round, seq, b.Newest)
				}
				if lost[seq] {
					continue
				}
				if seq >= b.Oldest && b.Oldest != 0 {
					m, err := q.Get(seq)
					if err != nil {
						t.Fatalf("round %d: acknowledged seq %d: %v", round, seq, err)
					}
					if got, err := crashMessage(m.Payload); err != nil || got != id {
						t.Fatalf("round %d: seq %d holds %v (%v), acknowledged as %v", round, seq, got, err, id)
					}
					st.retained++
				} else {
					st.overwritten++
				}
				switch got, ok := f.got[seq]; {
				case ok && got == id:
					st.delivered++
				case ok:
					t.Fatalf("round %d: the follower delivered %v as seq %d, acknowledged as %v", round, got, seq, id)
				case f.missed(seq) || lost[seq]:
					st.missedByFollower++
				default:
					t.Fatalf("round %d: the follower neither delivered seq %d nor was told it was overwritten", round, seq)
				}
			}
		}
		st.followerMetDamage = f.damage
		// Forget what later rounds cannot ask about.
		for s := range f.got {
			if s <= b.Newest {
				delete(f.got, s)
			}
		}
		f.gaps = f.gaps[:0]
		f.mu.Unlock()
		q.Close()
	}
}

// strictCheck opens the pool and applies the test oracle.
func strictCheck(path string) error {
	q, err := Open(path, OpenOptions{ReadOnly: true, NoNotify: true})
	if err != nil {
		return err
	}
	defer q.Close()
	if err := q.m.checkStrict(); err != nil {
		return errors.New(err.(*Error).Display())
	}
	if r := q.m.check(checkFull); r.Status != "ok" {
		return errors.New(r.Issues[0].Message)
	}
	return nil
}
