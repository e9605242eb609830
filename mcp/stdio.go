package mcp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"

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
	s := New(opts)
	lines := make(chan []byte)
	failed := make(chan error, 1)
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	go readLines(readCtx, r, lines, failed)
	out := bufio.NewWriter(w)
	for {
		var line []byte
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-failed:
			return err
		case line = <-lines:
		}
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			continue
		}
		resp := s.Handle(ctx, line)
		if resp == nil {
			continue
		}
		out.Write(resp)
		out.WriteByte('\n')
		if err := out.Flush(); err != nil {
			return &core.Error{Kind: core.IO, Message: "failed to write MCP response", Err: err}
		}
	}
}

// readLines sends r's lines (without the newline; a last line without one
// too) until r ends (failed gets nil) or fails, or ctx is done.
func readLines(ctx context.Context, r io.Reader, lines chan<- []byte, failed chan<- error) {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			select {
			case lines <- bytes.TrimSuffix(line, []byte{'\n'}):
			case <-ctx.Done():
				return
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			} else {
				err = &core.Error{Kind: core.IO, Message: "failed to read MCP request", Err: err}
			}
			failed <- err
			return
		}
	}
}
