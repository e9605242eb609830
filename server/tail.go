package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
	"github.com/plasmite-go/plasmite/wire"
)

// encoding is a tail's body format.
type encoding uint8

const (
	encJSONL encoding = iota // /tail: one envelope per line
	encLite3                 // /tail_lite3: 20-byte frame headers and payloads
	encSSE                   // /v0/ui/pools/{pool}/events: event: message frames
)

var (
	errTailBusy = &core.Error{Kind: core.Busy, Message: "too many concurrent tail requests",
		Hint: "Try again later or reduce tail concurrency."}
	errGapPolicy = &core.Error{Kind: core.Usage, Message: "invalid tail gap policy",
		Hint: "Use gap_policy=continue or gap_policy=error."}
	errLite3Gap   = usage("remote Lite3 tails do not support gap_policy=error because the stream has no error frame")
	errTimeoutCap = usage("tail timeout exceeds server limit")
)

func (s *Server) tailHandler(enc encoding) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { s.tail(w, r, enc) }
}

// tail serves one stream. Everything that can be checked before the
// stream starts is answered with a status (bad query, pool name, gap policy
// or timeout: 400; no permit: 423; a corrupt message at a Lite3 tail's
// since_seq: 500); after the 200, a failure is one terminal error record
// (JSONL, SSE) or an aborted connection (Lite3, which has no error frame),
// as in 1.2.1 — including a pool that does not exist.
func (s *Server) tail(w http.ResponseWriter, r *http.Request, enc encoding) {
	q, err := parseQuery(r.URL.RawQuery, queryTail)
	if err != nil {
		fail(w, err)
		return
	}
	_, path, err := s.requestPath(r)
	if err != nil {
		fail(w, err)
		return
	}
	gap := core.GapContinue
	if q.gapPolicy != nil {
		g, ok := wire.ParseGapPolicy(*q.gapPolicy)
		if !ok {
			fail(w, errGapPolicy)
			return
		}
		gap = g
	}
	if enc == encLite3 && gap == core.GapError {
		fail(w, errLite3Gap)
		return
	}
	timeout := s.opts.MaxTailTimeout
	if q.timeoutMS != nil {
		if *q.timeoutMS > uint64(timeout.Milliseconds()) {
			fail(w, errTimeoutCap)
			return
		}
		timeout = time.Duration(*q.timeoutMS) * time.Millisecond
	}
	if !s.tails.tryAcquire() {
		fail(w, errTailBusy)
		return
	}
	var released sync.Once
	release := func() { released.Do(s.tails.release) }
	defer release()
	deadline := time.Now().Add(timeout)
	if enc == encLite3 && q.sinceSeq != nil {
		if err := s.precheckLite3(path, *q.sinceSeq); err != nil {
			fail(w, err)
			return
		}
	}

	// The stream ends at its deadline, when the client goes away (net/http
	// cancels the request's context) and when the server shuts down.
	ctx, cancel := context.WithDeadline(r.Context(), deadline)
	defer cancel()
	defer context.AfterFunc(s.stopping, cancel)()
	// The permit is free the moment the stream is over, even while a
	// write to a client that stopped reading is still blocked: that write
	// fails a little later, at the write deadline. The grace lets what was
	// rendered before the deadline, and the end of the body, go out.
	defer context.AfterFunc(ctx, release)()
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(deadline.Add(s.opts.StreamGrace))
	streamHeaders(w, r, enc)
	w.WriteHeader(http.StatusOK)
	rc.Flush()

	out := newStreamOut(w, rc, enc, path)
	defer out.free()
	start := core.TailOptions{Start: core.StartOldest, Tags: q.tags}
	if q.sinceSeq != nil {
		start.Start, start.Seq = core.StartSeq, *q.sinceSeq
	}
	e, err := s.pools.acquire(path)
	if err != nil {
		out.terminal(err)
		return
	}
	st, err := wire.OpenStream(ctx, e.pool, start, wire.StreamBounds{Max: q.max, Gap: gap})
	s.pools.release(e)
	if err != nil {
		out.terminal(err)
		return
	}
	defer st.Close()
	out.run(st)
}

// precheckLite3 is 1.2.1's check before a Lite3 tail from since_seq: the
// message there must be readable and valid. NotFound (no such message, or
// no such pool) passes: the stream then deals with it.
func (s *Server) precheckLite3(path string, seq uint64) error {
	err := s.withPool(path, func(e *poolEntry) error {
		buf := getOut()
		defer putOut(buf, *buf)
		m, err := e.pool.GetInto(seq, *buf)
		if err != nil {
			return err
		}
		*buf = m.Payload
		return validFrame(m, path)
	})
	if core.KindOf(err) == core.NotFound {
		return nil
	}
	return err
}

