package bridge

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
)

// Out forwards the pool's messages to the stream, in seq order, until ctx
// ends; then it waits for the stream to ack what is in flight, saves its
// state and returns nil. Guarantees:
//
//   - Every publish carries Nats-Msg-Id "<identity>:<seq>", so a message
//     published again after a crash is dropped by the stream's duplicate
//     window. The state file (Options.StatePath) records the last seq the
//     stream acked, at most 100 ms behind, written atomically; on start the
//     bridge also asks the stream for its last message on the subject and
//     resumes after it when it is ours. Together: each seq is stored once.
//   - Messages the ring overwrote before they were forwarded are reported
//     as a gap event (first..last, counted) and on the next message's
//     Plasmite-Gap header; nothing is skipped silently.
//   - At most MaxInFlight publishes await an ack: a slow stream slows the
//     bridge, which never drops a message. Failed publishes are sent again
//     from the first one the stream did not ack, after a pause.
//
// Errors: the pool's open errors; NotFound for a missing stream (unless
// Create); Usage for a state file that belongs to another pool or stream;
// Permission or IO from NATS at start. Later NATS errors are retried.
func Out(ctx context.Context, o Options) error {
	return quietEnd(ctx, out(ctx, o))
}

// quietEnd is nil for an error caused by ctx ending: stopping is not failing.
func quietEnd(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func out(ctx context.Context, o Options) error {
	o.defaults()
	pool, err := core.Open(o.Pool, o.Open)
	if err != nil {
		return err
	}
	defer pool.Close()
	nc, js, err := o.connect(o.MaxInFlight + 16)
	if err != nil {
		return err
	}
	defer nc.Close()
	subject := o.Target.Subject
	if subject == "" {
		subject = o.Target.Stream
	}
	stream, err := outStream(ctx, js, &o, subject)
	if err != nil {
		return err
	}
	f := &forwarder{o: &o, pool: pool, js: js, subject: subject, statePath: o.StatePath}
	if f.statePath == "" {
		f.statePath = StatePath(o.Pool, o.Target.Stream)
	}
	if err := f.resume(ctx, stream); err != nil {
		return err
	}
	return f.run(ctx)
}

// outStream finds the stream, or creates it when asked.
func outStream(ctx context.Context, js jetstream.JetStream, o *Options, subject string) (jetstream.Stream, error) {
	s, err := js.Stream(ctx, o.Target.Stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) && o.Create {
		subjects := []string{subject}
		if o.SubjectTags {
			subjects = append(subjects, subject+".>")
		}
		s, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: o.Target.Stream, Subjects: subjects})
	}
	if err != nil {
		e := natsError("cannot open stream "+o.Target.Stream, err)
		if e.Kind == core.NotFound {
			e.Hint = "Create the stream first, or pass --create."
		}
		return nil, e
	}
	return s, nil
}

type forwarder struct {
	o         *Options
	pool      *core.Pool
	js        jetstream.JetStream
	subject   string
	statePath string
	st        State  // as last saved (by checkpoint only, after resume)
	identity  string // st.Identity, read by the publishing goroutine

	acked      atomic.Uint64 // the last seq the stream acked, all before it acked or lost to gaps
	ackedTime  atomic.Int64
	forwarded  atomic.Uint64
	duplicates atomic.Uint64
	gaps       atomic.Uint64
	gapMsgs    atomic.Uint64

	mu sync.Mutex // serializes Report
}

func (f *forwarder) emit(e Event) {
	e.Direction, e.Time = "out", time.Now()
	e.Forwarded, e.Duplicates = f.forwarded.Load(), f.duplicates.Load()
	e.Gaps, e.GapMessages = f.gaps.Load(), f.gapMsgs.Load()
	e.Seq = f.acked.Load()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.o.Report(e)
}

