package core

import (
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// mapping is a pool file's shared memory mapping. It is shared by a Pool and
// the Tails opened from it, and unmapped when the last of them closes.
type mapping struct {
	data   []byte // the whole file
	ring   []byte // data[ringOff : ringOff+ringSize]
	geo    header // geometry as validated at open (cursor fields unused)
	notify *notifier
	// watch is the one waiter of the tails of this mapping; pollWatch that
	// of its tails opened with TailOptions.NoNotify (watch.go).
	watch, pollWatch *watch
	refs             atomic.Int32
	readOnly         bool
}

func (m *mapping) acquire() { m.refs.Add(1) }

func (m *mapping) release() error {
	if m.refs.Add(-1) != 0 {
		return nil
	}
	m.closeWatches()
	m.notify.close()
	if err := unmapFile(m.data); err != nil {
		return &Error{Kind: IO, Message: "failed to unmap pool", Err: err}
	}
	return nil
}

// Pool is an open pool file. A Pool is safe for concurrent use by multiple
// goroutines; appends from any number of Pools and processes are serialized by
// an exclusive lock (flock) on the file.
type Pool struct {
	path string
	f    *os.File
	fd   int
	m    *mapping

	// life guards the mapping against Close while a Get is running.
	life   sync.RWMutex
	closed atomic.Bool

	mu      sync.Mutex // serializes this Pool's appends and the lease
	lease   lease
	noLease bool // OpenOptions.NoWriterLease
}

// testNotifyOff, set only by this package's tests (from PLASMITE_NOTIFY=off,
// for make test-nonotify), turns wake-ups off for every handle, as
// OpenOptions.NoNotify does for one.
var testNotifyOff bool

// osError turns an OS error into an *Error with the kind its errno implies.
func osError(err error, path, msg string) *Error {
	k := IO
	switch {
	case errors.Is(err, fs.ErrNotExist):
		k = NotFound
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		k = Permission
	case errors.Is(err, fs.ErrExist):
		k = AlreadyExists
	}
	return &Error{Kind: k, Message: msg, Path: path, Err: unwrapPathError(err)}
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Create creates a pool file of size bytes (DefaultPoolSize when size is 0)
// at path, creating parent directories, and opens it. The file's space is
// allocated up front where the filesystem can (release 1.2.1 leaves it
// sparse), so that a full disk fails the create (IO, "no space left on
// device") rather than a later append. It never touches an existing file:
// that is AlreadyExists. A size too small for the header and index is Usage
// (and creates nothing); directory or file creation failures are NotFound,
// Permission or IO.
func Create(path string, size int64) (*Pool, error) {
	return CreateWith(path, CreateOptions{Size: size})
}

// CreateOptions tunes CreateWith. The zero value is Create's default: 1 MiB
// with an automatically sized index.
type CreateOptions struct {
	Size int64 // file size in bytes; 0 means DefaultPoolSize
	// IndexCapacity, when not nil, replaces the automatic number of 16-byte
	// index slots (0 = no index: get by seq then scans).
	IndexCapacity *uint32
	// Open sets how the returned handle behaves, as for Open; Open.ReadOnly
	// must be false (Usage).
	Open OpenOptions
}

// CreateWith is Create with explicit geometry. Same guarantees and errors.
func CreateWith(path string, o CreateOptions) (*Pool, error) {
	size := o.Size
	if size == 0 {
		size = DefaultPoolSize
	}
	if size < 0 {
		return nil, &Error{Kind: Usage, Message: "invalid size", Path: path}
	}
	if o.Open.ReadOnly {
		return nil, &Error{Kind: Usage, Message: "a pool cannot be created read-only", Path: path}
	}
	indexCap := autoIndexCapacity(uint64(size))
	if o.IndexCapacity != nil {
		indexCap = *o.IndexCapacity
	}
	h, err := newHeader(uint64(size), indexCap)
	if err != nil {
		err.(*Error).Path = path
		return nil, err
	}
	if dir := filepath.Dir(path); dir != "." && dir != "" {
		if err := os.MkdirAll(dir, 0o777); err != nil {
			e := osError(err, dir, "failed to create pool directory")
			if e.Kind == Permission {
				e.Message = "failed to create pool directory (permission denied)"
			}
			return nil, e
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, defaultPoolPerms)
	if err != nil {
		e := osError(err, path, "failed to create pool file")
		switch e.Kind {
		case AlreadyExists:
			e.Message, e.Hint, e.Err = "pool already exists", "Choose a different name or delete the existing pool first.", nil
		case NotFound:
			e.Message = "parent directory not found"
		case Permission:
			e.Message = "failed to create pool file (permission denied)"
		}
		return nil, e
	}
	fail := func(e *Error) (*Pool, error) {
		f.Close()
		os.Remove(path)
		return nil, e
	}
	if err := f.Truncate(size); err != nil {
		return fail(osError(err, path, "failed to size pool file"))
	}
	if err := preallocate(f, size); err != nil {
		e := osError(err, path, "failed to allocate pool file")
		if isNoSpace(err) {
			e.Message, e.Hint = "no space left on device for a pool of "+strconv.FormatInt(size, 10)+" bytes", "Free space on that filesystem, or choose a smaller --size."
		}
		return fail(e)
	}
	if _, err := f.WriteAt(h.encode(), 0); err != nil {
		return fail(osError(err, path, "failed to write pool header"))
	}
	p, e := attach(f, path, h, o.Open)
	if e != nil {
		return fail(e)
	}
	return p, nil
}

// Open opens an existing pool file after checking its header.
// Missing file → NotFound; no access → Permission; bad header or geometry →
// Corrupt; another format version → Usage (with a hint); other OS errors → IO.
// With opts.ReadOnly the file is opened and mapped read-only, which works on
// files the caller cannot write.
func Open(path string, opts OpenOptions) (*Pool, error) {
	flag := os.O_RDWR
	if opts.ReadOnly {
		flag = os.O_RDONLY
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return nil, openFailure(err, path)
	}
	h, e := readHeader(f, path)
	if e != nil && e.Kind == Corrupt && !opts.ReadOnly && repairOnOpen(f) {
		h, e = readHeader(f, path)
	}
	if e != nil {
		f.Close()
		return nil, e
	}
	p, e := attach(f, path, h, opts)
	if e != nil {
		f.Close()
		return nil, e
	}
	return p, nil
}

// openFailure is the error for a pool file that cannot be opened.
func openFailure(err error, path string) *Error {
	e := osError(err, path, "failed to open pool")
	switch e.Kind {
	case NotFound:
		e.Message, e.Err = "not found", nil
	case Permission:
		e.Message = "permission denied"
	}
	return e
}

// repairOnOpen finishes an interrupted header publish (see repairHeader) in
// a pool whose header does not validate. It reports whether it changed
// anything.
func repairOnOpen(f *os.File) bool {
	var buf [headerSize]byte
	if _, err := f.ReadAt(buf[:], 0); err != nil || [4]byte(buf[:4]) != poolMagic {
		return false
	}
	if binary.LittleEndian.Uint64(buf[hJournal:]) == 0 {
		return false
	}
	ok, _ := tryLockFile(int(f.Fd()))
	if !ok {
		return false
	}
	defer unlockFile(int(f.Fd()))
	m, err := mapFile(f, headerSize, false)
	if err != nil {
		return false
	}
	repairHeader(m)
	unmapFile(m)
	return true
}

// readHeader reads, decodes and validates the header of an open pool file.
func readHeader(f *os.File, path string) (header, *Error) {
	st, err := f.Stat()
	if err != nil {
		return header{}, osError(err, path, "failed to stat pool file")
	}
	buf := make([]byte, headerSize)
	if _, err := f.ReadAt(buf, 0); err != nil {
		if errors.Is(err, io.EOF) {
			return header{}, &Error{Kind: Corrupt, Message: "pool file too short for header", Path: path, Err: err}
		}
		return header{}, osError(err, path, "failed to read pool header")
	}
	h, err := decodeHeader(buf)
	if err == nil {
		err = h.validate(uint64(st.Size()))
	}
	if err != nil {
		e := err.(*Error)
		e.Path = path
		return header{}, e
	}
	return h, nil
}

func attach(f *os.File, path string, h header, opts OpenOptions) (*Pool, *Error) {
	data, err := mapFile(f, h.FileSize, opts.ReadOnly)
	if err != nil {
		return nil, &Error{Kind: IO, Message: "failed to map pool file", Path: path, Err: err}
	}
	m := &mapping{data: data, ring: data[h.RingOffset : h.RingOffset+h.RingSize : h.RingOffset+h.RingSize], geo: h, readOnly: opts.ReadOnly}
	m.geo.cursors = cursors{}
	m.notify = openNotifier(path, data[:headerSize:headerSize], !opts.ReadOnly,
		notifyOptions{off: opts.NoNotify, semaphore: !opts.NoSemaphore})
	m.initWatches()
	m.refs.Store(1)
	p := &Pool{path: path, f: f, fd: int(f.Fd()), m: m, noLease: opts.NoWriterLease}
	p.lease.init(p)
	if !opts.ReadOnly && load64(data, hJournal) != 0 {
		// A writer died mid-publish; finish its header update now rather
		// than at our first append, so that readers see a consistent pool.
		if ok, _ := tryLockFile(p.fd); ok {
			repairHeader(data)
			unlockFile(p.fd)
		}
	}
	return p, nil
}

// Close releases the lock if held, the file and this Pool's use of the
// mapping. Tails opened from the pool stay usable until closed themselves.
// Closing twice is a no-op. Errors: IO.
func (p *Pool) Close() error {
	p.life.Lock()
	if p.closed.Swap(true) {
		p.life.Unlock()
		return nil
	}
	p.life.Unlock()
	p.mu.Lock()
	p.lease.stop()
	p.mu.Unlock()
	err1 := p.f.Close()
	err2 := p.m.release()
	if err2 != nil {
		return err2
	}
	if err1 != nil {
		return &Error{Kind: IO, Message: "failed to close pool file", Path: p.path, Err: err1}
	}
	return nil
}

var errClosed = &Error{Kind: Usage, Message: "pool is closed"}

// Path returns the pool file path as given to Create or Open.
func (p *Pool) Path() string { return p.path }

// Bounds returns the retained sequence range right now ({0,0} when empty or
// after Close).
func (p *Pool) Bounds() (b Bounds) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			faultError(r, p.path)
			b = Bounds{}
		}
	}()
	p.life.RLock()
	defer p.life.RUnlock()
	if p.closed.Load() {
		return Bounds{}
	}
	c := loadCursors(p.m.data)
	if c.Oldest == 0 {
		return Bounds{}
	}
	return Bounds{Oldest: c.Oldest, Newest: c.Newest}
}

