package remote

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/wire"
)

// TailOptions are the query of one tail request (/tail or /tail_lite3).
// Zero values are not sent, leaving the server's defaults.
type TailOptions struct {
	// SinceSeq starts the stream at this seq, inclusive (0: the server's
	// default, the oldest retained message).
	SinceSeq uint64
	// Max ends the stream after that many messages (0: unlimited).
	Max uint64
	// Timeout is the stream's total deadline on the server, sent in whole
	// milliseconds (0: the server's maximum; above it the server answers
	// Usage "tail timeout exceeds server limit").
	Timeout time.Duration
	// Tags filters on the server: only messages carrying all of them.
	Tags []string
	// GapError makes the server end the stream with a RetentionGap error
	// when messages it should send were overwritten (JSONL only: a Lite3
	// stream has no error frame, so Lite3 with GapError is a Usage error).
	GapError bool
	// Lite3 asks for the framed Lite3 stream (/tail_lite3), whose payloads
	// are the stored documents as they are, instead of JSONL.
	Lite3 bool
}

func (o *TailOptions) query() string {
	q := make(url.Values, 5)
	if o.SinceSeq != 0 {
		q.Set("since_seq", strconv.FormatUint(o.SinceSeq, 10))
	}
	if o.Max != 0 {
		q.Set("max", strconv.FormatUint(o.Max, 10))
	}
	if o.Timeout != 0 {
		q.Set("timeout_ms", strconv.FormatInt(o.Timeout.Milliseconds(), 10))
	}
	if o.GapError {
		q.Set("gap_policy", "error")
	}
	for _, t := range o.Tags {
		q.Add("tag", t)
	}
	return q.Encode()
}

// errLite3Gap is the client-side refusal of GapError on a Lite3 stream.
var errLite3Gap = &core.Error{Kind: core.Usage,
	Message: "remote Lite3 tails do not support fail-closed retention gaps because the stream has no error frame"}

// Tail is one tail stream: the messages of one response, in seq order, as
// the server sends them. Next is for one goroutine at a time; Close may be
// called from any goroutine, also during Next.
type Tail struct {
	body  io.ReadCloser
	r     *bufio.Reader
	lite3 bool
	max   int64
	line  []byte // JSONL: a line longer than the reader's buffer
	buf   []byte // the current message's payload
	fr    *wire.FrameReader
	done  bool
}

// Tail opens one tail stream (one request; see Follow for the loop that
// reconnects and resumes). The stream ends with ctx, at the server's
// deadline or Max. Request errors carry the pool's name as their path.
func (p *Pool) Tail(ctx context.Context, o TailOptions) (*Tail, error) {
	r := &request{method: "GET", path: p.base + "tail", accept: jsonType}
	if o.Lite3 {
		if o.GapError {
			return nil, errLite3Gap
		}
		r.path, r.accept = p.base+"tail_lite3", lite3StreamType
	}
	r.query = o.query()
	resp, err := p.c.send(ctx, r)
	if err != nil {
		return nil, withPath(err, p.name)
	}
	return newTail(resp, o.Lite3, p.c.max), nil
}

func newTail(resp *http.Response, lite3 bool, max int64) *Tail {
	t := &Tail{body: resp.Body, r: bufio.NewReaderSize(resp.Body, 64<<10), lite3: lite3, max: max}
	if lite3 {
		t.fr = wire.NewFrameReader(t.r, uint32(max))
	}
	return t
}

// Next returns the next message; its Payload is valid until the next call.
// At the end of the stream it returns io.EOF. A JSONL stream's terminal
// error line is returned as its error (kind and all, as the server sent
// it). Other errors: Io for a broken stream or a frame or line over the
// size limit, Internal for a line that is not JSON. After an error every
// call returns io.EOF.
func (t *Tail) Next() (core.Message, error) {
	if t.done {
		return core.Message{}, io.EOF
	}
	var m core.Message
	var err error
	if t.lite3 {
		m, err = t.nextFrame()
	} else {
		m, err = t.nextLine()
	}
	if err != nil {
		t.done = true
		t.body.Close()
	}
	return m, err
}

func (t *Tail) nextFrame() (core.Message, error) {
	m, out, err := t.fr.Next(t.buf[:0])
	switch {
	case err == nil:
		t.buf = out
		return m, nil
	case err == io.EOF:
		return m, io.EOF
	case errors.Is(err, wire.ErrFrameTruncated):
		return m, &core.Error{Kind: core.IO, Message: "unexpected eof in lite3 stream"}
	case errors.Is(err, wire.ErrFrameTooLarge):
		return m, &core.Error{Kind: core.IO, Message: "lite3 frame exceeded maximum response size"}
	}
	return m, &core.Error{Kind: core.IO, Message: "failed to read lite3 stream", Err: rootCause(err)}
}

func (t *Tail) nextLine() (core.Message, error) {
	for {
		line, err := t.readLine()
		if err != nil {
			return core.Message{}, err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		m, out, perr := wire.ParseMessage(t.buf[:0], line)
		if perr == nil {
			t.buf = out
			return m, nil
		}
		if e := lineError(line); e != nil {
			return core.Message{}, e
		}
		return core.Message{}, &core.Error{Kind: core.Internal, Message: "invalid tail message json", Err: perr}
	}
}

// lineError is the error of a JSONL error line (an object with an "error"
// member), nil for anything else.
func lineError(line []byte) error {
	var probe map[string]json.RawMessage
	if json.Unmarshal(line, &probe) != nil || probe["error"] == nil {
		return nil
	}
	e := wire.ParseError(200, line)
	if e.Message == "remote error status 200" {
		return &core.Error{Kind: core.Internal, Message: "invalid tail error json"}
	}
	return e
}

// readLine returns the next line (without its newline; a last line without
// one counts), io.EOF at the end.
func (t *Tail) readLine() ([]byte, error) {
	t.line = t.line[:0]
	for {
		frag, err := t.r.ReadSlice('\n')
		if err == nil {
			if len(t.line) == 0 {
				if int64(len(frag)) > t.max+1 {
					return nil, errLineTooLong
				}
				return frag[:len(frag)-1], nil
			}
			t.line = append(t.line, frag[:len(frag)-1]...)
			if int64(len(t.line)) > t.max {
				return nil, errLineTooLong
			}
			return t.line, nil
		}
		t.line = append(t.line, frag...)
		if int64(len(t.line)) > t.max {
			return nil, errLineTooLong
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF:
			if len(t.line) > 0 {
				return t.line, nil
			}
			return nil, io.EOF
		}
		return nil, &core.Error{Kind: core.IO, Message: "failed to read tail stream", Err: rootCause(err)}
	}
}

var errLineTooLong = &core.Error{Kind: core.IO, Message: "tail line exceeded maximum response size"}

// Ready reports whether Next can return without waiting for the network: a
// whole frame or line is already buffered (or the stream is over).
func (t *Tail) Ready() bool {
	if t.done {
		return true
	}
	n := t.r.Buffered()
	if n == 0 {
		return false
	}
	b, _ := t.r.Peek(n)
	if t.lite3 {
		if n < wire.FrameHeaderLen {
			return false
		}
		_, _, size := wire.ParseFrameHeader(b)
		return int64(size) > t.max || n-wire.FrameHeaderLen >= int(size)
	}
	return bytes.IndexByte(b, '\n') >= 0
}

// Close ends the stream and releases its connection. Safe to call more
// than once and concurrently with Next (which then fails or ends).
func (t *Tail) Close() error {
	return t.body.Close()
}
