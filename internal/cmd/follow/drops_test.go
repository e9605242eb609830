package follow

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil/cmdtest"
	"github.com/plasmite-go/plasmite/internal/poolref"
	"github.com/plasmite-go/plasmite/wire"
)

// Gaps merged into one notice count exactly the messages missed, not the
// span from the first gap to the last (issue 12 defect 2), and the first
// gap of a tail that began at seq 1 says last_seen_seq 0 (defect 1).
func TestDropLogCounts(t *testing.T) {
	var d dropLog
	d.start(1)
	if !d.saw(1431) {
		t.Fatal("a tail due at 1 that reads 1431 has a gap")
	}
	msg, det := d.notice("p")
	if msg != "dropped 1430 messages" || det["last_seen_seq"] != uint64(0) || det["next_seen_seq"] != uint64(1431) || det["dropped_count"] != uint64(1430) {
		t.Fatalf("first gap: %q %v", msg, det)
	}
	for seq := uint64(1432); seq <= 1499; seq++ {
		if d.saw(seq) {
			t.Fatalf("gap before %d", seq)
		}
	}
	d.saw(1600) // 1500..1599 missed
	d.saw(1601)
	d.saw(1700) // 1602..1699 missed
	if d.due(false) {
		t.Fatal("a second notice within a second of the first")
	}
	msg, det = d.notice("p")
	if det["dropped_count"] != uint64(198) || det["last_seen_seq"] != uint64(1499) || det["next_seen_seq"] != uint64(1700) || msg != "dropped 198 messages" {
		t.Fatalf("merged gaps: %q %v", msg, det)
	}
	if d.pending || !d.any {
		t.Fatalf("after the notice: %+v", d)
	}
	// a tail whose start is not known reports no gap before its first read
	var u dropLog
	if u.saw(50) || u.saw(51) || !u.saw(53) {
		t.Fatalf("unknown start: %+v", u)
	}
}

// lapping is a pool whose Tail, once opened, lets a writer lap the ring
// before the follower reads anything: a follower that starts behind it.
type lapping struct {
	poolref.Pool
	writer *core.Pool
	n      int
}

func (l lapping) Tail(o core.TailOptions) (poolref.Tail, error) {
	t, err := l.Pool.Tail(o)
	if err == nil {
		lap(l.writer, l.n)
	}
	return t, err
}

// remoteLike is a pool whose tails, like a remote pool's, do not say
// where they begin (no Expected), and whose first read takes delay.
type remoteLike struct {
	poolref.Pool
	delay time.Duration
}

type opaqueTail struct {
	poolref.Tail
	delay time.Duration
}

func (r remoteLike) Tail(o core.TailOptions) (poolref.Tail, error) {
	t, err := r.Pool.Tail(o)
	if err != nil {
		return nil, err
	}
	return &opaqueTail{t, r.delay}, nil
}

func (t *opaqueTail) TryNext() (core.Message, bool, error) {
	time.Sleep(t.delay)
	t.delay = 0
	return t.Tail.TryNext()
}

func lap(p *core.Pool, n int) {
	pad := strings.Repeat("p", 200)
	for i := 0; i < n; i++ {
		if _, err := p.AppendJSON([]byte(`{"i":`+strconv.Itoa(i)+`,"pad":"`+pad+`"}`), nil, core.Fast); err != nil {
			panic(err)
		}
	}
}

// overrun returns a follower over a 64 KiB pool holding msgs messages
// whose Tail is lapped by n more before its first read.
func overrun(t *testing.T, h *cmdtest.IO, msgs, n int, quiet bool) (*follower, *core.Pool) {
	t.Helper()
	path := core.ResolveRef(h.Env.Dir, "p")
	if err := poolref.MakeDir(h.Env.Dir); err != nil {
		t.Fatal(err)
	}
	w, err := core.Create(path, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	lap(w, msgs)
	pools := h.Env.Pools("follow")
	ref, _ := pools.Parse("p")
	p, err := pools.Open(ref, poolref.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return &follower{env: h.Env, pool: lapping{p, w, n}, ref: "p", path: path, style: jsonfmt.Compact, quietDrops: quiet}, w
}

// notices parses the JSON notices on stderr.
func notices(t *testing.T, h *cmdtest.IO) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(h.Stderr.String()), "\n") {
		if l == "" {
			continue
		}
		var v map[string]map[string]any
		d := json.NewDecoder(strings.NewReader(l))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			t.Fatalf("stderr line %q: %v", l, err)
		}
		out = append(out, v["notice"])
	}
	return out
}

func detail(n map[string]any, k string) uint64 {
	v, _ := strconv.ParseUint(string(n["details"].(map[string]any)[k].(json.Number)), 10, 64)
	return v
}

// A live follower whose first read finds the ring lapped reports the
// messages it missed, from last_seen_seq 0 (issue 12 defect 1, as 1.2.1).
func TestFollowStartedBehindTheRing(t *testing.T) {
	h := cmdtest.New(t, "")
	f, w := overrun(t, h, 0, 1000, false)
	err := f.run(bg, followOpts{replay: -1, timeout: 100 * time.Millisecond})
	if code, _ := cmdutil.ExitStatus(err); code != 124 {
		t.Fatalf("status: %v", err)
	}
	oldest := w.Bounds().Oldest
	lines := h.Lines()
	if oldest <= 1 || len(lines) != 1000-int(oldest)+1 || !strings.Contains(lines[0], `"seq":`+strconv.FormatUint(oldest, 10)+",") {
		t.Fatalf("oldest %d, %d lines from %.60q", oldest, len(lines), lines[0])
	}
	ns := notices(t, h)
	if len(ns) != 1 || ns[0]["kind"] != "drop" || detail(ns[0], "last_seen_seq") != 0 || detail(ns[0], "next_seen_seq") != oldest || detail(ns[0], "dropped_count") != oldest-1 {
		t.Fatalf("notices: %v", ns)
	}
}

