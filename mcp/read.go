package mcp

import (
	"context"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
	"github.com/plasmite-go/plasmite/wire"
)

// Limits of plasmite_read and plasmite_wait, as 1.2.1's.
const (
	defaultCount  = 20
	maxCount      = 200
	defaultWaitMS = 10_000
	maxWaitMS     = 60_000
)

// batch is what a read or a wait returns: the matching messages (rendered
// envelopes, ascending) and the cursors around them.
type batch struct {
	messages       arr
	nextAfter      *uint64 // highest seq examined (or the cursor given)
	lastReturned   *uint64
	oldest, newest *uint64 // nil for an empty pool
	fellBehind     bool    // the cursor's next message is no longer retained
}

// doc renders b; timedOut is added for a wait.
func (b *batch) doc(timedOut *bool) obj {
	opt := func(v *uint64) any {
		if v == nil {
			return nil
		}
		return *v
	}
	d := obj{
		"messages":             b.messages,
		"next_after_seq":       opt(b.nextAfter),
		"last_returned_seq":    opt(b.lastReturned),
		"oldest_available_seq": opt(b.oldest),
		"newest_available_seq": opt(b.newest),
		"fell_behind":          b.fellBehind,
	}
	if timedOut != nil {
		d["timed_out"] = *timedOut
	}
	return d
}

// filter is what a read keeps: messages carrying every tag, appended at
// or after since (Unix ns; 0 keeps all).
type filter struct {
	tags  []string
	since uint64
}

// keeps reports whether m passes f; a payload that cannot be read is
// Corrupt.
func (f filter) keeps(m core.Message) (bool, error) {
	if f.since > 0 && (m.Time < 0 || uint64(m.Time) < f.since) {
		return false, nil
	}
	if len(f.tags) == 0 {
		return true, nil
	}
	ok, err := lite3.HasAllTags(m.Payload, f.tags)
	if err != nil {
		_, err = wire.AppendMessage(nil, m, jsonfmt.Compact)
	}
	return ok, err
}

// readBatch reads up to count messages of p that pass f, as 1.2.1 does:
// after the cursor after (the first count matches), or without one the
// last count matches of the pool. Messages overwritten during the read
// are skipped.
func readBatch(p *core.Pool, count int, after *uint64, f filter) (*batch, error) {
	bounds := p.Bounds()
	b := &batch{messages: arr{}}
	if after != nil {
		cursor := *after
		b.nextAfter = &cursor
	}
	if bounds.Oldest == 0 {
		return b, nil
	}
	oldest, newest := bounds.Oldest, bounds.Newest
	b.oldest, b.newest = &oldest, &newest
	var buf []byte
	var last uint64 // the highest seq kept
	take := func(seq uint64) error {
		m, err := p.GetInto(seq, buf)
		if err != nil {
			if core.KindOf(err) == core.NotFound { // overwritten meanwhile
				return nil
			}
			return err
		}
		buf = m.Payload
		kept, err := f.keeps(m)
		var env []byte
		if kept && err == nil {
			env, err = wire.AppendMessage(nil, m, jsonfmt.Compact)
		}
		if err != nil {
			if e, ok := err.(*core.Error); ok {
				e.Path = p.Path()
			}
			return err
		}
		if !kept {
			return nil
		}
		b.messages = append(b.messages, jsonfmt.RawJSON(env))
		last = max(last, seq)
		return nil
	}
	if after == nil {
		// The last count matches, found from the newest down.
		for seq := newest; seq >= oldest && len(b.messages) < count; seq-- {
			if err := take(seq); err != nil {
				return nil, err
			}
		}
		slices.Reverse(b.messages)
		b.nextAfter = &newest
	} else {
		cursor := *after
		b.fellBehind = cursor != math.MaxUint64 && cursor+1 < oldest
		if cursor == math.MaxUint64 || max(oldest, cursor+1) > newest {
			return b, nil
		}
		for seq := max(oldest, cursor+1); seq <= newest; seq++ {
			next := seq
			b.nextAfter = &next
			if err := take(seq); err != nil {
				return nil, err
			}
			if len(b.messages) == count {
				break
			}
		}
	}
	if len(b.messages) > 0 {
		b.lastReturned = &last
	}
	return b, nil
}