// ResolveRef turns a pool reference into a file path: a reference containing a
// path separator is a path; otherwise NAME means dir/NAME.plasmite (a name
// already ending in .plasmite is not suffixed again). dir "" means the
// current directory (for the usual default, pass DefaultDir(home)).
func ResolveRef(dir, ref string) string {
	if strings.ContainsRune(ref, '/') || strings.ContainsRune(ref, filepath.Separator) {
		return ref
	}
	if dir == "" {
		dir = "."
	}
	if !strings.HasSuffix(ref, ".plasmite") {
		ref += ".plasmite"
	}
	// dir is kept as given (not cleaned), so a path prints as the user typed
	// it: "--dir ./p" gives "./p/x.plasmite", as the reference prints it.
	if strings.HasSuffix(dir, "/") {
		return dir + ref
	}
	return dir + "/" + ref
}

// DefaultDir returns the default directory of named pools for a user whose
// home directory is home: home/.plasmite/pools (".plasmite/pools" when home
// is empty). The CLI and the C library pass $HOME.
func DefaultDir(home string) string {
	if home == "" {
		return filepath.Join(".plasmite", "pools")
	}
	return filepath.Join(home, ".plasmite", "pools")
}

// Delete removes a pool file (a plain unlink: processes that have it open keep
// their mapping) and its wake-up semaphore in /dev/shm, if any. Missing →
// NotFound; not allowed → Permission; else IO.
func Delete(path string) error {
	sem := semaphorePath(path)
	if err := os.Remove(path); err != nil {
		e := osError(err, path, "failed to delete pool")
		if e.Kind == NotFound {
			e.Message, e.Err = "not found", nil
		}
		return e
	}
	// The pool's wake-up semaphore (shared with the reference, which never
	// removes it) goes with the pool, so /dev/shm does not fill up with the
	// semaphores of deleted pools. A follower still holding it just polls.
	if sem != "" {
		os.Remove(sem)
	}
	return nil
}

// faultError converts the panic raised by a memory fault on the mapping
// (the pool file was truncated while mapped, its filesystem is full, or the
// device failed: see faultCause) into an IO error. Any other panic is a bug
// and is re-raised.
func faultError(r any, path string) error {
	if _, ok := r.(interface{ Addr() uintptr }); ok {
		return faultCause(path)
	}
	panic(r)
}
