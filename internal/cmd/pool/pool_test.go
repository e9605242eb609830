package pool

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil/cmdtest"
	"github.com/plasmite-go/plasmite/wire"
)

var ctx = context.Background()

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not a JSON object: %q", s)
	}
	return v
}

func TestCreate(t *testing.T) {
	h := cmdtest.New(t, "")
	size := "64K"
	ic := uint32(0)
	if err := Create(ctx, &CreateOptions{Names: []string{"a", "b"}, Size: &size, IndexCapacity: &ic, JSON: true}, h.Env); err != nil {
		t.Fatal(err)
	}
	created := decode(t, h.Stdout.String())["created"].([]any)
	a := created[0].(map[string]any)
	if len(created) != 2 || a["name"] != "a" || a["file_size"] != 65536.0 || a["index_capacity"] != 0.0 || a["ring_offset"] != 4096.0 {
		t.Fatalf("created: %v", created)
	}
	// a second time: AlreadyExists with the path, and nothing printed
	h.Stdout.Reset()
	err := Create(ctx, &CreateOptions{Names: []string{"a"}}, h.Env)
	e := wire.ErrorOf(err)
	if e.Kind != core.AlreadyExists || e.Message != "pool already exists" || e.Path != filepath.Join(h.Env.Dir, "a.plasmite") || h.Stdout.Len() != 0 {
		t.Fatalf("exists: %+v %q", e, h.Stdout)
	}
	// one of several exists, or a name is given twice, or one is empty or
	// a URL: every name is checked first and nothing is created (issue 11
	// item 2, issue 12 defect 7)
	h.Env.Format = "pretty"
	for _, c := range []struct {
		names []string
		kind  core.Kind
		msg   string
	}{
		{[]string{"c", "a", "d"}, core.AlreadyExists, "pool already exists"},
		{[]string{"c", "d", "c"}, core.AlreadyExists, "pool already exists"},
		{[]string{"c", ""}, core.Usage, "pool name must be nonempty and must not contain NUL or a path prefix"},
		{[]string{"c", "http://host:9700/d"}, core.Usage, "pool create accepts local pool names or paths only"},
		{[]string{"c", "udp://host:9700/d"}, core.Usage, "this command does not support UDP pool refs"},
	} {
		err = Create(ctx, &CreateOptions{Names: c.names}, h.Env)
		if e := wire.ErrorOf(err); e.Kind != c.kind || e.Message != c.msg || h.Stdout.Len() != 0 {
			t.Errorf("%q: %v %q", c.names, err, h.Stdout)
		}
		for _, n := range []string{"c", "d", ".plasmite"} {
			if _, err := os.Stat(filepath.Join(h.Env.Dir, n+".plasmite")); !os.IsNotExist(err) {
				t.Fatalf("%q: %s was created", c.names, n)
			}
		}
	}
	// a size of 0 is too small, as 1.2.1 says (issue 12 defect 6)
	zero := "0"
	if e := wire.ErrorOf(Create(ctx, &CreateOptions{Names: []string{"z"}, Size: &zero}, h.Env)); e.Kind != core.Usage || e.Message != "file_size must exceed header and index size" {
		t.Errorf("size 0: %+v", e)
	}
	// on a terminal: one sentence
	h.Stdout.Reset()
	h.Env.Format = ""
	h.Terminal(true, false, false)
	if err := Create(ctx, &CreateOptions{Names: []string{"e"}}, h.Env); err != nil {
		t.Fatal(err)
	}
	if got := h.Stdout.String(); got != "Created e (1M, 4096 index slots)\n  path: e.plasmite\n" {
		t.Fatalf("terminal: %q", got)
	}
	big := uint32(1 << 20)
	if e := wire.ErrorOf(Create(ctx, &CreateOptions{Names: []string{"f"}, IndexCapacity: &big}, h.Env)); e.Kind != core.Usage ||
		e.Message != "index capacity is too large for pool size" {
		t.Fatalf("index too large: %+v", e)
	}
}

func TestInfo(t *testing.T) {
	h := cmdtest.New(t, "")
	h.Pool(t, "p", `{"a":1}`, `{"b":2}`)
	if err := Info(ctx, &InfoOptions{Name: "p"}, h.Env); err != nil { // piped: JSON
		t.Fatal(err)
	}
	doc := decode(t, h.Stdout.String())
	if doc["name"] != "p" || doc["bounds"].(map[string]any)["newest"] != 2.0 || doc["metrics"].(map[string]any)["message_count"] != 2.0 {
		t.Fatalf("info: %v", doc)
	}
	h.Stdout.Reset()
	h.Terminal(true, false, false)
	if err := Info(ctx, &InfoOptions{Name: "p"}, h.Env); err != nil {
		t.Fatal(err)
	}
	if got := h.Stdout.String(); !strings.HasPrefix(got, "p\n  path:      p.plasmite\n  size:      1M (") || !strings.Contains(got, "  messages:  2 (seq 1..2)\n") {
		t.Fatalf("terminal: %q", got)
	}
	e := wire.ErrorOf(Info(ctx, &InfoOptions{Name: "nope"}, h.Env))
	if e.Kind != core.NotFound || e.Message != "not found" || e.Path != "" || e.Err != nil ||
		e.Hint != "Create it first: plasmite pool create nope (or pass --dir for a different pool directory)." {
		t.Fatalf("missing: %+v", e)
	}
}

func TestListAndDelete(t *testing.T) {
	h := cmdtest.New(t, "")
	h.Pool(t, "a", `{"a":1}`)
	h.Pool(t, "b")
	if err := os.WriteFile(filepath.Join(h.Env.Dir, "bad.plasmite"), make([]byte, 8192), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := List(ctx, &ListOptions{JSON: true}, h.Env); err != nil {
		t.Fatal(err)
	}
	pools := decode(t, h.Stdout.String())["pools"].([]any)
	bad := pools[2].(map[string]any)["error"].(map[string]any)["error"].(map[string]any)
	if len(pools) != 3 || pools[0].(map[string]any)["name"] != "a" || bad["kind"] != "Corrupt" {
		t.Fatalf("list: %v", pools)
	}
	h.Stdout.Reset()
	h.Env.Format = "pretty" // in a pipe: the tables
	err := Delete(ctx, &DeleteOptions{Names: []string{"a", "nope", "http://h/x", "b"}}, h.Env)
	if code, ok := cmdutil.ExitStatus(err); !ok || code != 3 { // the first failure: NotFound
		t.Fatalf("delete status: %v", err)
	}
	lines := h.Lines()
	if len(lines) != 5 || !strings.HasPrefix(lines[1], "a           OK      a.plasmite") || !strings.Contains(lines[2], "pool not found") ||
		!strings.Contains(lines[3], "pool delete accepts local pool names or paths only") || !strings.HasPrefix(lines[4], "b           OK") {
		t.Fatalf("delete report: %q", lines)
	}
	h.Stdout.Reset()
	if err := List(ctx, &ListOptions{}, h.Env); err != nil {
		t.Fatal(err)
	}
	if lines := h.Lines(); len(lines) != 2 || !strings.HasPrefix(lines[1], "bad   ERR") {
		t.Fatalf("list after delete: %q", lines)
	}
}
