package mcp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// ServeStdio's framing: one response line per request, in order; blank
// lines and trailing CRs ignored; text that is not JSON answered and
// skipped; notifications unanswered; nil at the end of the input.
func TestServeStdioFraming(t *testing.T) {
	in := strings.Join([]string{
		`{"jsonrpc":"2.0","id":1,"method":"ping"}`,
		``, "\r", `   `,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\r\r",
		"\xff\xfe",
		`{"jsonrpc":"2.0","id":3,"method":"ping"}`,
	}, "\n") // no newline after the last line
	var out bytes.Buffer
	if err := ServeStdio(context.Background(), strings.NewReader(in), &out, Options{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	want := `{"id":1,"jsonrpc":"2.0","result":{}}` + "\n" +
		`{"error":{"code":-32700,"message":"invalid JSON"},"id":null,"jsonrpc":"2.0"}` + "\n" +
		`{"id":2,"jsonrpc":"2.0","result":{}}` + "\n" +
		`{"error":{"code":-32700,"message":"invalid JSON"},"id":null,"jsonrpc":"2.0"}` + "\n" +
		`{"id":3,"jsonrpc":"2.0","result":{}}` + "\n"
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// ServeStdio ends when its context does, even while a wait is in progress
// and the input is still open; read and write failures are IO errors.
func TestServeStdioEnds(t *testing.T) {
	dir := t.TempDir()
	pr, pw := io.Pipe()
	defer pw.Close()
	out := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	sleeping := parked(t)
	done := make(chan error, 1)
	go func() { done <- ServeStdio(ctx, pr, out, Options{Dir: dir, OpenOptions: quiet}) }()
	io.WriteString(pw, toolCall(1, toolFeed, `{"pool":"w","data":{},"create":true}`)+"\n")
	io.WriteString(pw, toolCall(2, toolWait, `{"pool":"w","timeout_ms":60000}`)+"\n")
	<-sleeping
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("ServeStdio: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("ServeStdio outlived its context")
	}
	if !strings.Contains(out.String(), `"timed_out":true`) {
		t.Fatalf("the wait in progress was not answered: %s", out.String())
	}

	if err := ServeStdio(context.Background(), failingReader{}, io.Discard, Options{Dir: dir, OpenOptions: quiet}); err == nil || !strings.Contains(err.Error(), "failed to read MCP request") {
		t.Fatalf("read failure: %v", err)
	}
	if err := ServeStdio(context.Background(), strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`+"\n"), failingWriter{}, Options{Dir: dir, OpenOptions: quiet}); err == nil || !strings.Contains(err.Error(), "failed to write MCP response") {
		t.Fatalf("write failure: %v", err)
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("boom") }
