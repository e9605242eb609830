// Package doctor is the `doctor` command: validate pools without changing
// them, or (--repair) salvage one damaged pool in place.
package doctor

import (
	"context"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/poolref"
	"github.com/plasmite-go/plasmite/wire"
)

// Options are doctor's.
type Options struct {
	Pool  *string // nil with All
	All   bool
	Quick bool // headers and frames only, not payloads
	JSON  bool
	// Repair salvages the pool instead of only checking it (repair.go);
	// NoBackup and DryRun apply to it.
	Repair, NoBackup, DryRun bool
}

// Command declares doctor; its Run runs Run with the options parsed and env.
func Command(env *cmdutil.Env) *clap.Command {
	o := &Options{}
	return &clap.Command{
		Name: "doctor", About: "Diagnose pool health", HelpIfEmpty: true,
		Usage: "doctor [OPTIONS] <POOL|--all>",
		Args:  []clap.Arg{{Name: "POOL", Help: "Pool name or path", Into: clap.OptString(&o.Pool)}},
		Flags: []clap.Flag{
			{Long: "all", Help: "Check every pool in the pool directory", Into: clap.Bool(&o.All)},
			{Long: "quick", Help: "Check headers and frames only, not message payloads", Into: clap.Bool(&o.Quick)},
			{Long: "repair", Help: "Salvage a damaged pool in place: keep every readable message, drop the rest, report the seqs lost", Into: clap.Bool(&o.Repair)},
			{Long: "no-backup", Help: "With --repair: write no backup copy (POOL.bak-<time>) first", Into: clap.Bool(&o.NoBackup)},
			{Long: "dry-run", Help: "With --repair: report what would be repaired, change nothing", Into: clap.Bool(&o.DryRun)},
			cmdutil.JSONFlag(&o.JSON),
			clap.HelpFlag,
		},
		Notes: []string{"Exits nonzero when corruption is found (7).",
			"--repair exits 0 when the pool is healthy afterwards with no message lost, 1 when messages were dropped (listed), 7 when it cannot be repaired."},
		Examples: []string{"plasmite doctor chat", "plasmite doctor --all --json", "plasmite doctor chat --repair"},
		Run:      env.Runner("doctor", cmdutil.TextOnly, func(ctx context.Context) error { return Run(ctx, o, env) }),
	}
}

type checked struct {
	ref, label string
	r          core.Report
}

// Run validates one pool or, with All, every pool of the pool directory
// (with Quick, headers and frames only), and reports: JSON {"reports":[…]},
// one line per pool in a pipe, or a summary on a terminal. Corruption found
// exits 7.
func Run(ctx context.Context, o *Options, env *cmdutil.Env) error {
	if o.All && o.Pool != nil {
		return cmdutil.UsageError("--all cannot be combined with a pool name", "Use --all by itself, or provide a single pool.")
	}
	if !o.All && o.Pool == nil {
		return cmdutil.UsageError("doctor requires a pool name or --all", "Provide a pool name, or pass --all.")
	}
	if o.Repair || o.NoBackup || o.DryRun {
		return repair(o, env)
	}
	var items []checked
	var err error
	vo := core.ValidateOptions{Quick: o.Quick}
	if o.All {
		items, err = checkAll(env.PoolDir(), vo)
	} else {
		items, err = checkOne(env, *o.Pool, vo)
	}
	if err != nil {
		return err
	}
	bad := 0
	for _, it := range items {
		if it.r.Status != "ok" {
			bad++
		}
	}
	switch {
	case env.JSONOut(o.JSON):
		reps := []any{}
		for _, it := range items {
			reps = append(reps, reportJSON(it.ref, it.r))
		}
		err = env.EmitJSON(map[string]any{"reports": reps})
	case !env.Stdout.TTY:
		err = env.Stdout.WriteString(lines(items))
	case !o.All:
		err = env.Stdout.WriteString(detail(items[0]))
	default:
		err = env.Stdout.WriteString(summary(items, bad))
	}
	if bad > 0 { // the check's result, also when stdout was closed
		return cmdutil.Exit{Code: wire.ExitCode(core.Corrupt)}
	}
	return err
}

func checkAll(dir string, vo core.ValidateOptions) ([]checked, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, &core.Error{Kind: poolref.KindOfOS(err), Message: "failed to read pool directory", Path: dir, Err: err}
	}
	var names []string
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".plasmite") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var items []checked
	for _, n := range names {
		path := core.ResolveRef(dir, n)
		r, err := core.ValidateWith(path, vo)
		if err != nil {
			return nil, err
		}
		items = append(items, checked{path, strings.TrimSuffix(n, ".plasmite"), r})
	}
	return items, nil
}

// checkOne validates the pool ref names (see localPath).
func checkOne(env *cmdutil.Env, ref string, vo core.ValidateOptions) ([]checked, error) {
	path, err := localPath(env, ref)
	if err != nil {
		return nil, err
	}
	r, err := core.ValidateWith(path, vo)
	if err != nil {
		e := cmdutil.OpenError(err, ref, path)
		if e.Kind == core.NotFound {
			e.Hint = "" // 1.2.1 gives no hint here
		}
		return nil, e
	}
	return []checked{{ref, label(ref), r}}, nil
}

