package server

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/wire"
)

// Timings of /v0/ui/pools/stream, as 1.2.1's.
const (
	scanInterval      = 200 * time.Millisecond
	keepAliveInterval = 15 * time.Second
	// sseWriteTimeout bounds each write of a stream that has no deadline
	// of its own.
	sseWriteTimeout = 30 * time.Second
)

// listedPool is one pool of a directory listing.
type listedPool struct {
	name string
	info core.Info
}

// scanPools lists the directory's pools (ListPools) sorted by path.
func (s *Server) scanPools() ([]listedPool, error) {
	ents, err := ListPools(s.dir)
	if err != nil {
		return nil, err
	}
	out := make([]listedPool, len(ents))
	for i, e := range ents {
		out[i] = listedPool{name: e.Name, info: e.Info}
	}
	slices.SortFunc(out, func(a, b listedPool) int { return strings.Compare(a.info.Path, b.info.Path) })
	return out, nil
}

// ListPools lists the pools in dir sorted by name, as 1.2.1's listings
// do: a pool that vanished during the scan is left out, and any other pool
// that cannot be read fails the whole list (with that pool's error). Each
// entry's Info.Path is the pool's path as PoolPath spells it (following
// dir's spelling: relative when dir is). A missing dir is an empty list.
func ListPools(dir string) ([]core.PoolEntry, error) {
	ents, err := core.List(dir)
	if err != nil {
		return nil, err
	}
	out := ents[:0]
	for _, e := range ents {
		if e.Err != nil {
			if core.KindOf(e.Err) == core.NotFound {
				continue
			}
			return nil, e.Err
		}
		e.Info.Path = core.ResolveRef(dir, e.Name+".plasmite")
		out = append(out, e)
	}
	return out, nil
}

func (s *Server) listPools(w http.ResponseWriter, r *http.Request) {
	var pools []listedPool
	err := s.storage(func() (err error) {
		pools, err = s.scanPools()
		return err
	})
	if err != nil {
		fail(w, err)
		return
	}
	now := time.Now()
	docs := make([]any, len(pools))
	for i, p := range pools {
		docs[i] = wire.InfoDocument(p.info, p.name, now)
	}
	writeJSON(w, jsonfmt.AppendValue(nil, map[string]any{"pools": docs}, jsonfmt.Compact))
}

// ringOf is the "ring" member for the pool at path (null when it cannot
// be read).
func ringOf(path string) any {
	p, err := core.Open(path, core.OpenOptions{ReadOnly: true, NoNotify: true})
	if err != nil {
		return nil
	}
	defer p.Close()
	l, err := p.RingLayout(wire.RingMaxFrames)
	if err != nil {
		return nil
	}
	return wire.RingDocument(l)
}

// uiPool is one entry of the UI's pool list with its ring document.
type uiPool struct {
	listedPool
	ring any
}

// uiDocument renders {"pools":[info + ring, …]}.
func uiDocument(pools []uiPool, now time.Time) map[string]any {
	docs := make([]any, len(pools))
	for i, p := range pools {
		d := wire.InfoDocument(p.info, p.name, now)
		d["ring"] = p.ring
		docs[i] = d
	}
	return map[string]any{"pools": docs}
}

// scanUI lists the pools with their rings; prev's rings are reused for
// pools whose info did not change. changed reports whether anything but
// message ages differs from prev.
func (s *Server) scanUI(prev []uiPool) (pools []uiPool, changed bool, err error) {
	listed, err := s.scanPools()
	if err != nil {
		return nil, false, err
	}
	old := make(map[string]*uiPool, len(prev))
	for i := range prev {
		old[prev[i].info.Path] = &prev[i]
	}
	changed = prev == nil || len(listed) != len(prev)
	pools = make([]uiPool, len(listed))
	for i, l := range listed {
		pools[i].listedPool = l
		if o := old[l.info.Path]; o != nil && o.listedPool == l {
			pools[i].ring = o.ring
			continue
		}
		changed = true
		pools[i].ring = ringOf(l.info.Path)
	}
	return pools, changed, nil
}