// resume loads (or makes) the state, checks it belongs to this pool, and
// moves past what the stream already holds from this pool.
func (f *forwarder) resume(ctx context.Context, stream jetstream.Stream) error {
	st, ok, err := loadState(f.statePath)
	if err != nil {
		return err
	}
	b := f.pool.Bounds()
	if !ok {
		id, err := newIdentity()
		if err != nil {
			return err
		}
		st = State{Identity: id, Pool: f.o.Pool, Stream: f.o.Target.Stream}
		if b.Oldest != 0 {
			st.Seq = b.Oldest - 1
			if f.o.FromLive {
				st.Seq = b.Newest
				if m, err := f.pool.Get(b.Newest); err == nil {
					st.Time = m.Time
				}
			}
		}
		if err := st.save(f.statePath); err != nil { // the identity must outlive a crash
			return err
		}
	} else if err := f.matches(st, b); err != nil {
		return err
	}
	if seq, t, ok := lastPublished(ctx, stream, f.subject, f.o.SubjectTags, st.Identity); ok && seq > st.Seq {
		st.Seq, st.Time = seq, t
	}
	f.st, f.identity = st, st.Identity
	f.acked.Store(st.Seq)
	f.ackedTime.Store(st.Time)
	return nil
}

// matches refuses a state that cannot be this pool's: another stream, or
// a pool with fewer messages than were forwarded, or another message at
// the last forwarded seq (the pool was recreated).
func (f *forwarder) matches(st State, b core.Bounds) error {
	hint := "Remove " + f.statePath + " to forward this pool as a new source, or give another --state."
	if st.Stream != f.o.Target.Stream {
		return &core.Error{Kind: core.Usage, Path: f.statePath, Hint: hint,
			Message: "bridge state belongs to stream " + st.Stream + ", not " + f.o.Target.Stream}
	}
	recreated := b.Newest < st.Seq
	if !recreated && st.Time != 0 && st.Seq >= b.Oldest && st.Seq != 0 {
		m, err := f.pool.Get(st.Seq)
		recreated = err == nil && m.Time != st.Time
	}
	if recreated {
		return &core.Error{Kind: core.Usage, Path: f.statePath, Hint: hint,
			Message: "bridge state does not match the pool (forwarded up to seq " + strconv.FormatUint(st.Seq, 10) +
				"; was the pool recreated?)"}
	}
	return nil
}

// lastPublished returns the pool seq and time of the stream's last message
// on the bridge's subject(s) if that message came from identity.
func lastPublished(ctx context.Context, s jetstream.Stream, subject string, tags bool, identity string) (uint64, int64, bool) {
	subjects := []string{subject}
	if tags {
		subjects = append(subjects, subject+".>")
	}
	var best uint64
	var bestTime int64
	for _, subj := range subjects {
		m, err := s.GetLastMsgForSubject(ctx, subj)
		if err != nil {
			continue
		}
		id, ok := strings.CutPrefix(m.Header.Get(HeaderMsgID), identity+":")
		if !ok {
			continue
		}
		seq, err := strconv.ParseUint(id, 10, 64)
		if err != nil || seq <= best {
			continue
		}
		best = seq
		if t, err := time.Parse(time.RFC3339Nano, m.Header.Get(HeaderTime)); err == nil {
			bestTime = t.UnixNano()
		}
	}
	return best, bestTime, best != 0
}

// checkpointEvery is how often the acked seq is saved (when it moved).
const checkpointEvery = 100 * time.Millisecond

// run forwards until ctx ends, restarting a failed session from the first
// seq the stream did not ack.
func (f *forwarder) run(ctx context.Context) error {
	f.emit(Event{Kind: "start", Resume: f.acked.Load() + 1, Identity: f.identity})
	stop := make(chan struct{})
	var bg sync.WaitGroup
	bg.Add(1)
	go func() { defer bg.Done(); f.background(stop) }()
	var err error
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		before := f.acked.Load()
		err = f.session(ctx, before+1)
		if ctx.Err() != nil || fatal(err) {
			break
		}
		if f.acked.Load() != before {
			backoff = 100 * time.Millisecond
		}
		f.emit(Event{Kind: "retry", Err: err})
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
	close(stop)
	bg.Wait()
	serr := f.checkpoint()
	if ctx.Err() != nil {
		err = nil
	}
	if err == nil {
		err = serr
	}
	f.emit(Event{Kind: "stop", Err: err})
	return err
}