// validFrame checks a payload before it goes into a Lite3 stream.
func validFrame(m core.Message, path string) error {
	if err := lite3.Validate(m.Payload); err != nil {
		seq := m.Seq
		return &core.Error{Kind: core.Corrupt, Message: err.Error(), Path: path, Seq: &seq}
	}
	return nil
}

func streamHeaders(w http.ResponseWriter, r *http.Request, enc encoding) {
	h := versioned(w)
	switch enc {
	case encJSONL:
		h["Content-Type"] = hJSONL
	case encLite3:
		h["Content-Type"] = hLite3Strm
	case encSSE:
		h["Content-Type"] = hSSE
		h["Cache-Control"] = hNoCache
		if r.ProtoMajor == 1 {
			h["Connection"] = hKeepAlive
		}
	}
}

// DefaultStreamGrace is how long after its deadline a stream may take to
// send what it rendered before it (Options.StreamGrace). What a stream
// rendered can be megabytes queued in the kernel for a client that reads
// slower than the server renders (the 1.2.1 CLI reading a long history
// in 100 ms streams): the grace lets such a client read it all, where 1 s
// cut the stream mid-message.
const DefaultStreamGrace = 10 * time.Second

// streamFlushAt is how much a stream buffers while messages are available
// at once; it writes and flushes whenever it catches up.
const streamFlushAt = 32 << 10

var streamBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2*streamFlushAt); return &b }}

// streamOut renders messages into one reused buffer and writes it in large
// pieces: nothing is allocated per message.
type streamOut struct {
	w    http.ResponseWriter
	rc   *http.ResponseController
	enc  encoding
	path string
	bp   *[]byte
	buf  []byte
	dead bool // a write failed: the client is gone or stalled
}

func newStreamOut(w http.ResponseWriter, rc *http.ResponseController, enc encoding, path string) *streamOut {
	bp := streamBufs.Get().(*[]byte)
	return &streamOut{w: w, rc: rc, enc: enc, path: path, bp: bp, buf: (*bp)[:0]}
}

func (o *streamOut) free() {
	if cap(o.buf) <= 4*streamFlushAt {
		*o.bp = o.buf[:0]
		streamBufs.Put(o.bp)
	}
}

// run streams st until it ends, the client goes away or a message fails.
func (o *streamOut) run(st *wire.Stream) {
	for !o.dead {
		m, ok, err := st.TryNext()
		if err == nil && !ok {
			if st.Done() {
				break
			}
			if o.flush(); o.dead {
				return
			}
			m, ok, err = st.Next()
		}
		if err != nil {
			o.terminal(err)
			return
		}
		if !ok {
			break
		}
		if err := o.add(m); err != nil {
			o.terminal(err)
			return
		}
		st.Delivered()
		if len(o.buf) >= streamFlushAt {
			o.write()
		}
	}
	o.flush()
}

var (
	sseMessage = []byte("event: message\ndata: ")
	sseError   = []byte("event: error\ndata: ")
)

// add renders m into the buffer.
func (o *streamOut) add(m core.Message) error {
	mark := len(o.buf)
	var err error
	switch o.enc {
	case encJSONL:
		o.buf, err = wire.AppendMessage(o.buf, m, jsonfmt.Compact)
		o.buf = append(o.buf, '\n')
	case encSSE:
		o.buf = append(o.buf, sseMessage...)
		o.buf, err = wire.AppendMessage(o.buf, m, jsonfmt.Compact)
		o.buf = append(o.buf, '\n', '\n')
	case encLite3:
		if err = validFrame(m, o.path); err == nil {
			o.buf = wire.AppendFrame(o.buf, m)
		}
	}
	if err != nil {
		o.buf = o.buf[:mark]
		if e, ok := err.(*core.Error); ok && e.Path == "" {
			e.Path = o.path
		}
	}
	return err
}

// terminal ends the stream with err: one error line (JSONL), one error
// event (SSE), or, for Lite3, an aborted connection.
func (o *streamOut) terminal(err error) {
	e := wire.ErrorOf(err)
	if e.Kind == core.RetentionGap {
		e.Path = "" // as 1.2.1 reports a gap: seq and message only
	}
	switch o.enc {
	case encJSONL:
		o.buf = wire.AppendError(o.buf, e, wire.LineForm)
		o.buf = append(o.buf, '\n')
	case encSSE:
		o.buf = append(o.buf, sseError...)
		o.buf = wire.AppendError(o.buf, e, wire.LineForm)
		o.buf = append(o.buf, '\n', '\n')
	case encLite3:
		o.flush()
		panic(http.ErrAbortHandler)
	}
	o.flush()
}

func (o *streamOut) write() {
	if len(o.buf) > 0 && !o.dead {
		if _, err := o.w.Write(o.buf); err != nil {
			o.dead = true
		}
	}
	o.buf = o.buf[:0]
}

func (o *streamOut) flush() {
	o.write()
	if !o.dead && o.rc.Flush() != nil {
		o.dead = true
	}
}