func (s *Server) uiListPools(w http.ResponseWriter, r *http.Request) {
	var pools []uiPool
	err := s.storage(func() (err error) {
		pools, _, err = s.scanUI(nil)
		return err
	})
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, jsonfmt.AppendValue(nil, uiDocument(pools, time.Now()), jsonfmt.Compact))
}

// poolScanner is the one scanner shared by every /v0/ui/pools/stream
// subscriber: it rescans the directory every scanInterval while anyone
// listens, and publishes a new frame when something other than message
// ages changed.
type poolScanner struct {
	s *Server

	mu      sync.Mutex
	subs    int
	running bool
	pools   []uiPool
	frame   []byte        // the current "event: pools" frame
	changed chan struct{} // closed when frame is replaced
}

func newPoolScanner(s *Server) *poolScanner { return &poolScanner{s: s} }

// subscribe returns the current frame and the channel closed when it is
// replaced; the first subscriber's scan may fail (storage busy, an
// unreadable pool). Call unsubscribe when done.
func (ps *poolScanner) subscribe() ([]byte, <-chan struct{}, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if !ps.running {
		var pools []uiPool
		err := ps.s.storage(func() (err error) {
			pools, _, err = ps.s.scanUI(nil)
			return err
		})
		if err != nil {
			return nil, nil, err
		}
		ps.publishLocked(pools)
		ps.running = true
		go ps.loop()
	}
	ps.subs++
	return ps.frame, ps.changed, nil
}

func (ps *poolScanner) unsubscribe() {
	ps.mu.Lock()
	ps.subs--
	ps.mu.Unlock()
}

// current returns the latest frame and its change channel.
func (ps *poolScanner) current() ([]byte, <-chan struct{}) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.frame, ps.changed
}

func (ps *poolScanner) publishLocked(pools []uiPool) {
	ps.pools = pools
	frame := append([]byte("event: pools\ndata: "), jsonfmt.AppendValue(nil, uiDocument(pools, time.Now()), jsonfmt.Compact)...)
	ps.frame = append(frame, '\n', '\n')
	if ps.changed != nil {
		close(ps.changed)
	}
	ps.changed = make(chan struct{})
}

// loop rescans until nobody listens or the server stops. A failed rescan
// keeps the previous frame.
func (ps *poolScanner) loop() {
	t := time.NewTicker(scanInterval)
	defer t.Stop()
	for {
		select {
		case <-ps.s.stopping.Done():
		case <-t.C:
		}
		ps.mu.Lock()
		if ps.subs == 0 || ps.s.stopping.Err() != nil {
			ps.running = false
			ps.mu.Unlock()
			return
		}
		prev := ps.pools
		ps.mu.Unlock()
		var pools []uiPool
		var changed bool
		err := ps.s.storage(func() (err error) {
			pools, changed, err = ps.s.scanUI(prev)
			return err
		})
		if err == nil && changed {
			ps.mu.Lock()
			ps.publishLocked(pools)
			ps.mu.Unlock()
		}
	}
}

var sseKeepAlive = []byte(": keep-alive\n\n")

// uiPoolStream sends the pool list as SSE "pools" frames: one at once, then
// one per change, with a keep-alive comment every 15 s. It never sends an
// error event, has no deadline and takes no tail permit.
func (s *Server) uiPoolStream(w http.ResponseWriter, r *http.Request) {
	frame, changed, err := s.scanner.subscribe()
	if err != nil {
		fail(w, err)
		return
	}
	defer s.scanner.unsubscribe()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(s.stopping, cancel)()
	rc := http.NewResponseController(w)
	streamHeaders(w, r, encSSE)
	w.WriteHeader(http.StatusOK)
	keepAlive := time.NewTicker(keepAliveInterval)
	defer keepAlive.Stop()
	send := func(b []byte) bool {
		rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	for send(frame) {
		select {
		case <-changed:
			frame, changed = s.scanner.current()
		case <-keepAlive.C:
			frame = sseKeepAlive
		case <-ctx.Done():
			rc.SetWriteDeadline(time.Now().Add(time.Second))
			return
		}
	}
}

// browserSession answers the web UI's first question on the local
// listener: no login is needed here.
func (s *Server) browserSession(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, []byte(`{"authenticated":true,"local":true}`))
}
