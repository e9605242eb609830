package main

import (
	"context"
	"errors"
	"github.com/plasmite-go/plasmite/core/lite3"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/wire"
)

// follower prints messages of one pool: history first, then live.
type follower struct {
	a        *app
	pool     *core.Pool
	ref      string
	path     string
	tags     []string
	where    *whereFilter
	dataOnly bool
	style    jsonStyle
	out      []byte
	// drop accounting
	quietDrops bool
	lastSeq    uint64
	dropFrom   uint64 // last seen before the first unreported gap (0 = none pending)
	dropTo     uint64
	lastNotice time.Time
	framed     bool // --format lite3: binary frames instead of JSON
	magicDone  bool // the stream's "PLS1" header is out
	// duplex self-suppression
	me       string
	echoSelf bool
}

// outputStyle resolves --format/--jsonl: pretty on a terminal, compact lines
// when piped (the 1.2.1 default), or as asked.
func (a *app) outputStyle(p *parsed) (jsonStyle, error) {
	if p.has("jsonl") && a.format != "" {
		return 0, usageErr("conflicting output options", "Use --format json (or --jsonl), but not both.")
	}
	format := a.format
	if p.has("jsonl") {
		format = "jsonl"
	}
	if format == "" {
		if a.stdout.tty {
			format = "pretty"
		} else {
			format = "jsonl"
		}
	}
	switch format {
	case "lite3", "yaml":
		return styleCompact, nil // the follower frames or writes YAML instead
	case "lite3-raw":
		return 0, usageErr(p.cmd.Name+" does not support --format lite3-raw", "Use --format lite3 for a framed stream.")
	}
	if format == "pretty" {
		if a.colorOut() {
			return styleColor, nil
		}
		return stylePretty, nil
	}
	return styleCompact, nil
}

// keep applies the tag and --where filters.
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

// print writes one message (or its data) as one record.
func (f *follower) print(m core.Message) error {
	if f.framed {
		if !f.magicDone {
			f.out = append(f.out, "PLS1"...)
			f.magicDone = true
		}
		f.out = wire.AppendFrame(f.out, m)
		if len(f.out) >= 64<<10 {
			f.flush()
		}
		return nil
	}
	if f.a.format == "yaml" {
		var err error
		if f.out, err = messageYAML(f.out, m, f.dataOnly); err != nil {
			return f.invalid(err)
		}
		if len(f.out) >= 64<<10 {
			f.flush()
		}
		return nil
	}
	var err error
	if f.dataOnly {
		f.out, err = wire.AppendData(f.out, m, f.style)
	} else {
		f.out, err = wire.AppendMessage(f.out, m, f.style)
	}
	if err != nil {
		return f.invalid(err)
	}
	f.out = append(f.out, '\n')
	if len(f.out) >= 64<<10 {
		f.flush()
	}
	return nil
}

// invalid is the error for a stored message print could not render.
func (f *follower) invalid(err error) error {
	e := wire.ErrorOf(err)
	e.Path = f.path
	return e
}

// flush writes what print buffered. Output is held back only while more
// messages are ready to read, so nothing printed ever waits on the pool.
func (f *follower) flush() {
	if len(f.out) > 0 {
		f.a.stdout.write(f.out)
		f.out = f.out[:0]
	}
}

// saw records that message seq was read, noting gaps for drop notices.
func (f *follower) saw(seq uint64) {
	if f.lastSeq != 0 && seq > f.lastSeq+1 {
		if f.dropFrom == 0 {
			f.dropFrom = f.lastSeq
		}
		f.dropTo = seq
	}
	if seq > f.lastSeq {
		f.lastSeq = seq
	}
	f.flushDrops(false)
}

func (f *follower) flushDrops(force bool) {
	if f.dropFrom == 0 || f.quietDrops {
		f.dropFrom = 0
		return
	}
	if !force && time.Since(f.lastNotice) < time.Second {
		return
	}
	n := f.dropTo - f.dropFrom - 1
	f.a.notice("follow", "drop", "dropped "+strconv.FormatUint(n, 10)+" messages", f.ref, map[string]any{
		"dropped_count": n, "last_seen_seq": f.dropFrom, "next_seen_seq": f.dropTo, "pool_path": f.path,
	}, true)
	f.lastNotice = time.Now()
	f.dropFrom = 0
}

type stored struct {
	seq     uint64
	t       int64
	payload []byte
}

