package mcp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"sync"

	"github.com/plasmite-go/plasmite/core"
)

// ServeStdio serves MCP over a stream pair, the `mcp` command's transport:
// newline-delimited JSON-RPC messages from r, one response per line to w
// (flushed each time), in order, one message at a time, as 1.2.1 does.
// Blank lines are ignored and trailing CRs are dropped; a line that is not
// JSON gets the parse error (-32700, id null) and serving goes on.
// Nothing but responses is written to w. It returns nil at the end of r,
// ctx.Err() once ctx is done (a wait in progress answers at once, as if
// timed out, and reading stops), or an IO error when r or w fails.
func ServeStdio(ctx context.Context, r io.Reader, w io.Writer, opts Options) error {
	l := &lineServer{s: New(opts), in: bufio.NewReader(r), out: bufio.NewWriter(w)}
	done := make(chan error, 1)
	go func() { done <- l.serve(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		// The read in progress cannot be interrupted: let it end on its
		// own, but answer nothing more once this returns.
		l.mu.Lock()
		l.stopped = true
		l.mu.Unlock()
		return ctx.Err()
	}
}

// lineServer is ServeStdio's loop. Lines are read and answered in one
// goroutine (a hand-off per line would double the latency of a request).
type lineServer struct {
	s   *Server
	in  *bufio.Reader
	out *bufio.Writer

	mu      sync.Mutex // held while a message is answered
	stopped bool       // ServeStdio has returned: write nothing more
}

func (l *lineServer) serve(ctx context.Context) error {
	for {
		line, err := l.in.ReadBytes('\n')
		if werr := l.answer(ctx, bytes.TrimRight(line, "\r\n")); werr != nil {
			return werr
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return &core.Error{Kind: core.IO, Message: "failed to read MCP request", Err: err}
		}
	}
}

// answer writes the response to one line (nothing for a blank line or a
// notification).
func (l *lineServer) answer(ctx context.Context, line []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped || len(line) == 0 {
		return nil
	}
	resp := l.s.Handle(ctx, line)
	if resp == nil {
		return nil
	}
	l.out.Write(resp)
	l.out.WriteByte('\n')
	if err := l.out.Flush(); err != nil {
		return &core.Error{Kind: core.IO, Message: "failed to write MCP response", Err: err}
	}
	return nil
}
