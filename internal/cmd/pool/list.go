package pool

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/poolref"
	"github.com/plasmite-go/plasmite/wire"
)

// ListOptions are `pool list`'s.
type ListOptions struct {
	Server *string // a server's origin, for its pools
	JSON   bool
}

// List prints the pools of the pool directory: the pool list document as
// JSON (or YAML), a table of every pool, or, on a terminal when all could
// be read, a summary table. Pools that cannot be read are listed with their
// error and the listing still succeeds; a pool directory that cannot be
// read (not a directory, no permission) is an Io error, as in 1.2.1. A
// missing one holds no pools.
func List(ctx context.Context, o *ListOptions, env *cmdutil.Env) error {
	if o.Server != nil {
		return listRemote(ctx, *o.Server, o, env)
	}
	dir := env.PoolDir()
	ents, err := core.List(dir)
	if err != nil {
		e := wire.ErrorOf(err)
		return &core.Error{Kind: core.IO, Message: "failed to read pool directory", Path: dir, Err: e.Err}
	}
	var items []map[string]any
	var rows []row
	anyErr := false
	for _, e := range ents {
		e.Path = core.ResolveRef(dir, e.Name+".plasmite") // as typed, like 1.2.1
		if e.Err != nil {
			ce := listedError(e.Err, e.Path)
			items = append(items, wire.ListError(e.Name, e.Path, ce))
			rows = append(rows, row{e, ce})
			anyErr = true
			continue
		}
		items = append(items, wire.ListEntry(e))
		rows = append(rows, row{e, nil})
	}
	return emitList(env, o, items, rows, anyErr, "")
}

// row is one pool of a listing, or the error it could not be read with.
type row struct {
	e   core.PoolEntry
	err *core.Error
}

// listRemote lists a server's pools as 1.2.1 does: names from the server's
// file names, sorted, no mtime, the server's paths as they are.
func listRemote(ctx context.Context, server string, o *ListOptions, env *cmdutil.Env) error {
	if len(server) >= 6 && strings.EqualFold(server[:6], "udp://") {
		return cmdutil.UsageError("this command does not support UDP pool refs", "Use udp://HOST:PORT/POOL with feed, follow, or duplex.")
	}
	c, err := poolref.RemoteClient(server, env.Connections())
	if err != nil {
		return err
	}
	defer c.Close()
	ents, err := c.List(ctx)
	if err != nil {
		return err
	}
	for i := range ents {
		file := ents[i].Path[strings.LastIndexAny(ents[i].Path, `/\`)+1:] // the server's separators
		ents[i].Name = strings.TrimSuffix(file, ".plasmite")
	}
	sort.SliceStable(ents, func(i, j int) bool { return ents[i].Name < ents[j].Name })
	items := make([]map[string]any, len(ents))
	rows := make([]row, len(ents))
	for i, e := range ents {
		items[i], rows[i] = wire.ListEntry(e), row{e, nil}
	}
	return emitList(env, o, items, rows, false, server)
}

// emitList prints a listing: the document as JSON (or YAML), a summary
// table on a terminal when every pool could be read, else the full table.
// server is the origin of a remote listing ("" for the pool directory).
func emitList(env *cmdutil.Env, o *ListOptions, items []map[string]any, rows []row, anyErr bool, server string) error {
	if env.JSONOut(o.JSON) {
		return env.EmitJSON(wire.ListDocument(items))
	}
	now := time.Now()
	path := env.RelToDir
	if server != "" {
		path = func(p string) string { return p }
	}
	if env.Stdout.TTY && !anyErr {
		if len(rows) == 0 && server != "" {
			return env.Stdout.WriteString("No pools found at " + cmdutil.HumanLiteral(server) + "\n")
		}
		if len(rows) == 0 {
			return env.Stdout.WriteString("No pools found in " + env.DirDisplay() + "\n\n  Create one: plasmite pool create <name>\n")
		}
		t := [][]string{{"NAME", "SIZE", "MSGS", "MODIFIED", "PATH"}}
		for _, r := range rows {
			mod := "-"
			if !r.e.ModTime.IsZero() {
				mod = cmdutil.Ago(r.e.ModTime, now)
			}
			t = append(t, []string{r.e.Name, cmdutil.HumanBytes(r.e.Info.FileSize), strconv.FormatUint(messageCount(r.e.Info.Bounds), 10), mod, path(r.e.Path)})
		}
		return env.Stdout.WriteString(cmdutil.Table(t))
	}
	t := [][]string{{"NAME", "STATUS", "SIZE", "OLDEST", "NEWEST", "MTIME", "PATH", "DETAIL"}}
	for _, r := range rows {
		if r.err != nil {
			t = append(t, []string{r.e.Name, "ERR", "-", "-", "-", "-", path(r.e.Path), r.err.Message})
			continue
		}
		old, nw := "-", "-"
		if r.e.Info.Bounds.Newest != 0 {
			old = strconv.FormatUint(r.e.Info.Bounds.Oldest, 10)
			nw = strconv.FormatUint(r.e.Info.Bounds.Newest, 10)
		}
		mt := "-"
		if !r.e.ModTime.IsZero() {
			mt = cmdutil.RFC3339(r.e.ModTime)
		}
		t = append(t, []string{r.e.Name, "OK", strconv.FormatUint(r.e.Info.FileSize, 10), old, nw, mt, path(r.e.Path), ""})
	}
	return env.Stdout.WriteString(cmdutil.Table(t))
}

// listedError is the error of a pool that cannot be read, as 1.2.1 lists
// it: with the path as typed when reading the file failed, without one
// when the header it read is invalid (its geometry checks name no file).
func listedError(err error, path string) *core.Error {
	e := wire.ErrorOf(err)
	if e.Kind == core.Corrupt && e.Err == nil {
		e.Path = ""
	} else {
		e.Path = path
	}
	return e
}