// fatal errors end the bridge instead of being retried: the pool's own
// failures (corrupt, gone), and what the stream refuses for good.
func fatal(err error) bool {
	var pe *core.Error
	if errors.As(err, &pe) {
		return pe.Kind != core.IO || pe.Path != ""
	}
	return errors.Is(err, jetstream.ErrStreamNotFound) || errors.Is(err, nats.ErrPermissionViolation) ||
		errors.Is(err, nats.ErrAuthorization) || errors.Is(err, nats.ErrConnectionClosed)
}

// background saves the acked seq every checkpointEvery and reports status
// every StatusEvery until stop is closed.
func (f *forwarder) background(stop <-chan struct{}) {
	cp := time.NewTicker(checkpointEvery)
	defer cp.Stop()
	status := time.NewTicker(f.o.StatusEvery)
	defer status.Stop()
	for {
		select {
		case <-stop:
			return
		case <-cp.C:
			if err := f.checkpoint(); err != nil {
				f.emit(Event{Kind: "retry", Err: err})
			}
		case <-status.C:
			f.emit(f.status())
		}
	}
}

// checkpoint saves the acked seq if it moved since the last save.
func (f *forwarder) checkpoint() error {
	seq := f.acked.Load()
	if seq == f.st.Seq {
		return nil
	}
	st := f.st
	st.Seq, st.Time = seq, f.ackedTime.Load()
	if err := st.save(f.statePath); err != nil {
		return err
	}
	f.st = st
	return nil
}

// status is a status event: how far behind the pool the stream is.
func (f *forwarder) status() Event {
	e := Event{Kind: "status"}
	acked, b := f.acked.Load(), f.pool.Bounds()
	if b.Newest > acked {
		e.LagSeqs = b.Newest - acked
		next := max(acked+1, b.Oldest)
		if m, err := f.pool.Get(next); err == nil {
			e.LagSeconds = max(0, time.Since(time.Unix(0, m.Time)).Seconds())
		}
	}
	return e
}

// pending is a publish awaiting its ack.
type pending struct {
	seq  uint64
	time int64
	ack  jetstream.PubAckFuture
}

// session tails the pool from seq next and publishes each message, with at
// most MaxInFlight unacked; it returns when ctx ends or a publish fails,
// once every publish it made has resolved.
func (f *forwarder) session(ctx context.Context, next uint64) error {
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	tail, err := f.pool.Tail(core.TailOptions{Start: core.StartSeq, Seq: next, Gap: core.GapError})
	if err != nil {
		return err
	}
	defer func() { tail.Close() }()
	slots := make(chan struct{}, f.o.MaxInFlight)
	inflight := make(chan pending, f.o.MaxInFlight)
	done := make(chan struct{})
	go f.collect(inflight, slots, cancel, done)
	var perr error
	var gapFirst, gapLast uint64 // the gap(s) since the last message published, for Plasmite-Gap
	for {
		m, err := tail.Next(sctx)
		if core.KindOf(err) == core.RetentionGap {
			tail.Close()
			var first uint64
			first, gapLast, tail, err = f.gap(err)
			if gapFirst == 0 {
				gapFirst = first
			}
			if err != nil {
				perr = err
				break
			}
			continue
		}
		if err != nil {
			if sctx.Err() == nil {
				perr = err
			}
			break
		}
		gap := ""
		if gapFirst != 0 {
			gap = strconv.FormatUint(gapFirst, 10) + "-" + strconv.FormatUint(gapLast, 10)
		}
		msg, err := f.message(m, gap)
		if err != nil {
			perr = err
			break
		}
		gapFirst = 0
		select {
		case slots <- struct{}{}:
		case <-sctx.Done():
		}
		if sctx.Err() != nil {
			break
		}
		paf, err := f.js.PublishMsgAsync(msg)
		if err != nil {
			<-slots
			perr = err
			break
		}
		inflight <- pending{seq: m.Seq, time: m.Time, ack: paf}
	}
	close(inflight)
	<-done
	if cause := context.Cause(sctx); perr == nil && cause != context.Canceled && ctx.Err() == nil {
		perr = cause // a failed publish
	}
	return perr
}

