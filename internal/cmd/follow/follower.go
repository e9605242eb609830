package follow

import (
	"context"
	"errors"
	"strconv"
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
	lastSeq    uint64
	dropFrom   uint64 // last seen before the first unreported gap (0 = none pending)
	dropTo     uint64
	lastNotice time.Time
	framed     bool // --format lite3: binary frames instead of JSON
	magicDone  bool // the stream's wire.StreamMagic is out
	delivered  uint64
	// duplex self-suppression
	me       string
	echoSelf bool
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
	if f.lastSeq != 0 && seq > f.lastSeq+1 {
		if f.dropFrom == 0 {
			f.dropFrom = f.lastSeq
		}
		f.dropTo = seq
	}
	if seq > f.lastSeq {
		f.lastSeq = seq
	}
	return f.flushDrops(false)
}

// flushDrops reports the messages overwritten unread since the last notice
// (at most one notice a second unless forced).
func (f *follower) flushDrops(force bool) error {
	if f.dropFrom == 0 || f.quietDrops {
		f.dropFrom = 0
		return nil
	}
	if !force && time.Since(f.lastNotice) < time.Second {
		return nil
	}
	n := f.dropTo - f.dropFrom - 1
	err := f.env.Notice("follow", "drop", "dropped "+strconv.FormatUint(n, 10)+" messages", f.ref, map[string]any{
		"dropped_count": n, "last_seen_seq": f.dropFrom, "next_seen_seq": f.dropTo, "pool_path": f.path,
	}, true)
	f.lastNotice = time.Now()
	f.dropFrom = 0
	return err
}

type stored struct {
	seq     uint64
	t       int64
	payload []byte
}

// errTimeout ends a follow whose --timeout passed without a message.
var errTimeout = cmdutil.Exit{Code: 124}

func (f *follower) run(ctx context.Context, o followOpts) (err error) {
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
	bound := f.pool.Bounds().Newest // history ends here for --no-follow
	tail, err := f.pool.Tail(topts)
	if err != nil {
		return err
	}
	defer tail.Close()
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
			if f.dropFrom != 0 {
				if t := f.lastNotice.Add(time.Second); wake.IsZero() || t.Before(wake) {
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

// canceled says whether done is closed, without waiting.
func canceled(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// replay prints history with its original pacing divided by speed, then ends.
func (f *follower) replay(hist []stored, o followOpts) error {
	for i, h := range hist {
		if i > 0 && o.replay > 0 {
			d := time.Duration(float64(h.t-hist[i-1].t) / o.replay)
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
		if o.bounds.Exhausted(f.delivered) {
			return nil
		}
	}
	return nil
}
