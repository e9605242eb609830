package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core/lite3"
)

// The cross-language conformance manifests (../shared/conformance, format in
// ../shared/spec/cli.md §8), run against the Go library. The manifests'
// directory is read-only here, so each manifest's workdir is created under
// the test's temporary directory instead of beside the manifest. spawn_poke
// runs the CLI named by PLASMITE_BIN (the manifest is skipped without it).

const conformanceDir = "../../shared/conformance"

type confManifest struct {
	Version int        `json:"conformance_version"`
	Name    string     `json:"name"`
	Workdir string     `json:"workdir"`
	Steps   []confStep `json:"steps"`
}

type confStep struct {
	Op     string          `json:"op"`
	ID     string          `json:"id"`
	Pool   string          `json:"pool"`
	Input  json.RawMessage `json:"input"`
	Expect json.RawMessage `json:"expect"`
}

type confMsg struct {
	Data json.RawMessage `json:"data"`
	Tags []string        `json:"tags"`
}

type confExpect struct {
	Error *struct {
		Kind            string `json:"kind"`
		MessageContains string `json:"message_contains"`
		HasPath         *bool  `json:"has_path"`
		HasSeq          *bool  `json:"has_seq"`
		HasOffset       *bool  `json:"has_offset"`
	} `json:"error"`
	Seq               *uint64         `json:"seq"`
	Data              json.RawMessage `json:"data"`
	Tags              []string        `json:"tags"`
	Messages          []confMsg       `json:"messages"`
	MessagesUnordered []confMsg       `json:"messages_unordered"`
	Names             []string        `json:"names"`
	FileSize          *uint64         `json:"file_size"`
	RingSize          *uint64         `json:"ring_size"`
	Bounds            *struct {
		Oldest, Newest *uint64
	} `json:"bounds"`
}

func TestConformance(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(conformanceDir, "*.json"))
	if len(files) == 0 {
		t.Skip("no conformance manifests at " + conformanceDir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var m confManifest
			if err := json.Unmarshal(raw, &m); err != nil || m.Version != 0 {
				t.Fatalf("bad manifest: %v (version %d)", err, m.Version)
			}
			wd := m.Workdir
			if wd == "" {
				wd = "work"
			}
			dir := filepath.Join(t.TempDir(), wd)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for i, st := range m.Steps {
				if err := runConfStep(t, dir, st); err != nil {
					t.Fatalf("step %d (%s): %v", i, st.ID, err)
				}
			}
		})
	}
}

func confPath(dir, pool string) string { return ResolveRef(dir, pool) }

// normJSON turns any JSON-able value into the generic tree encoding/json
// produces, so values decoded by different means compare equal.
func normJSON(v any) any {
	b, _ := json.Marshal(v)
	var out any
	json.Unmarshal(b, &out)
	return out
}

func decodeMsg(payload []byte) (data any, tags []string, err error) {
	m, err := lite3.ToAny(payload)
	if err != nil {
		return nil, nil, err
	}
	meta, _ := m["meta"].(map[string]any)
	tl, _ := meta["tags"].([]any)
	tags = []string{}
	for _, x := range tl {
		s, _ := x.(string)
		tags = append(tags, s)
	}
	return normJSON(m["data"]), tags, nil
}

func runConfStep(t *testing.T, dir string, st confStep) error {
	var exp confExpect
	if len(st.Expect) > 0 {
		if err := json.Unmarshal(st.Expect, &exp); err != nil {
			return err
		}
	}
	err := doConfStep(t, dir, st, &exp)
	if exp.Error == nil {
		return err
	}
	if err == nil {
		return fmt.Errorf("succeeded, want %s error", exp.Error.Kind)
	}
	var e *Error
	if !errors.As(err, &e) {
		return fmt.Errorf("error %v is not a *core.Error", err)
	}
	switch {
	case e.Kind.String() != exp.Error.Kind:
		return fmt.Errorf("kind %s, want %s (%v)", e.Kind, exp.Error.Kind, err)
	case exp.Error.MessageContains != "" && !strings.Contains(e.Error(), exp.Error.MessageContains):
		return fmt.Errorf("message %q lacks %q", e.Error(), exp.Error.MessageContains)
	case exp.Error.HasPath != nil && *exp.Error.HasPath != (e.Path != ""):
		return fmt.Errorf("has_path %v, want %v (%s)", e.Path != "", *exp.Error.HasPath, e.Display())
	case exp.Error.HasSeq != nil && *exp.Error.HasSeq != (e.Seq != nil):
		return fmt.Errorf("has_seq %v, want %v (%s)", e.Seq != nil, *exp.Error.HasSeq, e.Display())
	case exp.Error.HasOffset != nil && *exp.Error.HasOffset != (e.Offset != nil):
		return fmt.Errorf("has_offset %v, want %v", e.Offset != nil, *exp.Error.HasOffset)
	}
	return nil
}

