package local

import (
	"errors"
	"os"
	"path/filepath"
	"sync"

	"github.com/plasmite-go/plasmite/bindings/go/api"
	"github.com/plasmite-go/plasmite/bindings/go/internal/backend"
)

// Client opens pools in one directory. It is safe for concurrent use and
// must not be copied. The zero Client is closed.
type Client struct {
	mu   sync.RWMutex // held for reading by calls, for writing by Close
	open bool
	dir  backend.Dir
}

// NewClient returns a client whose pool names resolve in poolDir
// ("events" is poolDir/events.plasmite). The directory need not exist yet:
// creating a pool creates it. An empty poolDir wraps ErrInvalidArgument.
func NewClient(poolDir string) (*Client, error) {
	if poolDir == "" {
		return nil, api.InvalidArgumentError("poolDir is required")
	}
	return &Client{open: true, dir: backend.Dir(poolDir)}, nil
}

// NewDefaultClient returns a client of DefaultPoolDir().
func NewDefaultClient() (*Client, error) {
	return NewClient(DefaultPoolDir())
}

// DefaultPoolDir returns the default pool directory: ~/.plasmite/pools, or
// plasmite/pools in the temporary directory when the home directory is
// unknown.
func DefaultPoolDir() string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return filepath.Join(os.TempDir(), "plasmite", "pools")
	}
	return filepath.Join(home, ".plasmite", "pools")
}

// Close releases the client once the calls in progress have returned. Pools
// it opened stay open. Closing twice is a no-op.
func (c *Client) Close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.open = false
	c.mu.Unlock()
}

// with runs do with the backend that serves ref, the client read-locked so
// that Close waits for it, and wraps the pool it opens in a handle.
func (c *Client) with(ref PoolRef, do func(o backend.Opener, ref string) (backend.Pool, error)) (api.Pool, error) {
	if c == nil {
		return nil, api.ClosedError("client")
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if !c.open {
		return nil, api.ClosedError("client")
	}
	var o backend.Opener = c.dir
	r := string(ref)
	switch {
	case r == "":
		return nil, api.InvalidArgumentError("pool ref is required")
	case backend.IsRemote(r):
		o = backend.Remote
	case backend.Scheme(r) != "":
		return nil, &Error{Kind: ErrorUsage, Message: "pool ref " + r + " has an unsupported scheme: use a pool name, a file path or an http(s) URI"}
	}
	p, err := do(o, r)
	if err != nil {
		return nil, err
	}
	return newPool(p), nil
}

// CreatePool creates the pool ref, of sizeBytes bytes (0 means 1 MiB), and
// opens it; the pool directory is created if needed. An existing pool is
// ErrorAlreadyExists, a size too small for a pool is ErrorUsage. An empty
// ref wraps ErrInvalidArgument, a closed client ErrClosed.
func (c *Client) CreatePool(ref PoolRef, sizeBytes uint64) (api.Pool, error) {
	if sizeBytes == 0 {
		sizeBytes = api.DefaultPoolSizeBytes
	}
	return c.with(ref, func(o backend.Opener, ref string) (backend.Pool, error) { return o.Create(ref, sizeBytes) })
}

// OpenPool opens the existing pool ref. A missing pool is ErrorNotFound
// (with its path); a file that is not a pool is ErrorCorrupt. An empty ref
// wraps ErrInvalidArgument, a closed client ErrClosed.
func (c *Client) OpenPool(ref PoolRef) (api.Pool, error) {
	return c.with(ref, backend.Opener.Open)
}

// Pool opens the pool ref, creating it with sizeBytes (0 means 1 MiB) when
// it does not exist; an existing pool keeps its size. When another process
// creates the pool at the same moment, Pool opens that one. Errors as
// OpenPool and CreatePool.
func (c *Client) Pool(ref PoolRef, sizeBytes uint64) (api.Pool, error) {
	for attempt := 0; ; attempt++ {
		p, err := c.OpenPool(ref)
		if kindOf(err) != ErrorNotFound {
			return p, err
		}
		p, err = c.CreatePool(ref, sizeBytes)
		if kindOf(err) != ErrorAlreadyExists || attempt > 0 {
			return p, err
		}
	}
}

// kindOf returns the kind of an *Error in err's chain, 0 for any other error.
func kindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}
