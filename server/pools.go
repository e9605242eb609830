package server

import (
	"errors"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/plasmite-go/plasmite/core"
)

// maxIdlePools is how many pools the cache keeps open while no request
// uses them.
const maxIdlePools = 64

// poolCache keeps pools open across requests, so that an append does not
// map the file again and keeps core's writer lease, and so that every
// stream of a pool shares one mapping (and its waiter). An entry is valid
// while the file at its path is the one it opened: every lookup compares
// the file's identity, so a pool deleted or replaced by another process is
// reopened, never served stale.
type poolCache struct {
	mu      sync.Mutex
	entries map[string]*poolEntry
	tick    uint64
	closed  bool
}

// poolEntry is one open pool. ops orders appends (shared) before a delete
// (exclusive), so that DELETE waits for an append in progress.
type poolEntry struct {
	path string
	pool *core.Pool
	id   fileID
	ops  sync.RWMutex
	gone atomic.Bool // deleted or replaced: no new operation may start

	refs     int    // guarded by poolCache.mu
	lastUsed uint64 // guarded by poolCache.mu
}

type fileID struct{ dev, ino uint64 }

func idOf(fi os.FileInfo) fileID {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fileID{uint64(st.Dev), uint64(st.Ino)}
	}
	return fileID{}
}

func newPoolCache() *poolCache { return &poolCache{entries: map[string]*poolEntry{}} }

// acquire returns the open pool at path, opening it if needed; release it
// when done. Errors are core.Open's (NotFound "not found", Corrupt, …).
func (c *poolCache) acquire(path string) (*poolEntry, error) {
	fi, statErr := os.Stat(path)
	c.mu.Lock()
	if e := c.entries[path]; e != nil {
		if statErr == nil && e.id == idOf(fi) {
			e.refs++
			c.tick++
			e.lastUsed = c.tick
			c.mu.Unlock()
			return e, nil
		}
		c.dropLocked(e)
	}
	c.mu.Unlock()
	if statErr != nil && errors.Is(statErr, fs.ErrNotExist) {
		return nil, &core.Error{Kind: core.NotFound, Message: "not found", Path: path}
	}
	p, err := core.Open(path, core.OpenOptions{})
	if err != nil {
		return nil, err
	}
	fresh := &poolEntry{path: path, pool: p, refs: 1}
	if fi, err := os.Stat(path); err == nil {
		fresh.id = idOf(fi)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		fresh.gone.Store(true)
		return fresh, nil // closed by release
	}
	if e := c.entries[path]; e != nil {
		if e.id == fresh.id {
			// Opened by another request meanwhile: use that one.
			e.refs++
			p.Close()
			return e, nil
		}
		c.dropLocked(e)
	}
	c.tick++
	fresh.lastUsed = c.tick
	c.entries[path] = fresh
	c.trimLocked()
	return fresh, nil
}

// lookup returns the entry open at path, if any (acquired), without
// opening anything.
func (c *poolCache) lookup(path string) *poolEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[path]
	if e != nil {
		e.refs++
	}
	return e
}

// release gives back an entry from acquire or lookup.
func (c *poolCache) release(e *poolEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.refs--
	if e.refs == 0 && e.gone.Load() {
		e.pool.Close()
	}
}

// drop removes e from the cache: no new operation starts on it, and its
// pool closes once the last request using it is done.
func (c *poolCache) drop(e *poolEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked(e)
}

func (c *poolCache) dropLocked(e *poolEntry) {
	if c.entries[e.path] == e {
		delete(c.entries, e.path)
	}
	if !e.gone.Swap(true) && e.refs == 0 {
		e.pool.Close()
	}
}

// trimLocked closes the least recently used idle pools beyond
// maxIdlePools.
func (c *poolCache) trimLocked() {
	for {
		idle := 0
		var oldest *poolEntry
		for _, e := range c.entries {
			if e.refs == 0 {
				idle++
				if oldest == nil || e.lastUsed < oldest.lastUsed {
					oldest = e
				}
			}
		}
		if idle <= maxIdlePools {
			return
		}
		c.dropLocked(oldest)
	}
}

// closeAll drops every entry; later acquires get pools that close when
// released.
func (c *poolCache) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for _, e := range c.entries {
		c.dropLocked(e)
	}
}