func doConfStep(t *testing.T, dir string, st confStep, exp *confExpect) error {
	path := confPath(dir, st.Pool)
	var in struct {
		SizeBytes int64           `json:"size_bytes"`
		Data      json.RawMessage `json:"data"`
		Tags      []string        `json:"tags"`
		Seq       uint64          `json:"seq"`
		SinceSeq  *uint64         `json:"since_seq"`
		Max       int             `json:"max"`
		Messages  []confMsg       `json:"messages"`
	}
	if len(st.Input) > 0 {
		if err := json.Unmarshal(st.Input, &in); err != nil {
			return err
		}
	}
	switch st.Op {
	case "create_pool":
		p, err := Create(path, in.SizeBytes)
		if err != nil {
			return err
		}
		return p.Close()
	case "append":
		p, err := Open(path, OpenOptions{})
		if err != nil {
			return err
		}
		defer p.Close()
		r, err := p.AppendJSON(in.Data, in.Tags, Fast)
		if err != nil {
			return err
		}
		if exp.Seq != nil && r.Seq != *exp.Seq {
			return fmt.Errorf("seq %d, want %d", r.Seq, *exp.Seq)
		}
	case "get":
		p, err := Open(path, OpenOptions{})
		if err != nil {
			return err
		}
		defer p.Close()
		m, err := p.Get(in.Seq)
		if err != nil {
			return err
		}
		data, tags, err := decodeMsg(m.Payload)
		if err != nil {
			return err
		}
		if exp.Data != nil && !reflect.DeepEqual(data, normJSON(exp.Data)) {
			return fmt.Errorf("data %v, want %s", data, exp.Data)
		}
		if exp.Tags != nil && !slices.Equal(tags, exp.Tags) {
			return fmt.Errorf("tags %v, want %v", tags, exp.Tags)
		}
	case "tail":
		p, err := Open(path, OpenOptions{})
		if err != nil {
			return err
		}
		defer p.Close()
		opts := TailOptions{}
		if in.SinceSeq != nil {
			opts = TailOptions{Start: StartSeq, Seq: *in.SinceSeq}
		}
		want := exp.Messages
		if exp.MessagesUnordered != nil {
			want = exp.MessagesUnordered
		}
		max := in.Max
		if max == 0 {
			max = len(want)
		}
		tl, err := p.Tail(opts)
		if err != nil {
			return err
		}
		defer tl.Close()
		var got []string
		var last uint64
		for len(got) < max {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			m, err := tl.Next(ctx)
			cancel()
			if errors.Is(err, context.DeadlineExceeded) {
				break
			}
			if err != nil {
				return err
			}
			if m.Seq <= last {
				return fmt.Errorf("seq %d after %d", m.Seq, last)
			}
			last = m.Seq
			data, tags, err := decodeMsg(m.Payload)
			if err != nil {
				return err
			}
			got = append(got, confKey(data, tags, true))
		}
		var wantKeys []string
		for _, w := range want {
			wantKeys = append(wantKeys, confKey(normJSON(w.Data), w.Tags, w.Tags != nil))
		}
		if exp.MessagesUnordered != nil {
			slices.Sort(got)
			slices.Sort(wantKeys)
		}
		if !slices.Equal(got, wantKeys) {
			return fmt.Errorf("messages %v, want %v", got, wantKeys)
		}
	case "list_pools":
		ents, err := List(dir)
		if err != nil {
			return err
		}
		var names []string
		for _, e := range ents {
			names = append(names, e.Name)
		}
		want := slices.Clone(exp.Names)
		slices.Sort(want)
		if !slices.Equal(names, want) {
			return fmt.Errorf("names %v, want %v", names, want)
		}
	case "pool_info":
		p, err := Open(path, OpenOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer p.Close()
		in, err := p.Info()
		if err != nil {
			return err
		}
		if exp.FileSize != nil && in.FileSize != *exp.FileSize {
			return fmt.Errorf("file_size %d", in.FileSize)
		}
		if exp.RingSize != nil && in.RingSize != *exp.RingSize {
			return fmt.Errorf("ring_size %d", in.RingSize)
		}
		if b := exp.Bounds; b != nil {
			empty := in.Bounds == (Bounds{})
			if (b.Oldest == nil) != empty || (b.Oldest != nil && *b.Oldest != in.Bounds.Oldest) ||
				(b.Newest == nil) != empty || (b.Newest != nil && *b.Newest != in.Bounds.Newest) {
				return fmt.Errorf("bounds %+v", in.Bounds)
			}
		}
	case "delete_pool":
		return Delete(path)
	case "corrupt_pool_header":
		p, err := Open(path, OpenOptions{})
		if err != nil {
			return err
		}
		p.Close()
		return os.WriteFile(path, []byte("NOPE"), 0o644)
	case "chmod_path":
		var ci struct {
			Path string `json:"path"`
			Mode string `json:"mode"`
		}
		json.Unmarshal(st.Input, &ci)
		var mode uint32
		fmt.Sscanf(ci.Mode, "%o", &mode)
		return os.Chmod(filepath.Join(dir, ci.Path), os.FileMode(mode))
	case "spawn_poke":
		bin := os.Getenv("PLASMITE_BIN")
		if bin == "" {
			t.Skip("spawn_poke needs the CLI: set PLASMITE_BIN")
		}
		var wg sync.WaitGroup
		errs := make([]error, len(in.Messages))
		for i, m := range in.Messages {
			args := []string{"--dir", dir, "feed", st.Pool, string(mustCompact(m.Data))}
			for _, tg := range m.Tags {
				args = append(args, "--tag", tg)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
					errs[i] = fmt.Errorf("feed %d: %v: %s", i, err, out)
				}
			}()
		}
		wg.Wait()
		return errors.Join(errs...)
	case "retention_gap":
		size := in.SizeBytes
		if size == 0 {
			size = 65536
		}
		return confRetentionGap(dir, st.Pool, size)
	default:
		return fmt.Errorf("unknown op %q", st.Op)
	}
	return nil
}

