package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/lite3"
)

// In appends the stream's messages (those on Subject, or all) to the pool
// in stream order, through a durable consumer, until ctx ends. Guarantees:
//
//   - A message is acked only once its append has returned with
//     Options.Durability (Fast: survives a crash of the bridge; Flush: of
//     the machine), so none is lost.
//   - Every appended message carries the tag "nats:<stream>:<stream seq>".
//     On start the bridge finds the newest such tag in the pool and skips
//     (and acks) redelivered messages up to it, so a crash between append
//     and ack does not append a message twice. One bridge per durable and
//     pool: two would interleave their appends.
//   - At most MaxInFlight messages are delivered and not yet acked.
//
// The message body becomes the data when it is a JSON object; another
// JSON value is kept as {"value": …} and anything else as {"text": "…"}.
// Tags come from the Plasmite-Tag headers, then (with SubjectTags, when
// there are no such headers) the subject's tokens after Subject, then
// Options.Tags. Errors: the pool's open and append errors; NotFound for a
// missing stream; Permission or IO from NATS at start; Usage for a message
// the pool cannot hold (over 1 MiB), which is left unacked.
func In(ctx context.Context, o Options) error {
	return quietEnd(ctx, in(ctx, o))
}

func in(ctx context.Context, o Options) error {
	o.defaults()
	pool, err := openOrCreate(&o)
	if err != nil {
		return err
	}
	defer pool.Close()
	nc, js, err := o.connect(16)
	if err != nil {
		return err
	}
	defer nc.Close()
	stream, err := js.Stream(ctx, o.Target.Stream)
	if err != nil {
		e := natsError("cannot open stream "+o.Target.Stream, err)
		if e.Kind == core.NotFound {
			e.Hint = "Create the stream first (pls bridge POOL " + "nats://…/" + o.Target.Stream + " --create does)."
		}
		return e
	}
	cons, err := stream.CreateOrUpdateConsumer(ctx, o.consumerConfig())
	if err != nil {
		return natsError("cannot create the durable consumer "+o.durable(), err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return natsError("cannot read the durable consumer "+o.durable(), err)
	}
	a := &appender{o: &o, pool: pool, stream: o.Target.Stream, js: stream, cons: cons}
	a.last.Store(lastMarked(pool, a.stream))
	a.emit(Event{Kind: "start", Resume: a.last.Load(), AckFloor: info.AckFloor.Stream})
	err = a.run(ctx, nc)
	a.emit(Event{Kind: "stop", Err: err})
	return err
}

func openOrCreate(o *Options) (*core.Pool, error) {
	pool, err := core.Open(o.Pool, o.Open)
	if errors.Is(err, core.NotFound) && o.Create {
		pool, err = core.CreateWith(o.Pool, core.CreateOptions{Size: o.CreateSize, Open: o.Open})
		if errors.Is(err, core.AlreadyExists) { // created by someone else meanwhile
			pool, err = core.Open(o.Pool, o.Open)
		}
	}
	return pool, err
}

// durable is the consumer's name: Options.Durable or plasmite-<pool base>.
func (o *Options) durable() string {
	if o.Durable != "" {
		return o.Durable
	}
	base := o.Pool
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	base = strings.TrimSuffix(base, ".plasmite")
	b := []byte("plasmite-")
	for i := 0; i < len(base); i++ {
		c := base[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b = append(b, c)
		} else {
			b = append(b, '_')
		}
	}
	return string(b)
}

func (o *Options) consumerConfig() jetstream.ConsumerConfig {
	c := jetstream.ConsumerConfig{Durable: o.durable(), AckPolicy: jetstream.AckAllPolicy,
		MaxAckPending: o.MaxInFlight, AckWait: 30 * time.Second, DeliverPolicy: jetstream.DeliverAllPolicy}
	if s := o.Target.Subject; s != "" {
		c.FilterSubjects = []string{s}
		if o.SubjectTags {
			c.FilterSubjects = append(c.FilterSubjects, s+".>")
		}
	}
	return c
}

// lastMarked is the stream seq in the newest marker tag of stream in the
// pool (0 if none is retained). The bridge appends in stream order, so the
// newest marker is the largest. It looks back from the newest message a
// little (gets by seq are cheap there, through the index), then reads the
// whole ring forward once.
func lastMarked(pool *core.Pool, stream string) uint64 {
	b := pool.Bounds()
	if b.Oldest == 0 {
		return 0
	}
	var buf []byte
	for seq := b.Newest; seq >= b.Oldest && b.Newest-seq < 4096; seq-- {
		m, err := pool.GetInto(seq, buf)
		if err != nil {
			break
		}
		buf = m.Payload
		if s, ok := docMarker(m.Payload, stream); ok {
			return s
		}
	}
	t, err := pool.Tail(core.TailOptions{Start: core.StartOldest})
	if err != nil {
		return 0
	}
	defer t.Close()
	last := uint64(0)
	for {
		m, ok, err := t.TryNext()
		if err != nil || !ok || m.Seq > b.Newest {
			return last
		}
		if s, ok := docMarker(m.Payload, stream); ok {
			last = s
		}
	}
}

// docMarker finds stream's marker among a message document's tags.
func docMarker(doc []byte, stream string) (uint64, bool) {
	root, err := lite3.Root(doc)
	if err != nil {
		return 0, false
	}
	arr, ok := root.GetPath("meta", "tags")
	if !ok {
		return 0, false
	}
	for i := arr.Len() - 1; i >= 0; i-- {
		v, _ := arr.Index(i)
		if t, ok := v.StrBytes(); ok {
			if s, ok := parseMarker(t, stream); ok {
				return s, true
			}
		}
	}
	return 0, false
}

type appender struct {
	o      *Options
	pool   *core.Pool
	stream string
	js     jetstream.Stream
	cons   jetstream.Consumer

	last       atomic.Uint64 // the largest stream seq in the pool
	forwarded  atomic.Uint64
	duplicates atomic.Uint64
	pending    atomic.Uint64 // the consumer's pending count at the last message
	lastTime   atomic.Int64  // the stream time of the last message (ns)

	mu sync.Mutex // serializes Report
}

func (a *appender) emit(e Event) {
	e.Direction, e.Time = "in", time.Now()
	e.Forwarded, e.Duplicates, e.Seq = a.forwarded.Load(), a.duplicates.Load(), a.last.Load()
	if e.Kind == "status" {
		e.LagSeqs = a.pending.Load()
		if e.LagSeqs > 0 {
			e.LagSeconds = max(0, time.Since(time.Unix(0, a.lastTime.Load())).Seconds())
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.o.Report(e)
}

// batchMax bounds the messages appended under one lock (and acked by one ack).
const batchMax = 256

// errMisdelivered ends a consume: a delivery went to another client.
var errMisdelivered = errors.New("deliveries of the durable consumer went to another client (a bridge that just died, or a second one)")

// run consumes until ctx ends. Appending in stream order is what makes the
// newest marker the bound of what the pool holds, and what makes one ack
// (the consumer acks everything up to it) safe. So each consume starts by
// resetting the consumer to its ack floor, after which its deliveries are
// numbered 1, 2, …; a missing number means a delivery went elsewhere (to
// the pull request of a bridge killed a moment ago, which the server has
// not dropped yet): the bridge then resets and consumes again rather than
// ack past it.
func (a *appender) run(ctx context.Context, nc *nats.Conn) error {
	backoff := 20 * time.Millisecond
	for {
		_, rerr := a.js.ResetConsumer(ctx, a.o.durable())
		err := a.consume(ctx, nc, rerr == nil)
		if err != errMisdelivered || ctx.Err() != nil {
			return err
		}
		a.emit(Event{Kind: "retry", Err: &core.Error{Kind: core.Busy, Message: err.Error()}})
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Second)
	}
}

// consume appends batches of deliveries, each acked with one ack, until
// ctx ends or (numbered, after a reset) a delivery number is missing.
func (a *appender) consume(ctx context.Context, nc *nats.Conn, numbered bool) error {
	it, err := a.cons.Messages(jetstream.PullMaxMessages(a.o.MaxInFlight))
	if err != nil {
		return natsError("cannot consume", err)
	}
	// The reader ends once done is closed and its Next returns (Next may
	// wait out a pull request after Stop: nobody waits for it).
	msgs, done := make(chan jetstream.Msg, a.o.MaxInFlight), make(chan struct{})
	go func() {
		defer close(msgs)
		for {
			m, err := it.Next()
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return
			}
			if err != nil {
				select {
				case <-done:
					return
				default:
				}
				a.emit(Event{Kind: "retry", Err: natsError("consume", err)})
				time.Sleep(100 * time.Millisecond)
				continue
			}
			select {
			case msgs <- m:
			case <-done:
				return
			}
		}
	}()
	defer func() {
		close(done)
		it.Stop() // unacked messages are delivered again
		nc.Flush()
	}()
	status := time.NewTicker(a.o.StatusEvery)
	defer status.Stop()
	next := uint64(1) // the next delivery number, when numbered
	var batch []jetstream.Msg
	var b core.Batch
	for {
		batch = batch[:0]
		select {
		case <-ctx.Done():
			return nil
		case <-status.C:
			a.emit(Event{Kind: "status"})
			continue
		case m, ok := <-msgs:
			if !ok {
				return nil
			}
			batch = append(batch, m)
		}
	more:
		for len(batch) < batchMax {
			select {
			case m, ok := <-msgs:
				if !ok {
					break more
				}
				batch = append(batch, m)
			default:
				break more
			}
		}
		misdelivered := false
		if numbered {
			kept := batch[:0]
			for _, m := range batch {
				md, err := m.Metadata()
				if err != nil {
					return natsError("message without JetStream metadata", err)
				}
				if d := md.Sequence.Consumer; d < next {
					continue // delivered before the reset
				} else if d > next {
					misdelivered = true
					break
				}
				next++
				kept = append(kept, m)
			}
			batch = kept
		}
		if len(batch) > 0 {
			if err := a.deliver(batch, &b); err != nil {
				return err
			}
		}
		if misdelivered {
			return errMisdelivered
		}
	}
}

// deliver appends the messages of batch the pool does not hold yet, then
// acks the batch.
func (a *appender) deliver(batch []jetstream.Msg, b *core.Batch) error {
	b.Reset()
	newest := a.last.Load()
	top, topSeq := batch[0], uint64(0)
	dups := uint64(0)
	for _, m := range batch {
		md, err := m.Metadata()
		if err != nil {
			return natsError("message without JetStream metadata", err)
		}
		s := md.Sequence.Stream
		if s > topSeq {
			top, topSeq = m, s
		}
		a.pending.Store(md.NumPending)
		a.lastTime.Store(md.Timestamp.UnixNano())
		if s <= newest {
			dups++
			continue
		}
		if err := b.AddJSON(inData(m.Data()), a.tags(m, s)); err != nil {
			return &core.Error{Kind: core.Usage, Message: "stream message " + m.Subject() + " cannot be appended", Seq: &s, Err: err,
				Hint: "The pool holds JSON messages of at most 1 MiB; remove the message from the stream or skip it with a new --durable."}
		}
		newest = s
	}
	if b.Len() > 0 {
		if _, err := a.pool.AppendBatch(b, a.o.Durability, nil); err != nil {
			return err
		}
		a.last.Store(newest)
		a.forwarded.Add(uint64(b.Len()))
	}
	a.duplicates.Add(dups)
	if err := top.Ack(); err != nil {
		a.emit(Event{Kind: "retry", Err: natsError("ack", err)}) // delivered again later, then skipped
	}
	return nil
}

// tags are a message's tags in the pool: headers (or subject tokens), the
// bridge's extra tags, and the marker.
func (a *appender) tags(m jetstream.Msg, s uint64) []string {
	tags := m.Headers().Values(HeaderTag)
	if len(tags) == 0 && a.o.SubjectTags && a.o.Target.Subject != "" {
		tags = subjectTags(m.Subject(), a.o.Target.Subject)
	}
	out := make([]string, 0, len(tags)+len(a.o.Tags)+1)
	out = append(out, tags...)
	out = append(out, a.o.Tags...)
	return append(out, marker(a.stream, s))
}

// inData is the pool data for a message body.
func inData(body []byte) []byte {
	t := bytes.TrimSpace(body)
	if len(t) > 0 && json.Valid(t) {
		if t[0] == '{' {
			return t
		}
		return append(append([]byte(`{"value":`), t...), '}')
	}
	b, _ := json.Marshal(map[string]string{"text": string(body)})
	return b
}
