package lite3

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedDir is the shared test-vector directory (../shared from the
// project root).
func sharedDir(t testing.TB) string {
	t.Helper()
	dir := sharedPath()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared test vectors not found at %s", dir)
	}
	return dir
}

// sharedPath is where the shared Lite3 vectors are expected.
func sharedPath() string {
	if env := os.Getenv("PLASMITE_SHARED"); env != "" {
		return filepath.Join(env, "testdata", "lite3")
	}
	return filepath.Join("..", "..", "..", "shared", "testdata", "lite3")
}

// fuzzVectors is loadVectors for fuzz seeds: without the shared vectors a
// fuzz target still runs its other seeds and its testdata/fuzz corpus,
// instead of being skipped whole.
func fuzzVectors(f *testing.F) []vector {
	if _, err := os.Stat(sharedPath()); err != nil {
		return nil
	}
	return loadVectors(f)
}

type vector struct {
	Name     string          `json:"name"`
	Data     json.RawMessage `json:"data"`
	Tags     []string        `json:"tags"`
	Envelope string          `json:"envelope"`
	Hex      string          `json:"lite3_hex"`
	Error    string          `json:"error"`
	bytes    []byte
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	f, err := os.Open(filepath.Join(sharedDir(t), "vectors.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vs []vector
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var v vector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		if v.Hex != "" {
			v.bytes, err = hex.DecodeString(v.Hex)
			if err != nil {
				t.Fatal(err)
			}
		}
		if v.Tags == nil {
			v.Tags = []string{}
		}
		vs = append(vs, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(vs) != 63 {
		t.Fatalf("expected 63 vectors, got %d", len(vs))
	}
	return vs
}

type golden struct {
	name  string
	data  []byte
	tags  []string
	bytes []byte
}

// loadGoldens splits each golden envelope into its data text and tags.
func loadGoldens(t testing.TB) []golden {
	t.Helper()
	dir := sharedDir(t)
	names, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(names) != 5 {
		t.Fatalf("expected 5 golden files, got %d", len(names))
	}
	var gs []golden
	for _, n := range names {
		text, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		hx, err := os.ReadFile(strings.TrimSuffix(n, ".json") + ".lite3.hex")
		if err != nil {
			t.Fatal(err)
		}
		want, err := hex.DecodeString(strings.TrimSpace(string(hx)))
		if err != nil {
			t.Fatal(err)
		}
		var env struct {
			Meta struct {
				Tags []string `json:"tags"`
			} `json:"meta"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(bytes.TrimSpace(text), &env); err != nil {
			t.Fatal(err)
		}
		gs = append(gs, golden{filepath.Base(n), env.Data, env.Meta.Tags, want})
	}
	return gs
}

func TestEncodeVectorsLegacy(t *testing.T) {
	for _, v := range loadVectors(t) {
		got, err := EncodeMessageLegacy(nil, v.Data, v.Tags)
		if v.Error != "" {
			var le *Error
			if err == nil {
				t.Errorf("%s: expected an error, got %d bytes", v.Name, len(got))
			} else if e, ok := err.(*Error); !ok || e.Corrupt {
				t.Errorf("%s: want a usage *Error, got %#v", v.Name, err)
			} else {
				le = e
				if !strings.Contains(le.Msg, "deeper") {
					t.Errorf("%s: unexpected message %q", v.Name, le.Msg)
				}
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		if !bytes.Equal(got, v.bytes) {
			t.Errorf("%s: bytes differ (got %d, want %d bytes) first diff at %d", v.Name, len(got), len(v.bytes), firstDiff(got, v.bytes))
		}
		// The envelope text gives the same result (its data keys are sorted).
		if !strings.HasPrefix(v.Envelope, `{"meta":`) {
			t.Fatalf("%s: odd envelope", v.Name)
		}
	}
}

func TestEncodeGoldensLegacy(t *testing.T) {
	for _, g := range loadGoldens(t) {
		got, err := EncodeMessageLegacy(nil, g.data, g.tags)
		if err != nil {
			t.Errorf("%s: %v", g.name, err)
			continue
		}
		if !bytes.Equal(got, g.bytes) {
			t.Errorf("%s: bytes differ (got %d, want %d bytes) first diff at %d", g.name, len(got), len(g.bytes), firstDiff(got, g.bytes))
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