func mustCompact(raw json.RawMessage) []byte {
	b, _ := json.Marshal(normJSON(raw))
	return b
}

func confKey(data any, tags []string, withTags bool) string {
	b, _ := json.Marshal(data)
	if !withTags {
		return string(b)
	}
	return string(b) + fmt.Sprint(tags)
}

// confRetentionGap is the retention_gap op of cli.md §8.1.
func confRetentionGap(dir, base string, size int64) error {
	fill := func(p *Pool, gone uint64) error {
		pad := `"` + strings.Repeat("x", 4096) + `"`
		for i := 0; p.Bounds().Oldest <= gone; i++ {
			if _, err := p.AppendJSON([]byte(fmt.Sprintf(`{"i":%d,"padding":%s}`, i, pad)), nil, Fast); err != nil {
				return err
			}
		}
		return nil
	}
	stale, err := Create(confPath(dir, base+"-stale"), size)
	if err != nil {
		return err
	}
	defer stale.Close()
	r, err := stale.AppendJSON([]byte(`{"kind":"first"}`), nil, Fast)
	if err != nil {
		return err
	}
	first := r.Seq
	if err := fill(stale, first); err != nil {
		return err
	}
	tl, _ := stale.Tail(TailOptions{Start: StartSeq, Seq: first})
	m, ok, err := tl.TryNext()
	tl.Close()
	if err != nil || !ok || m.Seq <= first {
		return fmt.Errorf("continue policy: %v %v seq %d", ok, err, m.Seq)
	}
	tl, _ = stale.Tail(TailOptions{Start: StartSeq, Seq: first, Tags: []string{"never"}, Gap: GapError})
	_, _, err = tl.TryNext()
	var e *Error
	if !errors.As(err, &e) || e.Kind != RetentionGap || e.Seq == nil || *e.Seq != first {
		return fmt.Errorf("stale since_seq: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	_, err = tl.Next(ctx)
	cancel()
	tl.Close()
	if err != io.EOF {
		return fmt.Errorf("after the gap: %v, want end of stream", err)
	}

	est, err := Create(confPath(dir, base+"-established"), size)
	if err != nil {
		return err
	}
	defer est.Close()
	r, _ = est.AppendJSON([]byte(`{"kind":"seed"}`), nil, Fast)
	seed := r.Seq
	est.AppendJSON([]byte(`{"kind":"second"}`), nil, Fast)
	tl, _ = est.Tail(TailOptions{Start: StartSeq, Seq: seed, Gap: GapError})
	defer tl.Close()
	for _, want := range []uint64{seed, seed + 1} {
		m, ok, err := tl.TryNext()
		if err != nil || !ok || m.Seq != want {
			return fmt.Errorf("established tail: seq %d %v %v, want %d", m.Seq, ok, err, want)
		}
	}
	other, err := Open(est.Path(), OpenOptions{})
	if err != nil {
		return err
	}
	defer other.Close()
	r, _ = other.AppendJSON([]byte(`{"kind":"first-missing"}`), nil, Fast)
	if err := fill(other, r.Seq); err != nil {
		return err
	}
	_, _, err = tl.TryNext()
	if !errors.As(err, &e) || e.Kind != RetentionGap || e.Seq == nil || *e.Seq != r.Seq ||
		!strings.HasPrefix(e.Message, fmt.Sprintf("messages %d-", r.Seq)) {
		return fmt.Errorf("established gap: %v", err)
	}
	return nil
}
