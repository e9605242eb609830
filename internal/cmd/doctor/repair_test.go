package doctor

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil/cmdtest"
	"github.com/plasmite-go/plasmite/internal/reftest"
	"github.com/plasmite-go/plasmite/wire"
)

// unpack writes core's wreck NAME (a pool a SIGKILLed 1.2.1 writer left
// damaged) into the pool directory of h as pool name.
func unpack(t *testing.T, h *cmdtest.IO, wreck, name string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "..", "core", "testdata", "wrecks", wreck+".plasmite.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(h.Env.Dir, 0o755)
	path := filepath.Join(h.Env.Dir, name+".plasmite")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, z); err != nil {
		t.Fatal(err)
	}
	out.Close()
	return path
}

type report struct {
	Repair struct {
		Status, Path string
		Changed      bool
		BackupPath   *string `json:"backup_path"`
		Lost         []struct {
			FirstSeq    uint64 `json:"first_seq"`
			LastSeq     uint64 `json:"last_seq"`
			Reason      string
			Placeholder bool
		}
		LostCount uint64 `json:"lost_count"`
		After     struct {
			OldestSeq *uint64 `json:"oldest_seq"`
			NewestSeq *uint64 `json:"newest_seq"`
		} `json:"after"`
	}
}

func (r *report) after() (uint64, uint64) {
	return *r.Repair.After.OldestSeq, *r.Repair.After.NewestSeq
}

func runRepair(t *testing.T, h *cmdtest.IO, o Options) (report, int) {
	t.Helper()
	h.Stdout.Reset()
	err := Run(context.Background(), &o, h.Env)
	code := 0
	if err != nil {
		var ok bool
		if code, ok = cmdutil.ExitStatus(err); !ok {
			t.Fatalf("%+v: %v", o, err)
		}
	}
	var r report
	if err := json.Unmarshal(h.Stdout.Bytes(), &r); err != nil {
		t.Fatalf("report %q: %v", h.Stdout.String(), err)
	}
	return r, code
}

// doctor --repair salvages the wrecks 1.2.1 writers left: it reports the
// seqs lost (exit 1), keeps a backup, and afterwards doctor, our follow
// and 1.2.1's CLI read the pool; a second repair finds nothing to do.
func TestRepairWrecks(t *testing.T) {
	ref := reftest.Bin(t)
	for _, w := range []struct {
		name        string
		first, last uint64
	}{{"ref-killed-writer-a", 643869, 643869}, {"ref-killed-writer-torn-oldest", 789209, 789210}} {
		h := cmdtest.New(t, "")
		path := unpack(t, h, w.name, "w")
		orig, _ := os.ReadFile(path)
		pool := "w"
		if _, code := runRepair(t, h, Options{Pool: &pool, JSON: true}); code != 7 {
			t.Fatalf("%s: doctor before: %d", w.name, code)
		}
		dry, code := runRepair(t, h, Options{Pool: &pool, JSON: true, Repair: true, DryRun: true})
		if now, _ := os.ReadFile(path); code != 1 || dry.Repair.Status != "needs_repair" || dry.Repair.Changed || string(now) != string(orig) {
			t.Fatalf("%s: dry run %d %+v", w.name, code, dry)
		}
		r, code := runRepair(t, h, Options{Pool: &pool, JSON: true, Repair: true})
		if code != 1 || r.Repair.Status != "repaired" || !r.Repair.Changed || len(r.Repair.Lost) != 1 ||
			r.Repair.Lost[0].FirstSeq != w.first || r.Repair.Lost[0].LastSeq != w.last || r.Repair.Lost[0].Reason != "missing" ||
			r.Repair.LostCount != w.last-w.first+1 {
			t.Fatalf("%s: repair %d %+v", w.name, code, r)
		}
		if r.Repair.BackupPath == nil {
			t.Fatalf("%s: no backup", w.name)
		}
		if b, err := os.ReadFile(*r.Repair.BackupPath); err != nil || string(b) != string(orig) {
			t.Fatalf("%s: backup %v", w.name, err)
		}
		again, code := runRepair(t, h, Options{Pool: &pool, JSON: true, Repair: true})
		if code != 0 || again.Repair.Status != "ok" || again.Repair.Changed || again.Repair.BackupPath != nil {
			t.Fatalf("%s: second repair %d %+v", w.name, code, again)
		}
		if _, code := runRepair(t, h, Options{Pool: &pool, JSON: true}); code != 0 {
			t.Fatalf("%s: doctor after: %d", w.name, code)
		}
		oldest, newest := r.after()
		out, errb, code := reftest.Run(t, "--dir", h.Env.Dir, "follow", "w", "--no-follow", "--format", "json")
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if code != 0 || uint64(len(lines)) != newest-oldest+1 || !strings.Contains(lines[0], `"seq":`+strconv.FormatUint(oldest, 10)+`,`) {
			t.Fatalf("%s: %s follows %d lines, exit %d: %s", w.name, ref, len(lines), code, errb)
		}
		if _, _, code := reftest.Run(t, "--dir", h.Env.Dir, "fetch", "w", strconv.FormatUint(w.first, 10)); code != 3 {
			t.Fatalf("%s: 1.2.1 fetch of a lost seq: exit %d", w.name, code)
		}
		if out, _, code := reftest.Run(t, "--dir", h.Env.Dir, "doctor", "w"); code != 0 || !strings.Contains(string(out), `"status":"ok"`) {
			t.Fatalf("%s: 1.2.1 doctor: %d %s", w.name, code, out)
		}
	}
}