// --no-follow whose selected history was overwritten before it was read
// reports the drop and ends with status 1; --quiet-drops hides the notice
// but not the status (issue 11 item 9, 1.2.1's rule).
func TestFollowNoFollowOverrunFails(t *testing.T) {
	for _, quiet := range []bool{false, true} {
		h := cmdtest.New(t, "")
		f, _ := overrun(t, h, 100, 1000, quiet)
		err := f.run(bg, followOpts{replay: -1, noFollow: true, tail: 50})
		if code, ok := cmdutil.ExitStatus(err); !ok || code != 1 {
			t.Fatalf("quiet %v: status %v", quiet, err)
		}
		if len(h.Lines()) != 0 {
			t.Fatalf("quiet %v: printed %d messages appended after the start", quiet, len(h.Lines()))
		}
		ns := notices(t, h)
		if quiet && len(ns) != 0 || !quiet && (len(ns) != 1 || detail(ns[0], "last_seen_seq") != 50 || detail(ns[0], "next_seen_seq") != 101 || detail(ns[0], "dropped_count") != 50) {
			t.Fatalf("quiet %v: notices %v", quiet, ns)
		}
	}
	// nothing lost: status 0
	h := cmdtest.New(t, "")
	f, _ := overrun(t, h, 10, 0, false)
	if err := f.run(bg, followOpts{replay: -1, noFollow: true, tail: 5}); err != nil || len(h.Lines()) != 5 || h.Stderr.Len() != 0 {
		t.Fatalf("intact history: %v, %d lines, stderr %q", err, len(h.Lines()), h.Stderr.String())
	}
}

// A replay pause longer than --timeout ends the replay with 124 once the
// timeout has passed since the last output (issue 11 item 10).
func TestReplayTimeout(t *testing.T) {
	h := cmdtest.New(t, "")
	p := h.Pool(t, "p", `{"n":1}`)
	time.Sleep(250 * time.Millisecond) // the pause recorded in the pool's times
	if _, err := p.AppendJSON([]byte(`{"n":2}`), nil, core.Fast); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := Run(bg, &Options{Common: Common{Pool: "p", Tail: 2, Timeout: str("100ms")}, Replay: &clap.Float{Text: "1", Value: 1}}, h.Env)
	if code, _ := cmdutil.ExitStatus(err); code != 124 || len(h.Lines()) != 1 {
		t.Fatalf("status %v, lines %q", err, h.Lines())
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Fatalf("ended after %v, before the timeout", d)
	}
	h.Stdout.Reset()
	if err := Run(bg, &Options{Common: Common{Pool: "p", Tail: 2, Timeout: str("1s")}, Replay: &clap.Float{Text: "1", Value: 1}}, h.Env); err != nil || len(h.Lines()) != 2 {
		t.Fatalf("within the timeout: %v, lines %q", err, h.Lines())
	}
}

// On a terminal, a follow that times out says so on stderr (in our words);
// piped, it prints nothing (issue 11 item 11).
func TestFollowTimeoutOnTerminal(t *testing.T) {
	for _, tty := range []bool{true, false} {
		h := cmdtest.New(t, "").Terminal(tty, tty, false)
		h.Pool(t, "p")
		err := Run(bg, &Options{Common: Common{Pool: "p", Timeout: str("50ms")}}, h.Env)
		if code, _ := cmdutil.ExitStatus(err); code != 124 {
			t.Fatalf("tty %v: %v", tty, err)
		}
		if got, want := h.Stderr.String(), map[bool]string{true: "Timed out: no message for 50ms.\n", false: ""}[tty]; got != want {
			t.Fatalf("tty %v: stderr %q, want %q", tty, got, want)
		}
	}
}

// A tail that does not say where it begins (a remote one) counts from the
// bounds seen before it opened: --no-follow whose selected history was
// overwritten meanwhile reports the drop and fails 1, as 1.2.1 does for
// remote pools.
func TestFollowRemoteLikeOverrun(t *testing.T) {
	h := cmdtest.New(t, "")
	f, w := overrun(t, h, 100, 1000, false)
	f.pool = remoteLike{f.pool, 0}
	b := w.Bounds() // what --no-follow selects: all of it is overwritten
	err := f.run(bg, followOpts{replay: -1, noFollow: true})
	if code, ok := cmdutil.ExitStatus(err); !ok || code != 1 {
		t.Fatalf("status %v", err)
	}
	ns := notices(t, h)
	if len(ns) != 1 || detail(ns[0], "last_seen_seq") != b.Oldest-1 || detail(ns[0], "next_seen_seq") != b.Newest+1 || detail(ns[0], "dropped_count") != b.Newest-b.Oldest+1 {
		t.Fatalf("notices %v (bounds now %+v)", ns, w.Bounds())
	}
}

// A message that arrives after --timeout has passed is not printed: the
// follow ends 124 (1.2.1 checks the deadline before each output).
func TestFollowLateMessageTimesOut(t *testing.T) {
	h := cmdtest.New(t, "")
	f, _ := overrun(t, h, 1, 0, false)
	f.pool = remoteLike{f.pool, 150 * time.Millisecond}
	err := f.run(bg, followOpts{replay: -1, tail: 1, timeout: 50 * time.Millisecond, bounds: one()})
	if code, _ := cmdutil.ExitStatus(err); code != 124 || h.Stdout.Len() != 0 {
		t.Fatalf("status %v, stdout %q", err, h.Stdout.String())
	}
}

func one() wire.StreamBounds {
	n := uint64(1)
	return wire.StreamBounds{Max: &n}
}
