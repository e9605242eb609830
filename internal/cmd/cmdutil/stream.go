package cmdutil

import (
	"errors"
	"io"
	"strconv"
	"syscall"
)

// Stream is stdout or stderr: every record is written whole at once (no
// buffering between records), so `follow | jq` streams. The first failed
// write (a closed pipe, a full disk) is kept: it ends the command.
type Stream struct {
	w   io.Writer
	TTY bool // the stream is a terminal
	buf []byte
	err error
}

// NewStream writes to w; tty says whether w is a terminal.
func NewStream(w io.Writer, tty bool) *Stream { return &Stream{w: w, TTY: tty} }

// OutputError is a failed write to stdout or stderr: it ends the command.
// When the reader went away (Closed) the end is quiet, with the status the
// command table gives (internal/cmd, closed.go); any other failure is an
// Io error.
type OutputError struct{ Err error }

func (e *OutputError) Error() string { return "write failed: " + e.Err.Error() }
func (e *OutputError) Unwrap() error { return e.Err }

// Closed says whether the write failed because the reader of the stream
// went away (EPIPE): a normal end for a command whose output nobody reads.
func (e *OutputError) Closed() bool { return errors.Is(e.Err, syscall.EPIPE) }

// Write writes b. After a failure it writes nothing more and returns the
// same *OutputError every time.
func (s *Stream) Write(b []byte) error {
	if s.err != nil {
		return s.err
	}
	if _, err := s.w.Write(b); err != nil {
		s.err = &OutputError{Err: err}
	}
	return s.err
}

// WriteString writes str (through the stream's own buffer, so that a
// string costs no allocation).
func (s *Stream) WriteString(str string) error {
	s.buf = append(s.buf[:0], str...)
	return s.Write(s.buf)
}

// Buffer returns the stream's scratch buffer, empty, for building a record
// in; hand it back with Write.
func (s *Stream) Buffer() []byte { return s.buf[:0] }

// Keep makes b (grown from Buffer) the stream's scratch buffer.
func (s *Stream) Keep(b []byte) { s.buf = b }

// Raw is the stream's writer itself, for output passed through as it
// comes (tap), whose failures do not end the command.
func (s *Stream) Raw() io.Writer { return s.w }

// Err is the stream's first write failure, nil if none.
func (s *Stream) Err() error { return s.err }

// Failure is Err as the *OutputError it is, nil if none.
func (s *Stream) Failure() *OutputError {
	oe, _ := s.err.(*OutputError)
	return oe
}

// Exit is an error that ends the command with a status and prints nothing.
type Exit struct{ Code int }

func (e Exit) Error() string { return "exit " + strconv.Itoa(e.Code) }

// ExitStatus is err's explicit exit status (an Exit's code), and whether
// it has one.
func ExitStatus(err error) (int, bool) {
	var ex Exit
	if errors.As(err, &ex) {
		return ex.Code, true
	}
	return 0, false
}