// The other forms: --no-backup writes none; the terminal report lists the
// lost seqs and why; a pipe gets one line; option mistakes are Usage.
func TestRepairFormsAndErrors(t *testing.T) {
	h := cmdtest.New(t, "")
	unpack(t, h, "ref-killed-writer-a", "w")
	pool := "w"
	h.Terminal(true, true, false)
	o := Options{Pool: &pool, Repair: true, DryRun: true}
	if code, _ := cmdutil.ExitStatus(Run(context.Background(), &o, h.Env)); code != 1 {
		t.Fatalf("dry run on a terminal: %d", code)
	}
	if s := h.Stdout.String(); !strings.Contains(s, "w: needs repair (dry run: nothing changed)\n") ||
		!strings.Contains(s, "    seq 643869  missing: not at its place: overwritten by an unfinished append of seq 643950") {
		t.Fatalf("terminal report:\n%s", s)
	}
	h.Terminal(false, false, false)
	h.Env.Format = "pretty" // piped without it, doctor prints JSON (as 1.2.1)
	h.Stdout.Reset()
	o = Options{Pool: &pool, Repair: true, NoBackup: true}
	if code, _ := cmdutil.ExitStatus(Run(context.Background(), &o, h.Env)); code != 1 || h.Stdout.String() != "REPAIRED: w lost=1 seq 643869:missing\n" {
		t.Fatalf("pipe report %d %q", code, h.Stdout.String())
	}
	h.Env.Format = ""
	ents, _ := os.ReadDir(h.Env.Dir)
	if len(ents) != 1 {
		t.Fatalf("--no-backup left %d files", len(ents))
	}
	for _, c := range []struct {
		o   Options
		msg string
	}{
		{Options{Pool: &pool, NoBackup: true}, "--no-backup requires --repair"},
		{Options{Pool: &pool, DryRun: true}, "--dry-run requires --repair"},
		{Options{All: true, Repair: true}, "--repair takes one pool, not --all"},
		{Options{Pool: &pool, Repair: true, Quick: true}, "--repair cannot be combined with --quick"},
	} {
		if e := wire.ErrorOf(Run(context.Background(), &c.o, h.Env)); e.Kind != core.Usage || e.Message != c.msg {
			t.Errorf("%+v: %+v", c.o, e)
		}
	}
	missing := "nope"
	if e := wire.ErrorOf(Run(context.Background(), &Options{Pool: &missing, Repair: true}, h.Env)); e.Kind != core.NotFound {
		t.Fatalf("missing pool: %+v", e)
	}
}

