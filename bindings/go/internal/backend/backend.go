// Package backend is the seam between the binding's handles (package local)
// and what stores the messages: pool files through the core engine (Dir), or,
// once it is wired in, a Plasmite server (Remote). Package local keeps the
// handle rules (locking, closed handles, argument checks, tails, streams,
// replay); a backend only moves messages.
package backend

import (
	"context"
	"strings"

	"github.com/plasmite-go/plasmite/bindings/go/api"
)

// Opener creates and opens pools of one kind. It is safe for concurrent use.
type Opener interface {
	// Create creates the pool ref of size bytes (already defaulted: never 0)
	// and opens it; an existing pool is ErrorAlreadyExists.
	Create(ref string, size uint64) (Pool, error)
	// Open opens the existing pool ref; a missing one is ErrorNotFound.
	Open(ref string) (Pool, error)
}

// Pool is an open pool. It is safe for concurrent use. Errors are *api.Error.
// Returned slices and values belong to the caller.
type Pool interface {
	// AppendJSON appends data (JSON object text) with tags and returns the
	// message's JSON envelope.
	AppendJSON(data []byte, tags []string, d api.Durability) ([]byte, error)
	// Append is AppendJSON returning the decoded message.
	Append(data []byte, tags []string, d api.Durability) (*api.Message, error)
	// AppendLite3 appends a Lite3 message document and returns its sequence
	// number.
	AppendLite3(doc []byte, d api.Durability) (uint64, error)
	// GetJSON, Get and GetLite3 return message seq in its three forms.
	GetJSON(seq uint64) ([]byte, error)
	Get(seq uint64) (*api.Message, error)
	GetLite3(seq uint64) (*api.Lite3Frame, error)
	// Tail opens a reader. It stays usable after the pool is closed.
	Tail(spec TailSpec) (Tail, error)
	// Close releases the pool. Calls in progress must have returned.
	Close() error
}

// TailSpec says what a Tail reads.
type TailSpec struct {
	Since      *uint64  // first sequence number (inclusive); nil: the oldest retained
	Tags       []string // only messages carrying all of these tags
	ErrorOnGap bool     // report overwritten messages (ErrorRetentionGap) instead of skipping them
	Lite3      bool     // the reader will call NextLite3 (a server streams the binary form)
}

// Tail reads messages in sequence order, waiting for new ones. It is not
// safe for concurrent use. Each Next method returns ctx's error when ctx ends
// first, the ErrorRetentionGap error under ErrorOnGap, and io.EOF ever after
// that error.
type Tail interface {
	NextJSON(ctx context.Context) ([]byte, error)
	Next(ctx context.Context) (*api.Message, error)
	NextLite3(ctx context.Context) (*api.Lite3Frame, error)
	Close()
}

// IsRemote reports whether ref is a URI of the http or https scheme.
func IsRemote(ref string) bool {
	scheme, _, ok := strings.Cut(ref, "://")
	return ok && (strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https"))
}

// Scheme returns the URI scheme ref starts with ("udp" for "udp://…"), or
// "" when ref is not a URI (a pool name or a file path).
func Scheme(ref string) string {
	scheme, _, ok := strings.Cut(ref, "://")
	if !ok || scheme == "" {
		return ""
	}
	for i, c := range scheme {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return ""
		}
	}
	return scheme
}
