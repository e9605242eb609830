// Package poolref turns what a user types to name a pool (a name, a path,
// or an http://, https:// or udp:// URL) into a pool to read and write,
// local or remote, behind one interface. Commands work on a Pool and never
// ask which kind they hold; a remote client plugs in by providing a
// RemoteOpener.
package poolref

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"

	"github.com/plasmite-go/plasmite/core"
)

// Pool is an open pool, local or remote: what the commands use. The
// methods mean what core.Pool's do; a remote pool reports errors as
// *core.Error with the server's kinds.
type Pool interface {
	Info() (core.Info, error)
	// Bounds are the retained seqs now ({0,0} when empty or unknown).
	Bounds() core.Bounds
	AppendJSON(data []byte, tags []string, d core.Durability) (core.Receipt, error)
	AppendBatch(b *core.Batch, d core.Durability, dst []core.Receipt) ([]core.Receipt, error)
	GetInto(seq uint64, buf []byte) (core.Message, error)
	Tail(o core.TailOptions) (Tail, error)
	Close() error
}

// Tail reads a pool's messages in seq order, as core.Tail does.
type Tail interface {
	Next(ctx context.Context) (core.Message, error)
	TryNext() (m core.Message, ok bool, err error)
	Close() error
}

// Scheme is the kind of a ref.
type Scheme uint8

const (
	Local Scheme = iota // a pool name (in the pool directory) or a file path
	HTTP                // http://host:port/<pool>
	HTTPS               // https://host:port/<pool>
	UDP                 // udp://host:port/<pool>
)

// Ref is a parsed pool reference.
type Ref struct {
	Text   string // as typed
	Scheme Scheme
	Path   string // Local: the pool file
}

// Remote says whether the ref names a pool behind a server.
func (r Ref) Remote() bool { return r.Scheme != Local }

// IsURL says whether text is written as a URL (contains "://"), which
// local-only commands refuse.
func IsURL(text string) bool { return strings.Contains(text, "://") }

// OpenOptions says how to open a pool.
type OpenOptions struct {
	ReadOnly bool // local: map read-only (a read-only file can be opened)
	// ReadOnlyIfNeeded (local) is for a reader that waits for appends
	// (follow): the pool is opened read-write when the file allows it, so
	// its waits take part in the writers' wake-up protocol, and read-only
	// when it does not (a file the user may only read, a read-only file
	// system), where waits poll the wake word instead.
	ReadOnlyIfNeeded bool

	NoNotify   bool  // local: poll instead of waiting for wake-ups
	Create     bool  // local: create the pool when it does not exist
	CreateSize int64 // size of a pool Create makes (0: core.DefaultPoolSize)
}

// RemoteOpener opens a remote ref (Scheme HTTP, HTTPS or UDP).
type RemoteOpener func(ref Ref, o OpenOptions) (Pool, error)

// Resolver resolves the refs one command is given.
type Resolver struct {
	Dir     string       // the pool directory for names
	Command string       // the command resolving, named in errors ("feed")
	Remote  RemoteOpener // nil: remote refs are refused
	// Base is what every local open starts from (the environment's
	// settings); OpenOptions add to it.
	Base core.OpenOptions
}

// CheckName refuses a ref no command accepts: the empty name (which would
// name the file ".plasmite" in the pool directory), with 1.2.1's Usage error.
func CheckName(text string) error {
	if text == "" || strings.IndexByte(text, 0) >= 0 {
		return &core.Error{Kind: core.Usage, Message: "pool name must be nonempty and must not contain NUL or a path prefix"}
	}
	return nil
}

