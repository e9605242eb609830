package follow

import (
	"context"
	"errors"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/poolref"
	"github.com/plasmite-go/plasmite/wire"
)

// follower prints messages of one pool: history first, then live.
type follower struct {
	env      *cmdutil.Env
	pool     poolref.Pool
	ref      string
	path     string
	tags     []string
	where    *whereFilter
	dataOnly bool
	style    jsonfmt.Style
	out      []byte
	// drop accounting
	quietDrops bool
	drops      dropLog
	framed     bool // --format lite3: binary frames instead of JSON
	magicDone  bool // the stream's wire.StreamMagic is out
	delivered  uint64
	// duplex self-suppression
	me       string
	echoSelf bool
	// opened, when not nil, is closed once the tail is open: where the
	// follow starts is then fixed (duplex sends only after that).
	opened chan struct{}
}

// followOpts are where a follow starts and what ends it.
type followOpts struct {
	tail     uint64
	since    int64
	hasSince bool
	bounds   wire.StreamBounds // Max: --one
	timeout  time.Duration     // idle: reset by every message printed
	replay   float64           // < 0: none
	noNotify bool
	noFollow bool
}

// readable says whether the output is the pretty form meant for a person
// (not JSON lines, YAML or frames).
func (f *follower) readable() bool {
	return !f.framed && f.env.Format != "yaml" && f.style&jsonfmt.Pretty != 0
}

// keep applies the tag, self and --where filters.
func (f *follower) keep(m core.Message) (bool, error) {
	if len(f.tags) > 0 {
		ok, err := lite3.HasAllTags(m.Payload, f.tags)
		if err != nil || !ok {
			return false, nil
		}
	}
	if f.me != "" && !f.echoSelf {
		if from, ok := dataFrom(m.Payload); ok && from == f.me {
			return false, nil
		}
	}
	if f.where == nil || len(f.where.codes) == 0 {
		return true, nil
	}
	if ok, decided := f.where.matchDoc(m.Payload); decided || !ok {
		return ok, nil
	}
	doc, err := wire.MessageTree(m)
	if err != nil {
		return false, nil
	}
	doc["seq"] = int(m.Seq) // gojq knows int, not uint64
	return f.where.match(doc)
}

// dataFrom returns data.from when it is a string, read in place.
func dataFrom(doc []byte) (string, bool) {
	root, err := lite3.Root(doc)
	if err != nil {
		return "", false
	}
	v, ok := root.GetPath("data", "from")
	if !ok {
		return "", false
	}
	return v.Str()
}

// print buffers one message (or its data) as one record: a frame, a YAML
// document or a JSON text and newline.
func (f *follower) print(m core.Message) error {
	var err error
	switch {
	case f.framed:
		if !f.magicDone {
			f.out = append(f.out, wire.StreamMagic...)
			f.magicDone = true
		}
		f.out = wire.AppendFrame(f.out, m)
	case f.env.Format == "yaml":
		f.out, err = cmdutil.AppendMessageYAML(f.out, m, f.dataOnly)
	case f.dataOnly:
		if f.out, err = wire.AppendData(f.out, m, f.style); err == nil {
			f.out = append(f.out, '\n')
		}
	default:
		if f.out, err = wire.AppendMessage(f.out, m, f.style); err == nil {
			f.out = append(f.out, '\n')
		}
	}
	if err != nil {
		e := wire.ErrorOf(err)
		e.Path = f.path
		return e
	}
	f.delivered++
	if len(f.out) >= 64<<10 {
		return f.flush()
	}
	return nil
}

// flush writes what print buffered. Output is held back only while more
// messages are ready to read, so nothing printed ever waits on the pool.
func (f *follower) flush() error {
	if len(f.out) == 0 {
		return nil
	}
	err := f.env.Stdout.Write(f.out)
	f.out = f.out[:0]
	return err
}

// saw records that message seq was read, noting gaps for drop notices.
func (f *follower) saw(seq uint64) error {
	if f.drops.saw(seq) {
		return f.flushDrops(false)
	}
	return nil
}

// flushDrops reports the messages overwritten unread since the last notice
// (at most one notice a second unless forced).
func (f *follower) flushDrops(force bool) error {
	if f.quietDrops || !f.drops.due(force) {
		return nil
	}
	msg, details := f.drops.notice(f.path)
	return f.env.Notice("follow", "drop", msg, f.ref, details, true)
}

type stored struct {
	seq     uint64
	t       int64
	payload []byte
}

// errTimeout ends a follow whose --timeout passed without a message.
var errTimeout = cmdutil.Exit{Code: 124}

// run follows as o says. A --no-follow read whose selected history lost
// messages to writers before they could be read ends with status 1 after
// the drop notice (1.2.1's rule; a --replay without --no-follow ends 0).
func (f *follower) run(ctx context.Context, o followOpts) error {
	err := f.follow(ctx, o)
	if ferr := f.flushDrops(true); err == nil {
		err = ferr
	}
	if err == nil && o.noFollow && f.drops.any {
		return cmdutil.Exit{Code: 1}
	}
	return err
}

// tailStart is where a tail begins, when it says (a local pool's does).
type tailStart interface{ Expected() uint64 }

