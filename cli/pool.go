package main

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/wire"
)

// relToDir shows path relative to the pool dir when inside it, else its base name.
func (a *app) relToDir(path string) string {
	dir := a.poolDir()
	if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return filepath.Base(path)
}

// dirDisplay: ./rel/ under CWD, ~/rel/ under HOME, else absolute; trailing slash.
func (a *app) dirDisplay() string {
	dir, err := filepath.Abs(a.poolDir())
	if err != nil {
		dir = a.poolDir()
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, dir); err == nil && !strings.HasPrefix(rel, "..") {
			if rel == "." {
				return "./"
			}
			return "./" + rel + "/"
		}
	}
	if h := os.Getenv("HOME"); h != "" {
		if rel, err := filepath.Rel(h, dir); err == nil && !strings.HasPrefix(rel, "..") {
			if rel == "." {
				return "~/"
			}
			return "~/" + rel + "/"
		}
	}
	return strings.TrimSuffix(dir, "/") + "/"
}

func cmdPoolCreate(a *app, p *parsed) error {
	size := int64(core.DefaultPoolSize)
	if p.has("size") {
		n, err := parseSize(p.str("size"))
		if err != nil {
			return err
		}
		size = n
	}
	opts := core.CreateOptions{Size: size}
	if p.has("index-capacity") {
		n := p.u64("index-capacity")
		if n > math.MaxUint32 || int64(n)*16 > size/2 {
			return usageErr("index capacity is too large for pool size", "Reduce --index-capacity or increase --size (index region must be <= 50% of the pool file).")
		}
		ic := uint32(n)
		opts.IndexCapacity = &ic
	}
	if err := os.MkdirAll(a.poolDir(), 0o755); err != nil {
		return &core.Error{Kind: kindOfOS(err), Message: "failed to create pool directory", Path: a.poolDir(), Err: err}
	}
	names := p.args["NAME"]
	var created []map[string]any
	var infos []core.Info
	now := time.Now()
	var firstErr error
	for _, name := range names {
		path := a.resolve(name)
		pool, err := core.CreateWith(path, opts)
		if err != nil {
			e := wire.ErrorOf(err)
			if e.Kind == core.Usage {
				e.Path = "" // size problems are not about a file
			}
			if e.Kind == core.AlreadyExists {
				e.Message = "pool already exists"
				e.Path = path
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
	if len(created) > 0 || firstErr == nil {
		switch {
		case a.jsonOut(p):
			if firstErr == nil {
				arr := make([]any, len(created))
				for i := range created {
					arr[i] = created[i]
				}
				a.emitJSON(map[string]any{"created": arr})
			}
		case !a.stdout.tty:
			t := [][]string{{"NAME", "SIZE", "INDEX", "PATH"}}
			for i, in := range infos {
				t = append(t, []string{names[i], strconv.FormatUint(in.FileSize, 10), strconv.FormatUint(in.IndexCapacity, 10), a.relToDir(in.Path)})
			}
			a.stdout.writeString(table(t))
		case len(infos) == 1:
			a.stdout.writeString("Created " + names[0] + " (" + humanBytes(infos[0].FileSize) + ", " + strconv.FormatUint(infos[0].IndexCapacity, 10) + " index slots)\n  path: " + a.relToDir(infos[0].Path) + "\n")
		default:
			var b strings.Builder
			b.WriteString("Created " + strconv.Itoa(len(infos)) + " pools (" + humanBytes(uint64(size)) + " each)\n")
			for i, in := range infos {
				b.WriteString("  - " + names[i] + " (" + a.relToDir(in.Path) + ")\n")
			}
			a.stdout.writeString(b.String())
		}
	}
	return firstErr
}

func kindOfOS(err error) core.Kind {
	if errors.Is(err, os.ErrPermission) {
		return core.Permission
	}
	if errors.Is(err, os.ErrNotExist) {
		return core.NotFound
	}
	return core.IO
}

// openErr decorates a pool open failure with the reference's hints.
func (a *app) openErr(err error, ref, path, cmd string) error {
	e := wire.ErrorOf(err)
	if e.Kind == core.NotFound {
		if e.Path == "" {
			e.Path = path
		}
		addENOENT(e)
		if e.Message == "" || e.Message == "pool not found" {
			e.Message = "not found"
		}
		if strings.ContainsRune(ref, '/') {
			e.Hint = "Pool path not found. Check the path or pass --dir for a different pool directory."
		} else if e.Hint == "" {
			e.Hint = "Create it first: plasmite pool create " + ref + " (or pass --dir for a different pool directory)."
		}
	}
	if e.Kind == core.Corrupt && e.Path == "" {
		e.Path = path
	}
	return e
}

func cmdPoolInfo(a *app, p *parsed) error {
	ref := p.arg("NAME")
	path := a.resolve(ref)
	pool, err := core.Open(path, core.OpenOptions{ReadOnly: true, NoNotify: true})
	if err != nil {
		e := wire.ErrorOf(a.openErr(err, ref, path, "pool info"))
		if e.Kind == core.NotFound {
			e.Path = ""
			e.Err = nil
			e.Message = "not found"
		}
		return e
	}
	in, err := pool.Info()
	pool.Close()
	if err != nil {
		return err
	}
	now := time.Now()
	if a.jsonOut(p) {
		a.emitJSON(wire.InfoDocument(in, ref, now))
		return nil
	}
	var b strings.Builder
	count := uint64(0)
	if in.Bounds.Newest != 0 {
		count = in.Bounds.Newest - in.Bounds.Oldest + 1
	}
	if !a.stdout.tty {
		u := func(v uint64) string { return strconv.FormatUint(v, 10) }
		b.WriteString("Pool: " + ref + "\nPath: " + in.Path + "\n")
		b.WriteString("Size: " + u(in.FileSize) + " bytes (index: offset=" + u(in.IndexOffset) + " slots=" + u(in.IndexCapacity) + " bytes=" + u(in.IndexSizeBytes) + ", ring: offset=" + u(in.RingOffset) + " size=" + u(in.RingSize) + ")\n")
		if count == 0 {
			b.WriteString("Bounds: oldest=- newest=- count=0\n")
		} else {
			b.WriteString("Bounds: oldest=" + u(in.Bounds.Oldest) + " newest=" + u(in.Bounds.Newest) + " count=" + u(count) + "\n")
		}
		b.WriteString("Utilization: used=" + u(in.UsedBytes) + "B free=" + u(in.FreeBytes) + "B (" + strconv.FormatFloat(in.UsedPercent, 'f', 2, 64) + "%)\n")
		for _, row := range []struct {
			label string
			t     time.Time
		}{{"Oldest", in.OldestTime}, {"Newest", in.NewestTime}} {
			if row.t.IsZero() {
				b.WriteString(row.label + ": - (-)\n")
			} else {
				b.WriteString(row.label + ": " + rfc3339(row.t) + " (" + ago(row.t, now) + ")\n")
			}
		}
		a.stdout.writeString(b.String())
		return nil
	}
	b.WriteString(ref + "\n")
	b.WriteString("  path:      " + a.relToDir(in.Path) + "\n")
	b.WriteString("  size:      " + humanBytes(in.FileSize) + " (" + humanBytes(in.UsedBytes) + " used, " + strconv.FormatFloat(in.UsedPercent, 'f', 2, 64) + "%)\n")
	if count == 0 {
		b.WriteString("  messages:  empty\n  oldest:    —\n  newest:    —\n")
	} else {
		b.WriteString("  messages:  " + strconv.FormatUint(count, 10) + " (seq " + strconv.FormatUint(in.Bounds.Oldest, 10) + ".." + strconv.FormatUint(in.Bounds.Newest, 10) + ")\n")
		for _, row := range []struct {
			label string
			t     time.Time
		}{{"oldest", in.OldestTime}, {"newest", in.NewestTime}} {
			if row.t.IsZero() {
				b.WriteString("  " + row.label + ":    —\n")
			} else {
				b.WriteString("  " + row.label + ":    " + ago(row.t, now) + " (" + rfc3339Secs(row.t) + ")\n")
			}
		}
	}
	b.WriteString("  index:     " + strconv.FormatUint(in.IndexCapacity, 10) + " slots (" + humanBytes(in.IndexSizeBytes) + ")\n")
	b.WriteString("  ring:      " + humanBytes(in.RingSize) + "\n")
	a.stdout.writeString(b.String())
	return nil
}

// table renders left-aligned, two-space separated, padded columns.
func table(rows [][]string) string {
	esc := func(s string) string {
		return strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(s)
	}
	w := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			if n := len([]rune(esc(c))); n > w[i] {
				w[i] = n
			}
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			c = esc(c)
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c + strings.Repeat(" ", w[i]-len([]rune(c))))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func cmdPoolList(a *app, p *parsed) error {
	dir := a.poolDir()
	ents, err := core.List(dir)
	var items []map[string]any
	type row struct {
		e   core.PoolEntry
		err *core.Error
	}
	var rows []row
	if err != nil {
		e := wire.ErrorOf(err)
		items = append(items, wire.ListError("pools", dir, e))
		rows = append(rows, row{core.PoolEntry{Name: "pools", Path: dir}, e})
	}
	anyErr := err != nil
	for _, e := range ents {
		e.Path = core.ResolveRef(dir, e.Name+".plasmite") // as typed, like 1.2.1
		if e.Err != nil {
			ce := wire.ErrorOf(e.Err)
			if ce.Path == "" {
				ce.Path = e.Path
			}
			// 1.2.1 shows no path in the error of a pool whose header is bad,
			// core's error has one (issue 11 decides).
			items = append(items, wire.ListError(e.Name, e.Path, ce))
			rows = append(rows, row{e, ce})
			anyErr = true
			continue
		}
		items = append(items, wire.ListEntry(e))
		rows = append(rows, row{e, nil})
	}
	if a.jsonOut(p) {
		a.emitJSON(wire.ListDocument(items))
		return nil
	}
	now := time.Now()
	if a.stdout.tty && !anyErr {
		if len(rows) == 0 {
			a.stdout.writeString("No pools found in " + a.dirDisplay() + "\n\n  Create one: plasmite pool create <name>\n")
			return nil
		}
		t := [][]string{{"NAME", "SIZE", "MSGS", "MODIFIED", "PATH"}}
		for _, r := range rows {
			n := uint64(0)
			if r.e.Info.Bounds.Newest != 0 {
				n = r.e.Info.Bounds.Newest - r.e.Info.Bounds.Oldest + 1
			}
			mod := "-"
			if !r.e.ModTime.IsZero() {
				mod = ago(r.e.ModTime, now)
			}
			t = append(t, []string{r.e.Name, humanBytes(r.e.Info.FileSize), strconv.FormatUint(n, 10), mod, a.relToDir(r.e.Path)})
		}
		a.stdout.writeString(table(t))
		return nil
	}
	t := [][]string{{"NAME", "STATUS", "SIZE", "OLDEST", "NEWEST", "MTIME", "PATH", "DETAIL"}}
	for _, r := range rows {
		if r.err != nil {
			t = append(t, []string{r.e.Name, "ERR", "-", "-", "-", "-", a.relToDir(r.e.Path), r.err.Message})
			continue
		}
		old, nw := "-", "-"
		if r.e.Info.Bounds.Newest != 0 {
			old = strconv.FormatUint(r.e.Info.Bounds.Oldest, 10)
			nw = strconv.FormatUint(r.e.Info.Bounds.Newest, 10)
		}
		mt := "-"
		if !r.e.ModTime.IsZero() {
			mt = rfc3339(r.e.ModTime)
		}
		t = append(t, []string{r.e.Name, "OK", strconv.FormatUint(r.e.Info.FileSize, 10), old, nw, mt, a.relToDir(r.e.Path), ""})
	}
	a.stdout.writeString(table(t))
	return nil
}

func cmdPoolDelete(a *app, p *parsed) error {
	names := p.args["NAME"]
	type result struct {
		name, path string
		err        *core.Error
	}
	var res []result
	var first *core.Error
	for _, name := range names {
		if strings.Contains(name, "://") {
			e := usageErr("pool delete accepts local pool names or paths only", "Use pool names/paths for local delete, or call remote APIs directly.")
			res = append(res, result{name, "", e})
			if first == nil {
				first = e
			}
			continue
		}
		path := a.resolve(name)
		err := core.Delete(path)
		if err != nil {
			var e *core.Error
			if errors.Is(err, core.NotFound) {
				e = &core.Error{Kind: core.NotFound, Message: "pool not found", Path: path, Hint: "Create the pool first or check --dir."}
			} else {
				cause := err
				if ce := (*core.Error)(nil); errors.As(err, &ce) && ce.Err != nil {
					cause = ce.Err
				}
				e = &core.Error{Kind: core.IO, Message: "failed to delete pool", Path: path, Err: cause}
			}
			res = append(res, result{name, path, e})
			if first == nil {
				first = e
			}
			continue
		}
		res = append(res, result{name, path, nil})
	}
	if a.jsonOut(p) {
		deleted, failed := []any{}, []any{}
		for _, r := range res {
			if r.err == nil {
				deleted = append(deleted, map[string]any{"path": r.path, "pool": r.name})
			} else {
				failed = append(failed, map[string]any{"error": wire.ErrorFields(r.err), "pool": r.name})
			}
		}
		a.emitJSON(map[string]any{"deleted": deleted, "failed": failed})
	} else if !a.stdout.tty {
		t := [][]string{{"NAME", "STATUS", "PATH", "DETAIL"}}
		for _, r := range res {
			pth := "-"
			if r.path != "" {
				pth = a.relToDir(r.path)
			}
			if r.err == nil {
				t = append(t, []string{r.name, "OK", pth, ""})
			} else {
				t = append(t, []string{r.name, "ERR", pth, r.err.Message})
			}
		}
		a.stdout.writeString(table(t))
	} else {
		var b strings.Builder
		dirLine := "  Pool directory: " + a.dirDisplay() + "\n"
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
		} else {
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
		}
		a.stdout.writeString(b.String())
	}
	if first != nil {
		return exitError{wire.ExitCode(first.Kind)}
	}
	return nil
}

// addENOENT gives a missing-pool error the OS cause the reference shows.
func addENOENT(e *core.Error) {
	if e.Err == nil {
		e.Err = syscall.ENOENT
	}
}