func cmdFollow(a *app, p *parsed) error {
	style, err := a.outputStyle(p)
	if err != nil {
		return err
	}
	var since int64
	hasSince := p.has("since")
	if hasSince {
		if since, err = parseSince(p.str("since"), time.Now()); err != nil {
			return err
		}
	}
	var timeout time.Duration
	if p.has("timeout") {
		if timeout, err = parseDuration(p.str("timeout")); err != nil {
			return err
		}
	}
	where, err := compileWhere(p.all("where"))
	if err != nil {
		return err
	}
	ref := p.arg("POOL")
	if err := checkRemote(ref, "follow"); err != nil {
		return err
	}
	for _, fl := range []string{"token", "token-file", "tls-ca", "tls-skip-verify"} {
		if p.has(fl) {
			return usageErr("follow remote auth/TLS flags require a remote http(s) pool ref", "Use --token/--token-file/--tls-ca/--tls-skip-verify only with http(s)://host:port/<pool> refs.")
		}
	}
	tailN := p.u64("tail")
	replay := -1.0
	if p.has("replay") {
		replay, _ = strconv.ParseFloat(p.str("replay"), 64)
		if math.IsNaN(replay) || math.IsInf(replay, 0) {
			return usageErr("--replay speed must be a finite number", "Use --replay 1 for realtime, --replay 2 for 2x, --replay 0 for no delay.")
		}
		if replay < 0 {
			return usageErr("--replay speed must be non-negative", "Use --replay 1 for realtime, --replay 2 for 2x, --replay 0 for no delay.")
		}
		if tailN == 0 && !hasSince && !p.has("no-follow") {
			return usageErr("--replay requires --tail or --since", "Replay needs historical messages. Use --tail N or --since DURATION.")
		}
	}
	pool, path, err := a.openPool(ref, p.has("create"), core.DefaultPoolSize, p.has("no-notify"))
	if err != nil {
		return a.followMissing(err, p, ref, path, "follow")
	}
	defer pool.Close()
	f := &follower{a: a, pool: pool, ref: ref, path: path, tags: p.all("tag"), where: where,
		dataOnly: p.has("data-only"), style: style, quietDrops: p.has("quiet-drops"), framed: a.format == "lite3"}
	return f.run(followOpts{tail: tailN, since: since, hasSince: hasSince, one: p.has("one"),
		timeout: timeout, timeoutText: p.str("timeout"), replay: replay, noNotify: p.has("no-notify"), noFollow: p.has("no-follow")})
}

type followOpts struct {
	tail        uint64
	since       int64
	hasSince    bool
	one         bool
	timeout     time.Duration
	timeoutText string
	replay      float64 // < 0: none
	noNotify    bool
	noFollow    bool
}

func (f *follower) run(o followOpts) error {
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

	defer f.flush()
	var hist []stored // for --replay
	history := topts.Start != core.StartLive
	deadline := time.Time{}
	if o.timeout > 0 {
		deadline = time.Now().Add(o.timeout)
	}
	ctx := context.Background()
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
		} else if next, ok, terr := tail.TryNext(); terr == nil && ok {
			m = next
		} else {
			f.flush()
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
				if errors.Is(err, context.DeadlineExceeded) {
					f.flushDrops(true)
					if !deadline.IsZero() && !time.Now().Before(deadline) {
						return exitError{124}
					}
					continue
				}
				return err
			}
		}
		f.saw(m.Seq)
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
			if o.one {
				return f.replay(hist, o)
			}
			continue
		}
		if err := f.print(m); err != nil {
			return err
		}
		if o.one {
			return nil
		}
		if o.timeout > 0 {
			deadline = time.Now().Add(o.timeout)
		}
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
		f.flush()
		if o.one {
			return nil
		}
	}
	return nil
}

// followMissing adds the exact-command hint to a missing-pool error.
func (a *app) followMissing(err error, p *parsed, ref, path, cmd string) error {
	e := wire.ErrorOf(err)
	if e.Kind != core.NotFound {
		return e
	}
	if e.Path == "" {
		e.Path = path
	}
	addENOENT(e)
	if strings.ContainsRune(ref, '/') {
		e.Hint = "Pool path not found. Check the path or pass --dir for a different pool directory."
		return e
	}
	// Same flags, same order as the 1.2.1 hint.
	w := []string{"plasmite", "follow", shellWord(ref), "--create"}
	if n := p.u64("tail"); n > 0 {
		w = append(w, "--tail", strconv.FormatUint(n, 10))
	}
	if p.has("one") {
		w = append(w, "--one")
	}
	if p.has("timeout") {
		w = append(w, "--timeout", shellWord(p.str("timeout")))
	}
	if p.has("since") {
		w = append(w, "--since", shellWord(p.str("since")))
	}
	for _, x := range p.all("where") {
		w = append(w, "--where", shellWord(x))
	}
	for _, x := range p.all("tag") {
		w = append(w, "--tag", shellWord(x))
	}
	for _, fl := range []string{"quiet-drops", "no-notify"} {
		if p.has(fl) {
			w = append(w, "--"+fl)
		}
	}
	if p.has("replay") {
		w = append(w, "--replay", p.str("replay"))
	}
	for _, fl := range []string{"no-follow", "data-only"} {
		if p.has(fl) {
			w = append(w, "--"+fl)
		}
	}
	format := a.format
	if p.has("jsonl") {
		format = "json"
	}
	if format == "" {
		format = "json"
		if a.stdout.tty {
			format = "pretty"
		}
	}
	w = append(w, "--format", format)
	e.Hint = "Pool is missing. Retry with exact command: " + strings.Join(w, " ")
	return e
}