// Parse reads a ref. The empty name (CheckName) is a Usage error, and so
// is a URL whose scheme is not http, https or udp, or any URL when the
// resolver has no RemoteOpener.
func (r *Resolver) Parse(text string) (Ref, error) {
	ref := Ref{Text: text}
	if err := CheckName(text); err != nil {
		return ref, err
	}
	switch {
	case strings.HasPrefix(text, "http://"):
		ref.Scheme = HTTP
	case strings.HasPrefix(text, "https://"):
		ref.Scheme = HTTPS
	case len(text) >= 6 && strings.EqualFold(text[:6], "udp://"):
		ref.Scheme = UDP
	case IsURL(text) && r.Remote != nil:
		return ref, &core.Error{Kind: core.Usage, Message: "pool ref must use http, https, or udp scheme",
			Hint: "Use http(s)://host:port/<pool> or udp://host:port/<pool>."}
	case IsURL(text):
		return ref, schemeError()
	default:
		ref.Path = r.Path(text)
		return ref, nil
	}
	if r.Remote == nil {
		if ref.Scheme == UDP {
			return ref, schemeError() // what this build has always said
		}
		return ref, &core.Error{Kind: core.Usage, Message: "remote pool refs are not yet supported by this build",
			Hint: "Use a local pool name or path; `" + r.Command + "` over HTTP comes with `serve`."}
	}
	if ref.Scheme != UDP {
		// The shorthand's shape is checked now, as the reference checks it
		// before the command's own options; the server's origin when the
		// pool is opened.
		if _, _, err := ParseRemote(ref); err != nil {
			return ref, err
		}
	}
	return ref, nil
}

func schemeError() error {
	return &core.Error{Kind: core.Usage, Message: "remote pool ref must use http or https scheme",
		Hint: "Use shorthand: http(s)://host:port/<pool>."}
}

// Path is the file of a local ref (see core.ResolveRef), for commands that
// work on local pools only.
func (r *Resolver) Path(text string) string { return core.ResolveRef(r.Dir, text) }

// Open opens the pool ref names. A local pool is opened read-write unless
// o.ReadOnly; with o.Create a missing one is created (a name's pool
// directory first). Errors are core's, or the RemoteOpener's.
func (r *Resolver) Open(ref Ref, o OpenOptions) (Pool, error) {
	if ref.Remote() {
		if r.Remote == nil {
			return nil, &core.Error{Kind: core.Usage, Message: "remote pool refs are not supported here"}
		}
		return r.Remote(ref, o)
	}
	p, err := r.openLocal(ref, o)
	if err != nil {
		return nil, err
	}
	return local{p}, nil
}

func (r *Resolver) openLocal(ref Ref, o OpenOptions) (*core.Pool, error) {
	open := r.Base
	open.ReadOnly = o.ReadOnly
	open.NoNotify = open.NoNotify || o.NoNotify
	p, err := core.Open(ref.Path, open)
	if err != nil && o.ReadOnlyIfNeeded && !o.ReadOnly && notWritable(err) {
		open.ReadOnly = true
		return core.Open(ref.Path, open)
	}
	if err == nil || !o.Create || o.ReadOnly || !errors.Is(err, core.NotFound) {
		return p, err
	}
	if !strings.ContainsRune(ref.Text, '/') {
		if err := MakeDir(r.Dir); err != nil {
			return nil, err
		}
	}
	p, err = core.CreateWith(ref.Path, core.CreateOptions{Size: o.CreateSize, Open: open})
	if errors.Is(err, core.AlreadyExists) { // lost a race with another creator
		p, err = core.Open(ref.Path, open)
	}
	return p, err
}

// MakeDir creates the pool directory dir (and its parents) if missing.
// Errors: Permission, NotFound or IO "failed to create pool directory".
func MakeDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &core.Error{Kind: KindOfOS(err), Message: "failed to create pool directory", Path: dir, Err: err}
	}
	return nil
}

// notWritable says whether an open failed only because the file may not
// be written: no permission, or a read-only file system.
func notWritable(err error) bool {
	return errors.Is(err, core.Permission) || errors.Is(err, syscall.EROFS)
}

// KindOfOS classifies an OS error: Permission, NotFound, else IO.
func KindOfOS(err error) core.Kind {
	if errors.Is(err, os.ErrPermission) {
		return core.Permission
	}
	if errors.Is(err, os.ErrNotExist) {
		return core.NotFound
	}
	return core.IO
}

// local is a local pool: a core.Pool whose Tail is a Tail.
type local struct{ *core.Pool }

func (l local) Tail(o core.TailOptions) (Tail, error) {
	t, err := l.Pool.Tail(o)
	if err != nil {
		return nil, err
	}
	return t, nil
}