// localPath is the pool file ref names. As in 1.2.1 an http(s):// or
// other URL is taken as a local path, but a udp:// ref is refused.
func localPath(env *cmdutil.Env, ref string) (string, error) {
	if err := poolref.CheckName(ref); err != nil {
		return "", err
	}
	if len(ref) >= 6 && strings.EqualFold(ref[:6], "udp://") {
		return "", cmdutil.UsageError("this command does not support UDP pool refs", "Use udp://HOST:PORT/POOL with feed, follow, or duplex.")
	}
	return env.Pools("doctor").Path(ref), nil
}

// label is how the terminal forms name the pool of ref: its name.
func label(ref string) string {
	if strings.ContainsRune(ref, '/') || strings.HasSuffix(ref, ".plasmite") {
		return strings.TrimSuffix(pathBase(ref), ".plasmite")
	}
	return ref
}

func reportJSON(ref string, r core.Report) map[string]any {
	issues := []any{}
	for _, is := range r.Issues {
		m := map[string]any{"code": is.Code, "message": is.Message, "offset": nil, "seq": nil}
		if is.Offset != nil {
			m["offset"] = *is.Offset
		}
		if is.Seq != nil {
			m["seq"] = *is.Seq
		}
		issues = append(issues, m)
	}
	hints := []any{}
	for _, h := range r.Hints {
		hints = append(hints, h)
	}
	var lg any
	if r.LastGoodSeq != nil {
		lg = *r.LastGoodSeq
	}
	return map[string]any{"issue_count": len(r.Issues), "issues": issues, "last_good_seq": lg, "path": r.Path,
		"pool_ref": ref, "remediation_hints": hints, "snapshot_path": nil, "status": r.Status}
}

// lines is the pipe form: one OK/CORRUPT line per pool.
func lines(items []checked) string {
	var b strings.Builder
	if len(items) == 0 {
		b.WriteString("No pools found.\n")
	}
	for _, it := range items {
		if it.r.Status == "ok" {
			b.WriteString("OK: " + it.ref + "\n")
			continue
		}
		b.WriteString("CORRUPT: " + it.ref)
		if it.r.LastGoodSeq != nil {
			b.WriteString(" last_good_seq=" + strconv.FormatUint(*it.r.LastGoodSeq, 10))
		}
		if len(it.r.Issues) > 0 {
			b.WriteString(" issue=" + it.r.Issues[0].Message)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// detail is the terminal form for one pool.
func detail(it checked) string {
	var b strings.Builder
	state := "healthy"
	if it.r.Status != "ok" {
		state = "corrupt"
	}
	b.WriteString(it.label + ": " + state + "\n")
	b.WriteString("  messages:  " + messagesOf(it.r.Path) + "\n")
	n := len(it.r.Issues)
	word := "issues"
	if n == 1 {
		word = "issue"
	}
	b.WriteString("  checked:   header, index, ring — " + strconv.Itoa(n) + " " + word + "\n")
	if n > 0 {
		b.WriteString("  detail:    " + it.r.Issues[0].Message + "\n")
	}
	return b.String()
}

// summary is the terminal form for --all.
func summary(items []checked, bad int) string {
	var b strings.Builder
	if len(items) == 0 {
		b.WriteString("No pools found.\n")
	} else if bad == 0 {
		b.WriteString("All " + strconv.Itoa(len(items)) + " pools healthy.\n\n")
	} else {
		b.WriteString(strconv.Itoa(bad) + " of " + strconv.Itoa(len(items)) + " pools unhealthy.\n\n")
	}
	rows := [][]string{}
	for _, it := range items {
		mark := "✓"
		tail := strconv.Itoa(len(it.r.Issues)) + " issues"
		if it.r.Status != "ok" {
			mark = "✗"
			tail += " (run `pls doctor " + it.label + "` for detail)"
		}
		msgs := messagesOf(it.r.Path)
		if msgs == "empty" {
			msgs = "0 messages" // as 1.2.1 counts an empty pool here
		} else if i := strings.IndexByte(msgs, ' '); i > 0 {
			msgs = msgs[:i] + " messages"
		}
		rows = append(rows, []string{"  " + mark + " " + it.label, msgs, tail})
	}
	if len(rows) > 0 {
		b.WriteString(cmdutil.Table(rows))
	}
	return b.String()
}

func pathBase(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// messagesOf summarises a pool's contents for doctor's text output.
func messagesOf(path string) string {
	pool, err := core.Open(path, core.OpenOptions{ReadOnly: true, NoNotify: true})
	if err != nil {
		return "unreadable"
	}
	defer pool.Close()
	b := pool.Bounds()
	if b.Newest == 0 {
		return "empty"
	}
	return strconv.FormatUint(b.Newest-b.Oldest+1, 10) + " (seq " + strconv.FormatUint(b.Oldest, 10) + ".." + strconv.FormatUint(b.Newest, 10) + ")"
}
