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

// InfoOptions are `pool info`'s.
type InfoOptions struct {
	Name string
	JSON bool
}

// Info prints a pool's geometry, bounds and usage: the pool info document
// as JSON (or YAML), a key: value report in a pipe, or a summary on a
// terminal.
func Info(ctx context.Context, o *InfoOptions, env *cmdutil.Env) error {
	pools := env.Pools("pool info")
	ref, err := pools.Parse(o.Name)
	if err != nil {
		return err
	}
	if err := cmdutil.NoUDP(ref); err != nil {
		return err
	}
	pool, err := pools.Open(ref, poolref.OpenOptions{ReadOnly: true, NoNotify: true})
	if err != nil && ref.Remote() {
		return err // the server's, as 1.2.1 prints it
	}
	if err != nil {
		e := cmdutil.OpenError(err, o.Name, ref.Path)
		if e.Kind == core.NotFound {
			e.Path, e.Err, e.Message = "", nil, "not found"
		}
		return e
	}
	in, err := pool.Info()
	pool.Close()
	if err != nil {
		return err
	}
	now := time.Now()
	if env.JSONOut(o.JSON) {
		return env.EmitJSON(wire.InfoDocument(in, o.Name, now))
	}
	if !env.Stdout.TTY {
		return env.Stdout.WriteString(infoReport(o.Name, in, now))
	}
	return env.Stdout.WriteString(infoSummary(env, o.Name, in, now))
}

func messageCount(b core.Bounds) uint64 {
	if b.Newest == 0 {
		return 0
	}
	return b.Newest - b.Oldest + 1
}

// infoReport is the key: value form of pool info (stdout not a terminal).
func infoReport(ref string, in core.Info, now time.Time) string {
	var b strings.Builder
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	b.WriteString("Pool: " + ref + "\nPath: " + in.Path + "\n")
	b.WriteString("Size: " + u(in.FileSize) + " bytes (index: offset=" + u(in.IndexOffset) + " slots=" + u(in.IndexCapacity) + " bytes=" + u(in.IndexSizeBytes) + ", ring: offset=" + u(in.RingOffset) + " size=" + u(in.RingSize) + ")\n")
	if n := messageCount(in.Bounds); n == 0 {
		b.WriteString("Bounds: oldest=- newest=- count=0\n")
	} else {
		b.WriteString("Bounds: oldest=" + u(in.Bounds.Oldest) + " newest=" + u(in.Bounds.Newest) + " count=" + u(n) + "\n")
	}
	b.WriteString("Utilization: used=" + u(in.UsedBytes) + "B free=" + u(in.FreeBytes) + "B (" + strconv.FormatFloat(in.UsedPercent, 'f', 2, 64) + "%)\n")
	for _, row := range []struct {
		label string
		t     time.Time
	}{{"Oldest", in.OldestTime}, {"Newest", in.NewestTime}} {
		if row.t.IsZero() {
			b.WriteString(row.label + ": - (-)\n")
		} else {
			b.WriteString(row.label + ": " + cmdutil.RFC3339(row.t) + " (" + cmdutil.Ago(row.t, now) + ")\n")
		}
	}
	return b.String()
}

// infoSummary is the terminal form of pool info.
func infoSummary(env *cmdutil.Env, ref string, in core.Info, now time.Time) string {
	var b strings.Builder
	b.WriteString(ref + "\n")
	b.WriteString("  path:      " + env.RelToDir(in.Path) + "\n")
	b.WriteString("  size:      " + cmdutil.HumanBytes(in.FileSize) + " (" + cmdutil.HumanBytes(in.UsedBytes) + " used, " + strconv.FormatFloat(in.UsedPercent, 'f', 2, 64) + "%)\n")
	if n := messageCount(in.Bounds); n == 0 {
		b.WriteString("  messages:  empty\n  oldest:    —\n  newest:    —\n")
	} else {
		b.WriteString("  messages:  " + strconv.FormatUint(n, 10) + " (seq " + strconv.FormatUint(in.Bounds.Oldest, 10) + ".." + strconv.FormatUint(in.Bounds.Newest, 10) + ")\n")
		for _, row := range []struct {
			label string
			t     time.Time
		}{{"oldest", in.OldestTime}, {"newest", in.NewestTime}} {
			if row.t.IsZero() {
				b.WriteString("  " + row.label + ":    —\n")
			} else {
				b.WriteString("  " + row.label + ":    " + cmdutil.Ago(row.t, now) + " (" + cmdutil.RFC3339Secs(row.t) + ")\n")
			}
		}
	}
	b.WriteString("  index:     " + strconv.FormatUint(in.IndexCapacity, 10) + " slots (" + cmdutil.HumanBytes(in.IndexSizeBytes) + ")\n")
	b.WriteString("  ring:      " + cmdutil.HumanBytes(in.RingSize) + "\n")
	return b.String()
}
