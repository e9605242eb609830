package remote

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/lite3"
	"github.com/plasmite-go/plasmite/wire"
)

// Content types of the API's Lite3 bodies.
const (
	lite3Type       = "application/x-plasmite-lite3"
	lite3StreamType = "application/x-plasmite-lite3-stream"
	jsonType        = "application/json"
)

// Pool is one pool of a server. It holds no connection and no state of its
// own: it is safe for concurrent use, and it stays valid whatever happens
// to the pool on the server (calls then fail with the server's error).
type Pool struct {
	c    *Client
	name string
	base string // "v0/pools/<escaped name>/"
}

// Pool returns a handle on the pool name without asking the server (Open
// checks that it exists). The name is a pool name on the server: "/" is
// refused (Usage), as is an empty name.
func (c *Client) Pool(name string) (*Pool, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	return &Pool{c: c, name: name, base: "v0/pools/" + escapeWith(name, segmentEscaped) + "/"}, nil
}

func checkName(name string) error {
	if strings.Contains(name, "/") {
		return &core.Error{Kind: core.Usage, Message: "remote pool names must not contain path separators"}
	}
	if name == "" {
		return &core.Error{Kind: core.Usage, Message: "remote pool name is empty"}
	}
	return nil
}

// Name returns the pool's name on the server.
func (p *Pool) Name() string { return p.name }

// Client returns the client the pool belongs to.
func (p *Pool) Client() *Client { return p.c }

// withPath returns err with its Path set to path (how the reference's
// client reports errors of calls that name a pool).
func withPath(err error, path string) error {
	var e *core.Error
	if errors.As(err, &e) {
		c := *e
		c.Path = path
		return &c
	}
	return err
}

// jsonBody encodes a request document.
func jsonBody(v any) []byte {
	b, _ := json.Marshal(v) // strings and integers only: cannot fail
	return b
}

// poolReply reads a {"pool":{…}} reply.
func poolReply(body []byte) (core.Info, error) {
	var r struct {
		Pool json.RawMessage `json:"pool"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return core.Info{}, invalidJSON(err)
	}
	if r.Pool == nil {
		return core.Info{}, invalidJSON(errors.New("missing member pool"))
	}
	in, _, err := wire.ParseInfo(r.Pool)
	if err != nil {
		return core.Info{}, invalidJSON(err)
	}
	return in, nil
}

// messageReply reads a {"message":{…}} reply into dst.
func messageReply(dst, body []byte) (core.Message, []byte, error) {
	var r struct {
		Message json.RawMessage `json:"message"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return core.Message{}, dst, invalidJSON(err)
	}
	if r.Message == nil {
		return core.Message{}, dst, invalidJSON(errors.New("missing member message"))
	}
	m, out, err := wire.ParseMessage(dst, r.Message)
	if err != nil {
		return core.Message{}, dst, invalidJSON(err)
	}
	return m, out, nil
}

// Open checks that the pool exists on the server (POST /v0/pools/open) and
// returns its handle. Errors carry the pool's name as their path.
func (c *Client) Open(ctx context.Context, name string) (*Pool, error) {
	p, err := c.Pool(name)
	if err != nil {
		return nil, err
	}
	body, err := c.do(ctx, &request{method: "POST", path: "v0/pools/open", ctype: jsonType, accept: jsonType,
		body: jsonBody(map[string]string{"pool": name})})
	if err == nil {
		_, err = poolReply(body)
	}
	if err != nil {
		return nil, withPath(err, name)
	}
	return p, nil
}

// Create creates the pool name of size bytes on the server (0: the
// server's default) and returns its info. Errors (AlreadyExists, …) carry
// the pool's name as their path.
func (c *Client) Create(ctx context.Context, name string, size uint64) (core.Info, error) {
	if err := checkName(name); err != nil {
		return core.Info{}, err
	}
	if size == 0 {
		size = core.DefaultPoolSize
	}
	body, err := c.do(ctx, &request{method: "POST", path: "v0/pools", ctype: jsonType, accept: jsonType,
		body: jsonBody(map[string]any{"pool": name, "size_bytes": size})})
	if err != nil {
		return core.Info{}, withPath(err, name)
	}
	in, err := poolReply(body)
	return in, withPathOrNil(err, name)
}

func withPathOrNil(err error, path string) error {
	if err == nil {
		return nil
	}
	return withPath(err, path)
}

