package api

import (
	"errors"
	"fmt"
)

// ErrorKind is the stable classification of a Plasmite error. The numbers are
// shared by every Plasmite interface: the C ABI's error kinds, the CLI's exit
// codes and the HTTP error envelopes' kinds.
type ErrorKind int32

// The nine error kinds.
const (
	ErrorInternal      ErrorKind = 1 // a bug or an unexpected condition
	ErrorUsage         ErrorKind = 2 // the call's arguments are wrong
	ErrorNotFound      ErrorKind = 3 // no such pool or message
	ErrorAlreadyExists ErrorKind = 4 // the pool already exists
	ErrorBusy          ErrorKind = 5 // the pool is locked by a writer for too long
	ErrorPermission    ErrorKind = 6 // the file system or server refused access
	ErrorCorrupt       ErrorKind = 7 // a pool file or Lite3 document is damaged
	ErrorIO            ErrorKind = 8 // an operating-system I/O error
	ErrorRetentionGap  ErrorKind = 9 // messages a tail needed were overwritten
)

// Error is the error type of every failure a backend reports. Path, Seq and
// Offset are set only when known (empty, nil, nil otherwise). Test for it
// with errors.As:
//
//	var perr *api.Error
//	if errors.As(err, &perr) && perr.Kind == api.ErrorNotFound { … }
type Error struct {
	Kind    ErrorKind
	Message string  // what went wrong, in lower case
	Path    string  // the pool file concerned
	Seq     *uint64 // the message sequence number concerned
	Offset  *uint64 // the byte offset concerned in the pool file
}

// Errors returned for misuse of a handle or an argument, before any backend
// is asked. They come wrapped with details; test with errors.Is.
var (
	// ErrClosed is wrapped by every call on a closed Client, Pool, Stream or
	// Lite3Stream, and by a tail whose pool was closed.
	ErrClosed = errors.New("plasmite: closed")
	// ErrInvalidArgument is wrapped by calls given an empty pool directory,
	// pool reference or payload.
	ErrInvalidArgument = errors.New("plasmite: invalid argument")
)

// Error renders "plasmite: <message>", followed by " (<path>)" when the path
// is known. A nil *Error renders "plasmite: <nil error>".
func (e *Error) Error() string {
	if e == nil {
		return "plasmite: <nil error>"
	}
	if e.Path == "" {
		return "plasmite: " + e.Message
	}
	return "plasmite: " + e.Message + " (" + e.Path + ")"
}

// ClosedError returns an error wrapping ErrClosed that names the closed
// handle: ClosedError("pool") reads "plasmite: closed: pool is closed".
func ClosedError(target string) error {
	return fmt.Errorf("%w: %s is closed", ErrClosed, target)
}

// InvalidArgumentError returns an error wrapping ErrInvalidArgument with
// message: "plasmite: invalid argument: <message>".
func InvalidArgumentError(message string) error {
	return fmt.Errorf("%w: %s", ErrInvalidArgument, message)
}
