package main

import (
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/wire"
)

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

func cmdDoctor(a *app, p *parsed) error {
	all := p.has("all")
	ref := p.arg("POOL")
	if all && ref != "" {
		return usageErr("--all cannot be combined with a pool name", "Use --all by itself, or provide a single pool.")
	}
	if !all && ref == "" {
		return usageErr("doctor requires a pool name or --all", "Provide a pool name, or pass --all.")
	}
	type item struct {
		ref, label string
		r          core.Report
	}
	var items []item
	if all {
		dir := a.poolDir()
		ents, err := os.ReadDir(dir)
		if err != nil {
			return &core.Error{Kind: kindOfOS(err), Message: "failed to read pool directory", Path: dir, Err: err}
		}
		var names []string
		for _, e := range ents {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".plasmite") {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		for _, n := range names {
			path := core.ResolveRef(dir, n)
			r, err := core.ValidateWith(path, core.ValidateOptions{Quick: p.has("quick")})
			if err != nil {
				return err
			}
			items = append(items, item{path, strings.TrimSuffix(n, ".plasmite"), r})
		}
	} else {
		path := a.resolve(ref)
		r, err := core.ValidateWith(path, core.ValidateOptions{Quick: p.has("quick")})
		if err != nil {
			e := wire.ErrorOf(a.openErr(err, ref, path, "doctor"))
			if e.Kind == core.NotFound {
				e.Hint = "" // 1.2.1 gives no hint here
			}
			return e
		}
		label := ref
		if strings.ContainsRune(ref, '/') || strings.HasSuffix(ref, ".plasmite") {
			label = strings.TrimSuffix(pathBase(ref), ".plasmite")
		}
		items = append(items, item{ref, label, r})
	}
	bad := 0
	for _, it := range items {
		if it.r.Status != "ok" {
			bad++
		}
	}
	switch {
	case a.jsonOut(p):
		reps := []any{}
		for _, it := range items {
			reps = append(reps, reportJSON(it.ref, it.r))
		}
		a.emitJSON(map[string]any{"reports": reps})
	case !a.stdout.tty:
		var b strings.Builder
		if len(items) == 0 {
			b.WriteString("No pools found.\n")
		}
		for _, it := range items {
			label := it.ref
			if it.r.Status == "ok" {
				b.WriteString("OK: " + label + "\n")
				continue
			}
			b.WriteString("CORRUPT: " + label)
			if it.r.LastGoodSeq != nil {
				b.WriteString(" last_good_seq=" + strconv.FormatUint(*it.r.LastGoodSeq, 10))
			}
			if len(it.r.Issues) > 0 {
				b.WriteString(" issue=" + it.r.Issues[0].Message)
			}
			b.WriteString("\n")
		}
		a.stdout.writeString(b.String())
	case !all:
		it := items[0]
		var b strings.Builder
		state := "healthy"
		if it.r.Status != "ok" {
			state = "corrupt"
		}
		b.WriteString(it.label + ": " + state + "\n")
		b.WriteString("  messages:  " + a.messagesOf(it.r.Path) + "\n")
		n := len(it.r.Issues)
		word := "issues"
		if n == 1 {
			word = "issue"
		}
		b.WriteString("  checked:   header, index, ring — " + strconv.Itoa(n) + " " + word + "\n")
		if n > 0 {
			b.WriteString("  detail:    " + it.r.Issues[0].Message + "\n")
		}
		a.stdout.writeString(b.String())
	default:
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
			msgs := a.messagesOf(it.r.Path)
			if i := strings.IndexByte(msgs, ' '); i > 0 {
				msgs = msgs[:i] + " messages"
			}
			rows = append(rows, []string{"  " + mark + " " + it.label, msgs, tail})
		}
		if len(rows) > 0 {
			b.WriteString(table(rows))
		}
		a.stdout.writeString(b.String())
	}
	if bad > 0 {
		return exitError{7}
	}
	return nil
}

func pathBase(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// messagesOf summarises a pool's contents for doctor's text output.
func (a *app) messagesOf(path string) string {
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