// Delete deletes the pool name on the server. Errors carry the pool's name
// as their path.
func (c *Client) Delete(ctx context.Context, name string) error {
	p, err := c.Pool(name)
	if err != nil {
		return err
	}
	body, err := c.do(ctx, &request{method: "DELETE", path: strings.TrimSuffix(p.base, "/"), accept: jsonType})
	if err == nil && !json.Valid(body) {
		err = invalidJSON(errors.New("not JSON"))
	}
	return withPathOrNil(err, name)
}

// List returns the server's pools in the server's order: Name and Path as
// the server reports them, Info with geometry, bounds and metrics (ModTime
// unknown).
func (c *Client) List(ctx context.Context) ([]core.PoolEntry, error) {
	body, err := c.do(ctx, &request{method: "GET", path: "v0/pools", accept: jsonType})
	if err != nil {
		return nil, err
	}
	entries, err := wire.ParseList(body)
	if err != nil {
		return nil, invalidJSON(err)
	}
	return entries, nil
}

// Info returns the pool's info (Path is the server's path of the pool
// file). Errors carry the pool's name as their path.
func (p *Pool) Info(ctx context.Context) (core.Info, error) {
	body, err := p.c.do(ctx, &request{method: "GET", path: p.base + "info", accept: jsonType})
	if err != nil {
		return core.Info{}, withPath(err, p.name)
	}
	in, err := poolReply(body)
	return in, withPathOrNil(err, p.name)
}

// AppendLite3 appends payload, a Lite3 message document, through
// /append_lite3 (the server validates it and appends nothing when it is
// invalid), and returns the server's receipt, the committed message, read
// into dst (see wire.ParseMessage). Durability Flush asks the server to
// flush before answering.
func (p *Pool) AppendLite3(ctx context.Context, payload []byte, d core.Durability, dst []byte) (core.Message, []byte, error) {
	r := &request{method: "POST", path: p.base + "append_lite3", ctype: lite3Type, accept: jsonType, body: payload}
	if d == core.Flush {
		r.query = "durability=flush"
	}
	if payload == nil {
		r.body = []byte{}
	}
	body, err := p.c.do(ctx, r)
	if err != nil {
		return core.Message{}, dst, err
	}
	return messageReply(dst, body)
}

// Append encodes data (the JSON text of an object) and tags as a Lite3
// message document, as the reference's CLI encodes what it feeds, and
// appends it with AppendLite3 (the document is built in dst, then the
// receipt is read into dst in its place). Invalid data is a Usage error
// with the codec's complaint; nothing is sent.
func (p *Pool) Append(ctx context.Context, data []byte, tags []string, d core.Durability, dst []byte) (core.Message, []byte, error) {
	start := len(dst)
	doc, err := lite3.EncodeMessage(dst, data, tags)
	if err != nil {
		return core.Message{}, dst, &core.Error{Kind: core.Usage, Message: "invalid message data", Err: err}
	}
	payload := doc[start:]
	// The receipt goes after the payload, then moves to where it began.
	m, out, err := p.AppendLite3(ctx, payload, d, doc)
	if err != nil {
		return core.Message{}, dst, err
	}
	n := copy(out[start:], m.Payload)
	m.Payload = out[start : start+n]
	return m, out[:start+n], nil
}

// Get reads message seq (GET …/messages/{seq}) into dst. Errors carry the
// pool's name as their path and seq.
func (p *Pool) Get(ctx context.Context, seq uint64, dst []byte) (core.Message, []byte, error) {
	body, err := p.c.do(ctx, &request{method: "GET", path: p.base + "messages/" + strconv.FormatUint(seq, 10), accept: jsonType})
	if err == nil {
		var m core.Message
		var out []byte
		if m, out, err = messageReply(dst, body); err == nil {
			return m, out, nil
		}
	}
	err = withPath(err, p.name)
	var e *core.Error
	if errors.As(err, &e) {
		e.Seq = &seq
	}
	return core.Message{}, dst, err
}

// GetLite3 reads message seq's stored Lite3 document (GET
// …/messages/{seq}/lite3), appended to dst.
func (p *Pool) GetLite3(ctx context.Context, seq uint64, dst []byte) ([]byte, error) {
	body, err := p.c.do(ctx, &request{method: "GET", path: p.base + "messages/" + strconv.FormatUint(seq, 10) + "/lite3", accept: lite3Type})
	if err != nil {
		var e *core.Error
		if errors.As(err, &e) && e.Message == "response exceeded maximum response size" {
			e.Message = "lite3 response exceeded maximum response size"
		}
		return dst, err
	}
	return append(dst, body...), nil
}
