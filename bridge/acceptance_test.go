package bridge

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/plasmite-go/plasmite/core"
)

// The acceptance tests of issue 19: real `plasmite bridge` processes,
// SIGKILLed at random points while writers go on, against an embedded
// JetStream server on loopback. -short runs fewer messages and kills.

func killLoopSize() (msgs, kills int) {
	if testing.Short() {
		return 20_000, 8
	}
	return 100_000, 30
}

// paced appends or publishes n messages in chunks over about d, calling
// send(i) for i = 1..n, and closes done at the end.
func paced(n int, d time.Duration, send func(i int) error, errc chan<- error) {
	const chunk = 500
	every := d / time.Duration((n+chunk-1)/chunk)
	next := time.Now()
	for i := 1; i <= n; i++ {
		if err := send(i); err != nil {
			errc <- err
			return
		}
		if i%chunk == 0 {
			next = next.Add(every)
			time.Sleep(time.Until(next))
		}
	}
	errc <- nil
}

// Out: the stream holds every pool seq exactly once and in order after
// dozens of SIGKILLs of the bridge while a writer appends.
func TestOutKillLoop(t *testing.T) {
	n, kills := killLoopSize()
	url := startServer(t)
	_, js := client(t, url)
	createStream(t, js, "OUT", "out")
	pool, path := createPool(t, 64<<20)
	target := url + "/OUT/out"

	errc := make(chan error, 1)
	go paced(n, time.Duration(kills)*150*time.Millisecond, func(i int) error {
		_, err := pool.AppendJSON([]byte(`{"i":`+strconv.Itoa(i)+`}`), []string{"k" + strconv.Itoa(i%3)}, core.Fast)
		return err
	}, errc)
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	dups := uint64(0)
	for k := 0; k < kills; k++ {
		p := runBridge(t, path, target)
		p.waitStart(t)
		time.Sleep(time.Duration(rng.IntN(250)) * time.Millisecond)
		p.kill()
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	p := runBridge(t, path, target)
	p.waitStart(t) // its signal handler is in place: SIGINT stops it cleanly
	s, _ := js.Stream(context.Background(), "OUT")
	waitFor(t, 60*time.Second, "every message in the stream", func() bool {
		info, err := s.Info(context.Background())
		return err == nil && info.State.LastSeq > 0 && lastPlasmiteSeq(s) == uint64(n)
	})
	if err := p.stop(); err != nil {
		t.Fatalf("bridge stopped with %v", err)
	}
	for _, e := range p.Events("stop") {
		dups += num(e["duplicates"])
	}
	msgs := streamMsgs(t, js, "OUT")
	if len(msgs) != n {
		t.Fatalf("stream holds %d messages, want %d", len(msgs), n)
	}
	for i, m := range msgs {
		want := strconv.Itoa(i + 1)
		if got := m.Headers().Get(HeaderSeq); got != want || string(m.Data()) != `{"i":`+want+`}` {
			t.Fatalf("stream message %d: Plasmite-Seq %s data %s, want seq %s", i+1, got, m.Data(), want)
		}
	}
	t.Logf("%d messages, %d kills: every seq once, in order (the last run's publishes the stream dropped as duplicates: %d)", n, kills, dups)
}

// lastPlasmiteSeq is the Plasmite-Seq of the stream's last message.
func lastPlasmiteSeq(s jetstream.Stream) uint64 {
	m, err := s.GetLastMsgForSubject(context.Background(), ">")
	if err != nil {
		return 0
	}
	v, _ := strconv.ParseUint(m.Header.Get(HeaderSeq), 10, 64)
	return v
}

// In: the pool holds every stream message exactly once after dozens of
// SIGKILLs of the bridge (some between an append and its ack) while a
// publisher goes on.
func TestInKillLoop(t *testing.T) {
	n, kills := killLoopSize()
	url := startServer(t)
	_, js := client(t, url)
	createStream(t, js, "IN", "in")
	pool, path := createPool(t, 64<<20)
	source := url + "/IN/in"

	errc := make(chan error, 1)
	go paced(n, time.Duration(kills)*150*time.Millisecond, func(i int) error {
		m := nats.NewMsg("in")
		m.Data = []byte(`{"i":` + strconv.Itoa(i) + `}`)
		m.Header.Add(HeaderTag, "k"+strconv.Itoa(i%3))
		if _, err := js.PublishMsgAsync(m); err != nil {
			return err
		}
		if i%500 == 0 || i == n {
			select {
			case <-js.PublishAsyncComplete():
			case <-time.After(10 * time.Second):
				return fmt.Errorf("publishes not acked")
			}
		}
		return nil
	}, errc)
	rng := rand.New(rand.NewPCG(2, uint64(time.Now().UnixNano())))
	betweenAppendAndAck := 0
	for k := 0; k < kills; k++ {
		p := runBridge(t, source, path, "--durability", "flush")
		p.waitStart(t)
		time.Sleep(time.Duration(rng.IntN(250)) * time.Millisecond)
		p.kill()
		if starts := p.Events("start"); len(starts) > 0 && num(starts[0]["resume"]) > num(starts[0]["ack_floor"]) {
			betweenAppendAndAck++
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	p := runBridge(t, source, path)
	p.waitStart(t)
	if s := p.Events("start"); num(s[0]["resume"]) > num(s[0]["ack_floor"]) {
		betweenAppendAndAck++
	}
	defer func() {
		if t.Failed() {
			p.mu.Lock()
			for _, e := range p.events[max(0, len(p.events)-5):] {
				t.Logf("final bridge: %v", e)
			}
			p.mu.Unlock()
			b := pool.Bounds()
			prev := uint64(0)
			for seq := b.Oldest; seq <= b.Newest; seq++ {
				m, _ := pool.Get(seq)
				tags, _ := messageTags(m.Payload)
				s, _ := parseMarker([]byte(tags[len(tags)-1]), "IN")
				if s != prev+1 {
					t.Logf("pool seq %d holds stream seq %d after %d", seq, s, prev)
				}
				prev = s
			}
		}
	}()
	waitFor(t, 60*time.Second, "every message in the pool", func() bool { return pool.Bounds().Newest >= uint64(n) })
	if err := p.stop(); err != nil {
		t.Fatalf("bridge stopped with %v", err)
	}
	if b := pool.Bounds(); b.Oldest != 1 || b.Newest != uint64(n) {
		t.Fatalf("pool holds %d..%d, want 1..%d", b.Oldest, b.Newest, n)
	}
	tail, err := pool.Tail(core.TailOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tail.Close()
	for seq := uint64(1); seq <= uint64(n); seq++ {
		m, ok, err := tail.TryNext()
		if err != nil || !ok || m.Seq != seq {
			t.Fatalf("pool message %d: %v %v %d", seq, err, ok, m.Seq)
		}
		tags, _ := messageTags(m.Payload)
		want := strconv.FormatUint(seq, 10)
		if len(tags) != 2 || tags[0] != "k"+strconv.FormatUint(seq%3, 10) || tags[1] != marker("IN", seq) ||
			dataJSON(t, m) != `{"i":`+want+`}` {
			t.Fatalf("pool message %d: tags %q data %s", seq, tags, dataJSON(t, m))
		}
	}
	t.Logf("%d messages, %d kills (%d restarts found messages appended but not acked, the last run reset %d times): every message once, in order",
		n, kills, betweenAppendAndAck, len(p.Events("retry")))
	if betweenAppendAndAck == 0 {
		t.Log("no kill landed between an append and its ack this run")
	}
}

// A bridge stopped (SIGSTOP) while the writer laps a small ring reports
// exactly the seqs the stream lacks, and marks the next message.
func TestOutGapExact(t *testing.T) {
	url := startServer(t)
	_, js := client(t, url)
	createStream(t, js, "GAP", "gap")
	pool, path := createPool(t, 64<<10)
	appendN := func(from, to int) {
		for i := from; i <= to; i++ {
			if _, err := pool.AppendJSON([]byte(`{"i":`+strconv.Itoa(i)+`,"pad":"................................"}`), nil, core.Fast); err != nil {
				t.Fatal(err)
			}
		}
	}
	s, _ := js.Stream(context.Background(), "GAP")
	p := runBridge(t, path, url+"/GAP/gap")
	p.waitStart(t)
	appendN(1, 100)
	waitFor(t, 20*time.Second, "seq 100 in the stream", func() bool { return lastPlasmiteSeq(s) == 100 })
	var once sync.Once
	resume := func() { once.Do(func() { p.cmd.Process.Signal(syscall.SIGCONT) }) }
	defer resume()
	if err := p.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	appendN(101, 3100) // several laps of a 64K ring
	resume()
	appendN(3101, 3200)
	waitFor(t, 20*time.Second, "seq 3200 in the stream", func() bool { return lastPlasmiteSeq(s) == 3200 })
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	have := map[uint64]bool{}
	gapHeader := map[uint64]string{}
	for _, m := range streamMsgs(t, js, "GAP") {
		seq, _ := strconv.ParseUint(m.Headers().Get(HeaderSeq), 10, 64)
		have[seq] = true
		if g := m.Headers().Get(HeaderGap); g != "" {
			gapHeader[seq] = g
		}
	}
	var missing [][2]uint64
	for seq := uint64(1); seq <= 3200; seq++ {
		if have[seq] {
			continue
		}
		if k := len(missing); k > 0 && missing[k-1][1] == seq-1 {
			missing[k-1][1] = seq
		} else {
			missing = append(missing, [2]uint64{seq, seq})
		}
	}
	var reported [][2]uint64
	for _, e := range p.Events("gap") {
		first, last := num(e["first"]), num(e["last"])
		if num(e["count"]) != last-first+1 {
			t.Fatalf("gap event %v: wrong count", e)
		}
		if k := len(reported); k > 0 && reported[k-1][1] == first-1 {
			reported[k-1][1] = last // the oldest moved on again before the bridge read it
		} else {
			reported = append(reported, [2]uint64{first, last})
		}
	}
	for _, r := range reported { // the first message after each gap names all of it
		if gapHeader[r[1]+1] != fmt.Sprintf("%d-%d", r[0], r[1]) {
			t.Fatalf("message %d after gap %d-%d has Plasmite-Gap %q", r[1]+1, r[0], r[1], gapHeader[r[1]+1])
		}
	}
	if len(gapHeader) != len(reported) {
		t.Fatalf("Plasmite-Gap headers %v for gaps %v", gapHeader, reported)
	}
	if len(missing) == 0 {
		t.Fatal("the ring never overwrote an unforwarded message: the test proves nothing")
	}
	if fmt.Sprint(missing) != fmt.Sprint(reported) {
		t.Fatalf("stream lacks %v, bridge reported %v", missing, reported)
	}
	total := uint64(0)
	for _, r := range missing {
		total += r[1] - r[0] + 1
	}
	if stops := p.Events("stop"); len(stops) != 1 || num(stops[0]["gap_messages"]) != total {
		t.Fatalf("stop event %v, want gap_messages %d", stops, total)
	}
	t.Logf("gaps %v reported exactly", reported)
}
