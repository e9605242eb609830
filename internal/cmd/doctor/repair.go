package doctor

import (
	"strconv"
	"strings"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
)

// Exit statuses of --repair (also in the help notes and docs/cli.md). They
// follow doctor's: 0 when the pool is healthy afterwards, 7 (Corrupt) when
// it stays damaged; and, as a finite follow that lost selected messages
// does, 1 when the pool is healthy again but messages were dropped, so a
// script learns of a loss without reading the report. A dry run exits as
// the repair would.
const (
	repairLost = 1
)

// repair runs --repair on one pool (core.Repair: under the writer lock,
// a backup first unless --no-backup) and reports what it kept and lost.
func repair(o *Options, env *cmdutil.Env) error {
	switch {
	case !o.Repair && o.NoBackup:
		return cmdutil.UsageError("--no-backup requires --repair", "Add --repair, or remove --no-backup.")
	case !o.Repair:
		return cmdutil.UsageError("--dry-run requires --repair", "Add --repair, or remove --dry-run.")
	case o.All:
		return cmdutil.UsageError("--repair takes one pool, not --all", "Run doctor --all to find the damaged pools, then doctor POOL --repair for each.")
	case o.Quick:
		return cmdutil.UsageError("--repair cannot be combined with --quick", "A repair always checks every message payload; remove --quick.")
	}
	ref := *o.Pool
	path, err := localPath(env, ref)
	if err != nil {
		return err
	}
	rep, err := core.Repair(path, core.RepairOptions{NoBackup: o.NoBackup, DryRun: o.DryRun})
	if err != nil {
		e := cmdutil.OpenError(err, ref, path)
		if e.Kind == core.NotFound {
			e.Hint = ""
		}
		return e
	}
	switch {
	case env.JSONOut(o.JSON):
		err = env.EmitJSON(map[string]any{"repair": repairJSON(ref, o.DryRun, rep)})
	case !env.Stdout.TTY:
		err = env.Stdout.WriteString(repairLine(ref, o.DryRun, rep))
	default:
		err = env.Stdout.WriteString(repairText(ref, o.DryRun, rep))
	}
	if lostCount(rep) > 0 { // the repair's result, also when stdout was closed
		return cmdutil.Exit{Code: repairLost}
	}
	return err
}

func lostCount(r core.RepairReport) uint64 {
	var n uint64
	for _, l := range r.Lost {
		n += l.Last - l.First + 1
	}
	return n
}

// placeholderCount is how many lost messages are kept as placeholders.
func placeholderCount(r core.RepairReport) uint64 {
	var n uint64
	for _, l := range r.Lost {
		if l.Placeholder {
			n += l.Last - l.First + 1
		}
	}
	return n
}

func boundsJSON(b core.Bounds) map[string]any {
	if b.Newest == 0 {
		return map[string]any{"oldest_seq": nil, "newest_seq": nil, "count": 0}
	}
	return map[string]any{"oldest_seq": b.Oldest, "newest_seq": b.Newest, "count": b.Newest - b.Oldest + 1}
}

// repairJSON is the --json report: every lost run with its reason code
// (core.LostSeqs.Reason), what was rewritten, and the backup's path.
func repairJSON(ref string, dry bool, r core.RepairReport) map[string]any {
	lost := []any{}
	for _, l := range r.Lost {
		lost = append(lost, map[string]any{"first_seq": l.First, "last_seq": l.Last, "count": l.Last - l.First + 1,
			"reason": l.Reason, "detail": l.Detail, "offset": l.Offset, "placeholder": l.Placeholder})
	}
	fixes := []any{}
	for _, f := range r.Fixes {
		fixes = append(fixes, f)
	}
	var backup any
	if r.Backup != "" {
		backup = r.Backup
	}
	status := "ok"
	if len(r.Fixes) > 0 || len(r.Lost) > 0 {
		status = "repaired"
		if dry {
			status = "needs_repair"
		}
	}
	return map[string]any{"pool_ref": ref, "path": r.Path, "status": status, "dry_run": dry, "changed": r.Changed,
		"backup_path": backup, "before": boundsJSON(r.Before), "after": boundsJSON(r.After),
		"lost": lost, "lost_count": lostCount(r), "fixes": fixes}
}

// repairLine is the pipe form: one line.
func repairLine(ref string, dry bool, r core.RepairReport) string {
	if len(r.Fixes) == 0 && len(r.Lost) == 0 {
		return "OK: " + ref + " (nothing to repair)\n"
	}
	word := "REPAIRED: "
	if dry {
		word = "WOULD REPAIR: "
	}
	s := word + ref + " lost=" + strconv.FormatUint(lostCount(r), 10)
	for _, l := range r.Lost {
		s += " " + seqRange(l) + ":" + l.Reason
		if l.Placeholder {
			s += ",placeholder"
		}
	}
	if r.Backup != "" {
		s += " backup=" + r.Backup
	}
	return s + "\n"
}

// repairText is the terminal form: what was kept, each run of seqs lost
// and why, what was rewritten, and where the backup is.
func repairText(ref string, dry bool, r core.RepairReport) string {
	var b strings.Builder
	name := label(ref)
	if len(r.Fixes) == 0 && len(r.Lost) == 0 {
		b.WriteString(name + ": healthy, nothing to repair\n")
		b.WriteString("  messages:  " + boundsText(r.After) + "\n")
		return b.String()
	}
	if dry {
		b.WriteString(name + ": needs repair (dry run: nothing changed)\n")
	} else {
		b.WriteString(name + ": repaired\n")
	}
	b.WriteString("  before:    " + boundsText(r.Before) + " (as the header claimed)\n")
	kept := boundsText(r.After)
	if n := placeholderCount(r); n > 0 {
		kept += ", " + plural(n, "placeholder") + " among them (tagged " + core.PlaceholderTag + ")"
	}
	b.WriteString("  kept:      " + kept + "\n")
	n := lostCount(r)
	if n == 0 {
		b.WriteString("  lost:      none\n")
	} else {
		b.WriteString("  lost:      " + plural(n, "message") + "\n")
		for _, l := range r.Lost {
			b.WriteString("    " + seqRange(l) + "  " + l.Reason + ": " + l.Detail + "\n")
		}
	}
	for i, f := range r.Fixes {
		head := "  rewrote:   "
		if i > 0 {
			head = "             "
		}
		b.WriteString(head + f + "\n")
	}
	switch {
	case r.Backup != "":
		b.WriteString("  backup:    " + r.Backup + " (the pool as it was)\n")
	case !dry:
		b.WriteString("  backup:    none (--no-backup)\n")
	}
	return b.String()
}

func boundsText(b core.Bounds) string {
	if b.Newest == 0 {
		return "empty"
	}
	return plural(b.Newest-b.Oldest+1, "message") + " (seq " + strconv.FormatUint(b.Oldest, 10) + ".." + strconv.FormatUint(b.Newest, 10) + ")"
}

func seqRange(l core.LostSeqs) string {
	if l.First == l.Last {
		return "seq " + strconv.FormatUint(l.First, 10)
	}
	return "seqs " + strconv.FormatUint(l.First, 10) + ".." + strconv.FormatUint(l.Last, 10)
}

func plural(n uint64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.FormatUint(n, 10) + " " + word + "s"
}
