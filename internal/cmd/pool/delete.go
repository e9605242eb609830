package pool

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/poolref"
	"github.com/plasmite-go/plasmite/wire"
)

// DeleteOptions are `pool delete`'s.
type DeleteOptions struct {
	Names []string
	JSON  bool
}

type deleted struct {
	name, path string
	err        *core.Error
}

// Delete unlinks the pool files named, attempting every one, and reports
// each result; the exit status is that of the first failure's kind.
func Delete(ctx context.Context, o *DeleteOptions, env *cmdutil.Env) error {
	pools := env.Pools("pool delete")
	var res []deleted
	var first *core.Error
	for _, name := range o.Names {
		r := deleted{name: name}
		if poolref.IsURL(name) {
			r.err = cmdutil.UsageError("pool delete accepts local pool names or paths only", "Use pool names/paths for local delete, or call remote APIs directly.")
		} else if err := poolref.CheckName(name); err != nil {
			r.err = wire.ErrorOf(err)
		} else {
			r.path = pools.Path(name)
			r.err = deleteFile(r.path)
		}
		if first == nil && r.err != nil {
			first = r.err
		}
		res = append(res, r)
	}
	var err error
	switch {
	case env.JSONOut(o.JSON):
		ok, failed := []any{}, []any{}
		for _, r := range res {
			if r.err == nil {
				ok = append(ok, map[string]any{"path": r.path, "pool": r.name})
			} else {
				failed = append(failed, map[string]any{"error": wire.ErrorFields(r.err), "pool": r.name})
			}
		}
		err = env.EmitJSON(map[string]any{"deleted": ok, "failed": failed})
	case !env.Stdout.TTY:
		t := [][]string{{"NAME", "STATUS", "PATH", "DETAIL"}}
		for _, r := range res {
			pth := "-"
			if r.path != "" {
				pth = env.RelToDir(r.path)
			}
			if r.err == nil {
				t = append(t, []string{r.name, "OK", pth, ""})
			} else {
				t = append(t, []string{r.name, "ERR", pth, r.err.Message})
			}
		}
		err = env.Stdout.WriteString(cmdutil.Table(t))
	default:
		err = env.Stdout.WriteString(deleteSummary(env, res))
	}
	if first != nil { // the deletions' result, also when stdout was closed
		return cmdutil.Exit{Code: wire.ExitCode(first.Kind)}
	}
	return err
}

// deleteFile deletes one pool file: NotFound "pool not found", anything else
// reported as Io "failed to delete pool" (as 1.2.1 does, Permission too).
func deleteFile(path string) *core.Error {
	err := core.Delete(path)
	if err == nil {
		return nil
	}
	if errors.Is(err, core.NotFound) {
		return &core.Error{Kind: core.NotFound, Message: "pool not found", Path: path, Hint: "Create the pool first or check --dir."}
	}
	cause := err
	if ce := (*core.Error)(nil); errors.As(err, &ce) && ce.Err != nil {
		cause = ce.Err
	}
	return &core.Error{Kind: core.IO, Message: "failed to delete pool", Path: path, Err: cause}
}

// deleteSummary is the terminal form of the results.
func deleteSummary(env *cmdutil.Env, res []deleted) string {
	var b strings.Builder
	dirLine := "  Pool directory: " + env.DirDisplay() + "\n"
	if len(res) == 1 {
		r := res[0]
		switch {
		case r.err == nil:
			b.WriteString("Deleted pool \"" + r.name + "\".\n")
		case r.err.Kind == core.NotFound:
			b.WriteString("Pool \"" + r.name + "\" not found. Nothing to delete.\n\n" + dirLine + "  List pools:     pls pool list\n")
		default:
			b.WriteString("Failed to delete pool \"" + r.name + "\".\n\n  Reason:         " + r.err.Message + "\n" + dirLine)
		}
		return b.String()
	}
	ok := 0
	for _, r := range res {
		if r.err == nil {
			ok++
		}
	}
	if ok == len(res) {
		b.WriteString("Deleted " + strconv.Itoa(ok) + " pools.\n\n")
	} else {
		b.WriteString("Deleted " + strconv.Itoa(ok) + " of " + strconv.Itoa(len(res)) + " pools.\n\n")
	}
	for _, r := range res {
		if r.err == nil {
			b.WriteString("  ✓ " + r.name + "\n")
		} else {
			b.WriteString("  ✗ " + r.name + " — " + r.err.Message + "\n")
		}
	}
	b.WriteString("\n" + dirLine)
	return b.String()
}
