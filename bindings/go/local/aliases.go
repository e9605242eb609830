package local

import "github.com/plasmite-go/plasmite/bindings/go/api"

// ErrorKind is the stable classification of an error (see api.ErrorKind).
type ErrorKind = api.ErrorKind

// The nine error kinds (see package api).
const (
	ErrorInternal      ErrorKind = api.ErrorInternal
	ErrorUsage         ErrorKind = api.ErrorUsage
	ErrorNotFound      ErrorKind = api.ErrorNotFound
	ErrorAlreadyExists ErrorKind = api.ErrorAlreadyExists
	ErrorBusy          ErrorKind = api.ErrorBusy
	ErrorPermission    ErrorKind = api.ErrorPermission
	ErrorCorrupt       ErrorKind = api.ErrorCorrupt
	ErrorIO            ErrorKind = api.ErrorIO
	ErrorRetentionGap  ErrorKind = api.ErrorRetentionGap
)

// Error is the error type of every failure the engine reports (see api.Error).
type Error = api.Error

// The sentinels wrapped by closed-handle and bad-argument errors (see package
// api); test with errors.Is.
var (
	ErrClosed          = api.ErrClosed
	ErrInvalidArgument = api.ErrInvalidArgument
)

// Durability says how far an append is pushed before it returns.
type Durability = api.Durability

// The two durabilities (see package api).
const (
	DurabilityFast  Durability = api.DurabilityFast
	DurabilityFlush Durability = api.DurabilityFlush
)

// PoolRef names a pool: a name, a file path or a URI (see api.PoolRef).
type PoolRef = api.PoolRef

// PoolRefName returns the reference of the pool called name in the client's
// directory.
func PoolRefName(name string) PoolRef { return api.PoolRefName(name) }

// PoolRefPath returns the reference of the pool file at path.
func PoolRefPath(path string) PoolRef { return api.PoolRefPath(path) }

// PoolRefURI returns the reference of the pool at uri,
// "http://host:port/POOL": the pool POOL of a `plasmite serve` server. Plain
// http:// reaches only the local machine (another host is ErrorUsage);
// https:// needs an access key, which this binding does not take yet
// (ErrorPermission).
func PoolRefURI(uri string) PoolRef { return api.PoolRefURI(uri) }

// Message is one stored message (see api.Message).
type Message = api.Message

// Lite3Frame is one stored message in binary form (see api.Lite3Frame).
type Lite3Frame = api.Lite3Frame

// TailOptions configures Pool.Tail and Pool.TailLite3 (see api.TailOptions).
type TailOptions = api.TailOptions

// ReplayOptions configures Pool.Replay (see api.ReplayOptions).
type ReplayOptions = api.ReplayOptions

// AppendOption is an option of Pool.Append.
type AppendOption = api.AppendOption

// WithDurability sets an append's durability (the default is DurabilityFast).
func WithDurability(d Durability) AppendOption { return api.WithDurability(d) }

var (
	_ api.Client             = (*Client)(nil)
	_ api.Pool               = (*Pool)(nil)
	_ api.Stream             = (*Stream)(nil)
	_ api.Lite3Stream        = (*Lite3Stream)(nil)
	_ api.ContextStream      = (*Stream)(nil)
	_ api.ContextLite3Stream = (*Lite3Stream)(nil)
)