// doctor --all on a terminal counts an empty pool as 0 messages, as 1.2.1.
func TestDoctorAllSummary(t *testing.T) {
	h := cmdtest.New(t, "").Terminal(true, true, false)
	h.Pool(t, "aux")
	h.Pool(t, "main", `{"x":1}`, `{"x":2}`)
	if err := Run(context.Background(), &Options{All: true}, h.Env); err != nil {
		t.Fatal(err)
	}
	s := h.Stdout.String()
	for _, want := range []string{"All 2 pools healthy.", "aux", "0 messages", "main", "2 messages", "0 issues"} {
		if !strings.Contains(s, want) {
			t.Fatalf("no %q in\n%s", want, s)
		}
	}
}

// A message that cannot be read between readable ones is kept as a
// placeholder: the report says so, every other message stays, and both
// CLIs read the placeholder, tagged, where the message was.
func TestRepairPlaceholder(t *testing.T) {
	ref := reftest.Bin(t)
	h := cmdtest.New(t, "")
	p := h.Pool(t, "p")
	path := filepath.Join(h.Env.Dir, "p.plasmite")
	for i := 1; i <= 10; i++ {
		if _, err := p.AppendJSON([]byte(`{"i":`+strconv.Itoa(i)+`,"note":"a message of some size"}`), []string{"t"}, core.Fast); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	// Find the frame of seq 5 (magic FRM1, state committed, seq at +16)
	// and wipe its payload.
	b, _ := os.ReadFile(path)
	at := -1
	for o := 0; o+80 <= len(b); o += 8 {
		if string(b[o:o+4]) == "FRM1" && b[o+4] == 2 && b[o+16] == 5 && string(b[o+17:o+24]) == "\x00\x00\x00\x00\x00\x00\x00" {
			at = o
			break
		}
	}
	if at < 0 {
		t.Fatal("frame of seq 5 not found")
	}
	clear(b[at+64 : at+64+200])
	os.WriteFile(path, b, 0o644)

	pool := "p"
	r, code := runRepair(t, h, Options{Pool: &pool, JSON: true, Repair: true, NoBackup: true})
	if oldest, newest := r.after(); code != 1 || oldest != 1 || newest != 10 || len(r.Repair.Lost) != 1 ||
		r.Repair.Lost[0].FirstSeq != 5 || r.Repair.Lost[0].LastSeq != 5 || r.Repair.Lost[0].Reason != "damaged" || !r.Repair.Lost[0].Placeholder {
		t.Fatalf("repair %d %+v", code, r)
	}
	q, err := core.Open(path, core.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if got := strings.Join(cmdtest.Envelopes(t, q, 4, 5, 6), "\n"); !strings.Contains(got, `"data":{"i":4,`) ||
		!strings.Contains(got, `{"data":{"lost":"damaged"},"meta":{"tags":["plasmite.lost"]},"seq":5,`) || !strings.Contains(got, `"data":{"i":6,`) {
		t.Fatalf("seqs 4-6 read %s", got)
	}
	out, errb, code := reftest.Run(t, "--dir", h.Env.Dir, "follow", "p", "--no-follow", "--tag", core.PlaceholderTag)
	if code != 0 || !strings.Contains(string(out), `{"data":{"lost":"damaged"},"meta":{"tags":["plasmite.lost"]},"seq":5,`) ||
		strings.Count(string(out), "\n") != 1 {
		t.Fatalf("%s follow --tag %s: exit %d: %s %s", ref, core.PlaceholderTag, code, out, errb)
	}
}