func (s *Server) read(a map[string]any) obj {
	const tool = toolRead
	r := readArgs(tool, a, "pool", "count", "after_seq", "since", "tags")
	name := r.str("pool")
	count := r.count()
	after := r.optU64("after_seq")
	since := r.optStr("since")
	var f filter
	if since != nil && r.failed == nil {
		var ok bool
		f.since, ok = parseSince(*since, time.Now())
		r.check(ok, "since", "since must be RFC 3339 (2026-02-02T23:45:00Z) or relative like 5m")
	}
	f.tags = r.tags("tags")
	if r.failed != nil {
		return r.failed
	}
	var b *batch
	opened, err := s.usePool(name, func(p *core.Pool) (err error) {
		b, err = readBatch(p, count, after, f)
		return err
	})
	if err != nil {
		return failure(tool, openFailure(err, opened, name))
	}
	return success("Read "+strconv.Itoa(len(b.messages))+" message(s) from `"+name+"`.", b.doc(nil))
}

// openFailure adds the missing-pool hint to err when it came from opening
// the pool.
func openFailure(err error, opened bool, pool string) error {
	if opened {
		return err
	}
	return missingPool(err, pool, false)
}

// busyWait is the result of a wait that found no free permit.
func busyWait() obj {
	return toolResult("busy: too many concurrent tail or MCP wait requests",
		obj{"error_kind": "Busy", "tool": toolWait, "hint": "Try again later or reduce long-lived read concurrency."}, true)
}

func (s *Server) wait(ctx context.Context, a map[string]any) obj {
	const tool = toolWait
	if s.waitPermit != nil {
		release, ok := s.waitPermit()
		if !ok {
			return busyWait()
		}
		defer release()
	}
	r := readArgs(tool, a, "pool", "after_seq", "count", "timeout_ms", "tags")
	name := r.str("pool")
	after := r.optU64("after_seq")
	count := r.count()
	ms := uint64(defaultWaitMS)
	if t := r.optU64("timeout_ms"); t != nil && r.failed == nil {
		ms = *t
		r.check(ms <= maxWaitMS, "timeout_ms", "timeout_ms must be <= "+strconv.Itoa(maxWaitMS))
	}
	f := filter{tags: r.tags("tags")}
	if r.failed != nil {
		return r.failed
	}
	var out obj
	opened, err := s.usePool(name, func(p *core.Pool) (err error) {
		out, err = waitFor(ctx, p, name, after, count, time.Duration(ms)*time.Millisecond, f)
		return err
	})
	if err != nil {
		return failure(tool, openFailure(err, opened, name))
	}
	return out
}

// waitFor is plasmite_wait on an open pool: read a batch from the cursor
// (the newest seq when after is nil: only future messages); return it as
// soon as it holds a match; otherwise sleep in core's waiter until a
// message after the cursor is appended, and read again. The cursor
// advances past messages that do not match; fell_behind is sticky. When
// the timeout passes, or ctx ends, the last (empty) batch is returned with
// timed_out.
func waitFor(ctx context.Context, p *core.Pool, pool string, after *uint64, count int, timeout time.Duration, f filter) (obj, error) {
	deadline := time.Now().Add(timeout)
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	cursor := p.Bounds().Newest
	if after != nil {
		cursor = *after
	}
	fell := false
	for {
		b, err := readBatch(p, count, &cursor, f)
		if err != nil {
			return nil, err
		}
		fell = fell || b.fellBehind
		b.fellBehind = fell
		cursor = *b.nextAfter
		if len(b.messages) > 0 {
			timedOut := false
			return success("Received "+strconv.Itoa(len(b.messages))+" message(s) from `"+pool+"`.", b.doc(&timedOut)), nil
		}
		if ctx.Err() != nil {
			timedOut := true
			return success("No new messages arrived in `"+pool+"` before the timeout.", b.doc(&timedOut)), nil
		}
		if err := nextAfter(ctx, p, cursor); err != nil {
			return nil, err
		}
	}
}

// testParked, set only by tests, is called just before a wait sleeps
// for a message after seq.
var testParked func(seq uint64)

// nextAfter returns once a message after seq is in p (or ctx is done),
// waiting in core's per-pool waiter: no polling, no thread of its own.
func nextAfter(ctx context.Context, p *core.Pool, seq uint64) error {
	if seq == math.MaxUint64 {
		<-ctx.Done()
		return nil
	}
	t, err := p.Tail(core.TailOptions{Start: core.StartSeq, Seq: seq + 1})
	if err != nil {
		return err
	}
	defer t.Close()
	if testParked != nil {
		testParked(seq)
	}
	if _, err := t.Next(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}
