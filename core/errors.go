package core

import (
	"errors"
	"strconv"
)

// Kind is the stable classification of every error core returns. The numeric
// values are part of the contract: they are the C ABI's plsm_error_kind_t
// values and the CLI derives its exit codes from them.
//
// A Kind is itself an error, so callers test with errors.Is:
//
//	if errors.Is(err, core.NotFound) { ... }
type Kind int

// The nine error kinds, numbered as in the reference implementation.
const (
	Internal      Kind = 1
	Usage         Kind = 2
	NotFound      Kind = 3
	AlreadyExists Kind = 4
	Busy          Kind = 5
	Permission    Kind = 6
	Corrupt       Kind = 7
	IO            Kind = 8
	RetentionGap  Kind = 9
)

var kindNames = [...]string{
	Internal:      "Internal",
	Usage:         "Usage",
	NotFound:      "NotFound",
	AlreadyExists: "AlreadyExists",
	Busy:          "Busy",
	Permission:    "Permission",
	Corrupt:       "Corrupt",
	IO:            "Io",
	RetentionGap:  "RetentionGap",
}

var kindMessages = [...]string{
	Internal:      "internal error",
	Usage:         "usage error",
	NotFound:      "not found",
	AlreadyExists: "already exists",
	Busy:          "resource is busy",
	Permission:    "permission denied",
	Corrupt:       "corrupt data",
	IO:            "i/o error",
	RetentionGap:  "retention gap",
}

// String returns the kind's wire spelling, as used in JSON error envelopes
// ("Internal", "Usage", …, "Io", "RetentionGap").
func (k Kind) String() string {
	if k >= Internal && k <= RetentionGap {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Error returns the kind's default message ("not found", "corrupt data", …).
func (k Kind) Error() string {
	if k >= Internal && k <= RetentionGap {
		return kindMessages[k]
	}
	return "unknown error kind " + strconv.Itoa(int(k))
}

// Error is the error type returned by core. Every field except Kind is
// optional; the zero value of a field (nil, "") means "not known".
type Error struct {
	Kind    Kind    // stable classification
	Message string  // what went wrong, lower case, no trailing period
	Hint    string  // what the user can do about it
	Path    string  // the file concerned, when known
	Seq     *uint64 // the message concerned, when known
	Offset  *uint64 // the byte offset in the ring concerned, when known
	Err     error   // underlying cause (an OS error, a codec error), if any
}

// u64p returns a pointer to a copy of v (for the optional Seq and Offset).
func u64p(v uint64) *uint64 { return &v }

// Error renders "message" followed by the cause, if any.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Kind.Error()
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is this error's Kind, so errors.Is(err, core.Busy)
// works through any wrapping.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind
}

// Display renders the error the way reports show it:
// "<Kind>: <message>" plus " (path: …)", " (seq: …)", " (offset: …)" when known.
func (e *Error) Display() string {
	msg := e.Message
	if msg == "" {
		msg = e.Kind.Error()
	}
	s := e.Kind.String() + ": " + msg
	if e.Path != "" {
		s += " (path: " + e.Path + ")"
	}
	if e.Seq != nil {
		s += " (seq: " + strconv.FormatUint(*e.Seq, 10) + ")"
	}
	if e.Offset != nil {
		s += " (offset: " + strconv.FormatUint(*e.Offset, 10) + ")"
	}
	return s
}

// KindOf returns the Kind of err: the Kind of the first *Error in its chain,
// err itself if it is a Kind, and Internal for any other non-nil error.
// KindOf(nil) is 0.
func KindOf(err error) Kind {
	if err == nil {
		return 0
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	var k Kind
	if errors.As(err, &k) {
		return k
	}
	return Internal
}