func (f *follower) follow(ctx context.Context, o followOpts) (err error) {
	topts := core.TailOptions{Start: core.StartLive, NoNotify: o.noNotify}
	switch {
	case o.hasSince, o.noFollow && o.tail == 0:
		topts.Start = core.StartOldest
	case o.tail > 0:
		// 1.2.1: --tail counts retained messages before filters.
		topts.Start = core.StartLast
		topts.Last = o.tail
	}
	if o.replay >= 0 {
		o.noFollow = true
	}
	bounds := f.pool.Bounds()
	bound := bounds.Newest // history ends here for --no-follow
	tail, err := f.pool.Tail(topts)
	if err != nil {
		return err
	}
	defer tail.Close()
	if f.opened != nil {
		close(f.opened)
	}
	// a message overwritten before the first read is a gap too
	if ts, ok := tail.(tailStart); ok {
		f.drops.start(ts.Expected())
	} else if seq := historyStart(bounds, topts); seq != 0 && !o.hasSince {
		// a remote tail: the history selected from the bounds seen
		// before it opened (as 1.2.1 selects it)
		f.drops.start(seq)
	}
	defer func() {
		if ferr := f.flush(); err == nil {
			err = ferr
		}
	}()
	var hist []stored // for --replay
	history := topts.Start != core.StartLive
	deadline := time.Time{}
	if o.timeout > 0 {
		deadline = time.Now().Add(o.timeout)
	}
	done := ctx.Done()
	for {
		var m core.Message
		if history {
			var ok bool
			m, ok, err = tail.TryNext()
			if err != nil {
				return err
			}
			if !ok || (o.noFollow && m.Seq > bound) {
				history = false
				if o.noFollow {
					// what was selected but is gone by now
					if f.drops.expected != 0 {
						f.drops.gap(f.drops.expected, bound+1)
					}
					if o.replay >= 0 {
						return f.replay(hist, o)
					}
					return nil
				}
				if !ok {
					continue
				}
			}
		} else if canceled(done) {
			// The history asked for is out; a cancel (duplex's input ended)
			// stops the live part.
			return ctx.Err()
		} else if next, ok, terr := tail.TryNext(); terr == nil && ok {
			m = next
		} else {
			if err := f.flush(); err != nil {
				return err
			}
			wctx, cancel := ctx, context.CancelFunc(func() {})
			wake := deadline
			if f.drops.pending && !f.quietDrops {
				if t := f.drops.last.Add(time.Second); wake.IsZero() || t.Before(wake) {
					wake = t
				}
			}
			if !wake.IsZero() {
				wctx, cancel = context.WithDeadline(ctx, wake)
			}
			m, err = tail.Next(wctx)
			cancel()
			if err != nil {
				if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
					if err := f.flushDrops(true); err != nil {
						return err
					}
					if !deadline.IsZero() && !time.Now().Before(deadline) {
						return errTimeout
					}
					continue
				}
				return err
			}
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			// a message that arrives after the timeout is not printed
			// (1.2.1 checks before each output)
			return errTimeout
		}
		if err := f.saw(m.Seq); err != nil {
			return err
		}
		if o.hasSince && m.Time < o.since {
			continue
		}
		keep, err := f.keep(m)
		if err != nil {
			return err
		}
		if !keep {
			continue
		}
		if o.replay >= 0 {
			hist = append(hist, stored{m.Seq, m.Time, append([]byte(nil), m.Payload...)})
			if o.bounds.Exhausted(uint64(len(hist))) {
				return f.replay(hist, o)
			}
			continue
		}
		if err := f.print(m); err != nil {
			return err
		}
		if o.bounds.Exhausted(f.delivered) {
			return nil
		}
		if o.timeout > 0 {
			deadline = time.Now().Add(o.timeout)
		}
	}
}

// historyStart is the first seq of the history a tail opened with o
// selects from bounds, 0 for none (a live start, an empty pool).
func historyStart(b core.Bounds, o core.TailOptions) uint64 {
	if b.Oldest == 0 {
		return 0
	}
	switch o.Start {
	case core.StartOldest:
		return b.Oldest
	case core.StartLast:
		if o.Last > 0 && b.Newest-b.Oldest+1 > o.Last {
			return b.Newest - o.Last + 1
		}
		return b.Oldest
	}
	return 0
}

// canceled says whether done is closed, without waiting.
func canceled(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// replay prints history with its original pacing divided by speed, then
// ends; with a timeout, a pause longer than it ends the replay with 124
// when the timeout passes (the pause counts as time without output).
func (f *follower) replay(hist []stored, o followOpts) error {
	last := time.Now() // of the last output, for the timeout
	for i, h := range hist {
		if i > 0 && o.replay > 0 {
			d := time.Duration(float64(h.t-hist[i-1].t) / o.replay)
			if o.timeout > 0 && time.Until(last.Add(o.timeout)) < d {
				if err := f.flush(); err != nil {
					return err
				}
				time.Sleep(time.Until(last.Add(o.timeout)))
				return errTimeout
			}
			if d > 0 {
				time.Sleep(d)
			}
		}
		if err := f.print(core.Message{Seq: h.seq, Time: h.t, Payload: h.payload}); err != nil {
			return err
		}
		if err := f.flush(); err != nil {
			return err
		}
		last = time.Now()
		if o.bounds.Exhausted(f.delivered) {
			return nil
		}
	}
	return nil
}
