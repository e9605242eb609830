package pool

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/poolref"
	"github.com/plasmite-go/plasmite/wire"
)

// CreateOptions are `pool create`'s.
type CreateOptions struct {
	Names         []string
	Size          *string // --size; nil: 1M
	IndexCapacity *uint32 // --index-capacity; nil: automatic
	JSON          bool
}

// Create creates the pools named, in order, and reports them: JSON
// {"created":[<pool info>…]} (only when all were created), a table in a
// pipe, or a sentence on a terminal. As in 1.2.1, every name is checked
// first (a URL, the empty name, a pool that exists, a name given twice):
// then nothing is created. Only a failure while creating (or a creator
// racing us) stops part-way, with the pools before it created.
func Create(ctx context.Context, o *CreateOptions, env *cmdutil.Env) error {
	for _, name := range o.Names {
		if strings.HasPrefix(name, "udp://") {
			return cmdutil.UsageError("this command does not support UDP pool refs", "Use udp://HOST:PORT/POOL with feed, follow, or duplex.")
		}
	}
	for _, name := range o.Names {
		if poolref.IsURL(name) {
			return cmdutil.UsageError("pool create accepts local pool names or paths only", "Create a pool on the server with its local CLI.")
		}
	}
	size := int64(core.DefaultPoolSize)
	if o.Size != nil {
		n, err := cmdutil.ParsePoolSize(*o.Size)
		if err != nil {
			return err
		}
		size = n
	}
	pools := env.Pools("pool create")
	if err := checkNames(pools, o.Names); err != nil {
		return err
	}
	opts := core.CreateOptions{Size: size, Open: env.Open}
	if ic := o.IndexCapacity; ic != nil {
		if int64(*ic)*16 > size/2 {
			return cmdutil.UsageError("index capacity is too large for pool size", "Reduce --index-capacity or increase --size (index region must be <= 50% of the pool file).")
		}
		opts.IndexCapacity = ic
	}
	if err := poolref.MakeDir(env.PoolDir()); err != nil {
		return err
	}
	var created []any
	var infos []core.Info
	now := time.Now()
	var firstErr error
	for _, name := range o.Names {
		path := pools.Path(name)
		pool, err := core.CreateWith(path, opts)
		if err != nil {
			e := wire.ErrorOf(err)
			if e.Kind == core.Usage {
				e.Path = "" // size problems are not about a file
			}
			if e.Kind == core.AlreadyExists {
				e = existsError(path)
			}
			firstErr = e
			break
		}
		in, err := pool.Info()
		pool.Close()
		if err != nil {
			firstErr = err
			break
		}
		infos = append(infos, in)
		created = append(created, wire.InfoDocument(in, name, now))
	}
	if len(created) == 0 && firstErr != nil {
		return firstErr
	}
	var err error
	switch {
	case env.JSONOut(o.JSON):
		if firstErr == nil {
			err = env.EmitJSON(map[string]any{"created": created})
		}
	case !env.Stdout.TTY:
		t := [][]string{{"NAME", "SIZE", "INDEX", "PATH"}}
		for i, in := range infos {
			t = append(t, []string{o.Names[i], strconv.FormatUint(in.FileSize, 10), strconv.FormatUint(in.IndexCapacity, 10), env.RelToDir(in.Path)})
		}
		err = env.Stdout.WriteString(cmdutil.Table(t))
	case len(infos) == 1:
		err = env.Stdout.WriteString("Created " + o.Names[0] + " (" + cmdutil.HumanBytes(infos[0].FileSize) + ", " +
			strconv.FormatUint(infos[0].IndexCapacity, 10) + " index slots)\n  path: " + env.RelToDir(infos[0].Path) + "\n")
	default:
		var b strings.Builder
		b.WriteString("Created " + strconv.Itoa(len(infos)) + " pools (" + cmdutil.HumanBytes(uint64(size)) + " each)\n")
		for i, in := range infos {
			b.WriteString("  - " + o.Names[i] + " (" + env.RelToDir(in.Path) + ")\n")
		}
		err = env.Stdout.WriteString(b.String())
	}
	if err != nil {
		return err
	}
	return firstErr
}

// checkNames refuses, before anything is created, what would make one of
// the pools fail: a URL (1.2.1's words: a UDP ref is named as such), the
// empty name, and a pool file that exists or is named twice.
func checkNames(pools *poolref.Resolver, names []string) error {
	for _, name := range names {
		if len(name) >= 6 && strings.EqualFold(name[:6], "udp://") {
			return cmdutil.UsageError("this command does not support UDP pool refs", "Use udp://HOST:PORT/POOL with feed, follow, or duplex.")
		}
	}
	for _, name := range names {
		if poolref.IsURL(name) {
			return cmdutil.UsageError("pool create accepts local pool names or paths only", "Create a pool on the server with its local CLI.")
		}
		if err := poolref.CheckName(name); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for _, name := range names {
		path := pools.Path(name)
		if _, err := os.Lstat(path); err == nil || seen[filepath.Clean(path)] {
			return existsError(path)
		}
		seen[filepath.Clean(path)] = true
	}
	return nil
}

// existsError is 1.2.1's error for a pool file that is already there.
func existsError(path string) *core.Error {
	return &core.Error{Kind: core.AlreadyExists, Message: "pool already exists", Path: path,
		Hint: "Choose a different name or remove the existing pool file."}
}
