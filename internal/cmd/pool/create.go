package pool

import (
	"context"
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

// Create creates the pools named, in order, stopping at the first failure
// (the pools before it stay created), and reports them: JSON
// {"created":[<pool info>…]} (only when all were created), a table in a
// pipe, or a sentence on a terminal.
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
		n, err := cmdutil.ParseSize(*o.Size)
		if err != nil {
			return err
		}
		size = n
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
	pools := env.Pools("pool create")
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
				e.Message, e.Path = "pool already exists", path
				e.Hint = "Choose a different name or remove the existing pool file."
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