// gap reports the retention gap of err and opens a tail at the oldest
// message now retained. It returns the gap's first and last seq.
func (f *forwarder) gap(err error) (uint64, uint64, *core.Tail, error) {
	var ce *core.Error
	errors.As(err, &ce)
	first := *ce.Seq
	oldest := f.pool.Bounds().Oldest
	last := oldest - 1
	f.gaps.Add(1)
	f.gapMsgs.Add(last - first + 1)
	f.emit(Event{Kind: "gap", First: first, Last: last})
	t, err := f.pool.Tail(core.TailOptions{Start: core.StartSeq, Seq: oldest, Gap: core.GapError})
	return first, last, t, err
}

// collect waits for the acks in publish order, advancing acked while they
// succeed; after the first failure it cancels the session and only drains.
func (f *forwarder) collect(inflight <-chan pending, slots chan struct{}, cancel context.CancelCauseFunc, done chan<- struct{}) {
	defer close(done)
	failed := false
	for p := range inflight {
		select {
		case ack := <-p.ack.Ok():
			if !failed {
				f.ackedTime.Store(p.time)
				f.acked.Store(p.seq)
				f.forwarded.Add(1)
				if ack.Duplicate {
					f.duplicates.Add(1)
				}
			}
		case err := <-p.ack.Err():
			if !failed {
				failed = true
				cancel(natsError("publish of seq "+strconv.FormatUint(p.seq, 10)+" failed", err))
			}
		}
		<-slots
	}
}

// message builds the publish of pool message m: its data as JSON, its
// tags, seq and time in headers, and gap (if any) in Plasmite-Gap.
func (f *forwarder) message(m core.Message, gap string) (*nats.Msg, error) {
	data, err := lite3.AppendDataJSON(nil, m.Payload, jsonfmt.Compact)
	if err != nil {
		return nil, &core.Error{Kind: core.Corrupt, Message: "stored message cannot be read", Path: f.o.Pool, Seq: &m.Seq, Err: err}
	}
	seq := strconv.FormatUint(m.Seq, 10)
	h := nats.Header{
		HeaderMsgID:  {f.identity + ":" + seq},
		HeaderSeq:    {seq},
		HeaderTime:   {time.Unix(0, m.Time).UTC().Format(time.RFC3339Nano)},
		HeaderSource: {f.identity},
	}
	if gap != "" {
		h[HeaderGap] = []string{gap}
	}
	subject := f.subject
	tags, err := messageTags(m.Payload)
	if err != nil {
		return nil, &core.Error{Kind: core.Corrupt, Message: "stored message cannot be read", Path: f.o.Pool, Seq: &m.Seq, Err: err}
	}
	if len(tags) > 0 {
		h[HeaderTag] = tags
		if f.o.SubjectTags {
			b := []byte(subject)
			for _, t := range tags {
				b = appendTagToken(append(b, '.'), t)
			}
			subject = string(b)
		}
	}
	return &nats.Msg{Subject: subject, Data: data, Header: h}, nil
}

// messageTags returns the tags of a message document.
func messageTags(doc []byte) ([]string, error) {
	root, err := lite3.Root(doc)
	if err != nil {
		return nil, err
	}
	arr, ok := root.GetPath("meta", "tags")
	if !ok {
		return nil, nil
	}
	var tags []string
	for i := 0; i < arr.Len(); i++ {
		v, _ := arr.Index(i)
		if s, ok := v.Str(); ok {
			tags = append(tags, s)
		}
	}
	return tags, nil
}
