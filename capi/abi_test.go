//go:build cgo

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The header and the library must declare and export the same functions with
// the same signatures. The cgo build already refuses a prototype that
// conflicts with the header; these tests add the other direction (nothing
// declared but missing, nothing exported but undeclared) and compare the
// symbol tables of the built libraries.

var (
	commentRE = regexp.MustCompile(`(?s)/\*.*?\*/|//[^\n]*`)
	protoRE   = regexp.MustCompile(`([A-Za-z_][\w \t\*]*?)\b(plsm_\w+)\s*\(([^()]*)\)\s*;`)
	identRE   = regexp.MustCompile(`[A-Za-z_]\w*$`)
	spaceRE   = regexp.MustCompile(`\s+`)
	starRE    = regexp.MustCompile(`\s*\*\s*`)
)

// cgo's spellings of the header's const-qualified types (see capi.h).
var cgoTypedefs = strings.NewReplacer(
	"plsm__cchar", "const char",
	"plsm__cu8", "const uint8_t",
	"plsm__copts", "const plsm_stream_options_t",
	"plsm__cjsonmsg", "const plsm_json_message_t",
	"plsm__cudpevent", "const plsm_udp_event_t",
	"plsm__cremoteopts", "const plsm_remote_options_t",
)

// normType renders a C type with single spaces and no space around "*".
func normType(t string) string {
	t = spaceRE.ReplaceAllString(strings.TrimSpace(t), " ")
	return starRE.ReplaceAllString(t, "*")
}

// prototypes extracts "ret name(type, type, …)" for every plsm_ function
// declared in C source text, without parameter names.
func prototypes(t *testing.T, src string) map[string]string {
	t.Helper()
	src = commentRE.ReplaceAllString(src, "")
	var lines []string
	for _, l := range strings.Split(src, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			lines = append(lines, l)
		}
	}
	src = strings.Join(lines, "\n")
	out := map[string]string{}
	for _, m := range protoRE.FindAllStringSubmatch(src, -1) {
		ret := strings.TrimSpace(m[1])
		if i := strings.LastIndexAny(ret, ";{}"); i >= 0 {
			ret = ret[i+1:]
		}
		ret = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(ret), "extern"))
		if strings.HasPrefix(ret, "typedef") {
			continue
		}
		var params []string
		for _, p := range strings.Split(m[3], ",") {
			p = spaceRE.ReplaceAllString(strings.TrimSpace(p), " ")
			if p == "void" || p == "" {
				continue
			}
			// Drop the parameter name: both headers name every parameter
			// (cgo writes p0 for unnamed Go parameters).
			if id := identRE.FindString(p); id != "" && strings.TrimSpace(p[:len(p)-len(id)]) != "" {
				p = p[:len(p)-len(id)]
			}
			params = append(params, normType(p))
		}
		name := m[2]
		if _, dup := out[name]; dup {
			t.Errorf("%s declared twice", name)
		}
		out[name] = normType(ret) + " " + name + "(" + strings.Join(params, ", ") + ")"
	}
	return out
}

// mapDiff lists the entries of a and b that differ, "-" for a, "+" for b.
func mapDiff(a, b map[string]string) string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	var ks []string
	for k := range seen {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var d strings.Builder
	for _, k := range ks {
		av, aok := a[k]
		bv, bok := b[k]
		if aok && bok && av == bv {
			continue
		}
		if aok {
			d.WriteString("- " + av + "\n")
		}
		if bok {
			d.WriteString("+ " + bv + "\n")
		}
	}
	return d.String()
}

// buildLib builds libplasmite.so (and cgo's header) unless the Makefile
// already did and said where (PLASMITE_LIB_DIR, PLASMITE_CGO_HEADER).
func buildLib(t *testing.T) (so, cgoHeader string) {
	t.Helper()
	if dir := os.Getenv("PLASMITE_LIB_DIR"); dir != "" {
		return filepath.Join(dir, "libplasmite.so"), os.Getenv("PLASMITE_CGO_HEADER")
	}
	if testing.Short() {
		t.Skip("builds the shared library; skipped in -short mode")
	}
	dir := t.TempDir()
	so = filepath.Join(dir, "libplasmite.so")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", so, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -buildmode=c-shared: %v\n%s", err, out)
	}
	return so, filepath.Join(dir, "libplasmite.h")
}

func TestHeaderMatchesExports(t *testing.T) {
	hdr, err := os.ReadFile("../include/plasmite.h")
	if err != nil {
		t.Fatal(err)
	}
	declared := prototypes(t, string(hdr))
	if len(declared) < 20 {
		t.Fatalf("found only %d prototypes in plasmite.h; the parser is broken", len(declared))
	}

	so, cgoHeader := buildLib(t)
	gen, err := os.ReadFile(cgoHeader)
	if err != nil {
		t.Fatal(err)
	}
	// Only the export block: cgo's header starts with our own preamble.
	text := string(gen)
	if i := strings.Index(text, "extern int plsm_"); i >= 0 {
		text = text[strings.LastIndex(text[:i], "\n")+1:]
	}
	exported := prototypes(t, cgoTypedefs.Replace(text))
	if diff := mapDiff(declared, exported); diff != "" {
		t.Errorf("header (-) and cgo exports (+) differ:\n%s", diff)
	}

	nm, err := exec.Command("nm", "-D", "--defined-only", so).Output()
	if err != nil {
		t.Skipf("nm unavailable: %v", err)
	}
	var syms []string
	for _, l := range strings.Split(string(nm), "\n") {
		f := strings.Fields(l)
		if len(f) == 3 && f[1] == "T" && strings.HasPrefix(f[2], "plsm_") {
			syms = append(syms, f[2])
		}
	}
	sort.Strings(syms)
	symset := map[string]string{}
	for _, s := range syms {
		symset[s] = s
	}
	names := map[string]string{}
	for n := range declared {
		names[n] = n
	}
	if diff := mapDiff(names, symset); diff != "" {
		t.Errorf("header (-) and libplasmite.so dynamic symbols (+) differ:\n%s", diff)
	}
}

// The reference's 32 functions keep their exact prototypes; ours only add.
func TestHeaderKeepsReferenceDeclarations(t *testing.T) {
	hdr, err := os.ReadFile("../include/plasmite.h")
	if err != nil {
		t.Fatal(err)
	}
	declared := prototypes(t, string(hdr))
	for name, want := range referencePrototypes {
		if got := declared[name]; got != want {
			t.Errorf("%s:\n got  %s\n want %s", name, got, want)
		}
	}
	if len(referencePrototypes) != 32 {
		t.Errorf("reference list has %d entries, want 32", len(referencePrototypes))
	}
}

// referencePrototypes are the functions of the reference release 1.2.1's
// header (the spec's 20 plus 12 UDP functions), normalized as above.
var referencePrototypes = map[string]string{
	"plsm_client_new":           "int plsm_client_new(const char*, plsm_client_t**, plsm_error_t**)",
	"plsm_client_free":          "void plsm_client_free(plsm_client_t*)",
	"plsm_pool_create":          "int plsm_pool_create(plsm_client_t*, const char*, uint64_t, plsm_pool_t**, plsm_error_t**)",
	"plsm_pool_open":            "int plsm_pool_open(plsm_client_t*, const char*, plsm_pool_t**, plsm_error_t**)",
	"plsm_pool_free":            "void plsm_pool_free(plsm_pool_t*)",
	"plsm_pool_append_json":     "int plsm_pool_append_json(plsm_pool_t*, const uint8_t*, size_t, const char**, size_t, uint32_t, plsm_buf_t*, plsm_error_t**)",
	"plsm_pool_append_lite3":    "int plsm_pool_append_lite3(plsm_pool_t*, const uint8_t*, size_t, uint32_t, uint64_t*, plsm_error_t**)",
	"plsm_pool_get_json":        "int plsm_pool_get_json(plsm_pool_t*, uint64_t, plsm_buf_t*, plsm_error_t**)",
	"plsm_pool_get_lite3":       "int plsm_pool_get_lite3(plsm_pool_t*, uint64_t, plsm_lite3_frame_t*, plsm_error_t**)",
	"plsm_stream_open":          "int plsm_stream_open(plsm_pool_t*, uint64_t, uint32_t, uint64_t, uint32_t, uint64_t, uint32_t, plsm_stream_t**, plsm_error_t**)",
	"plsm_stream_open_ex":       "int plsm_stream_open_ex(plsm_pool_t*, const plsm_stream_options_t*, plsm_stream_t**, plsm_error_t**)",
	"plsm_stream_next":          "int plsm_stream_next(plsm_stream_t*, plsm_buf_t*, plsm_error_t**)",
	"plsm_lite3_stream_open":    "int plsm_lite3_stream_open(plsm_pool_t*, uint64_t, uint32_t, uint64_t, uint32_t, uint64_t, uint32_t, plsm_lite3_stream_t**, plsm_error_t**)",
	"plsm_lite3_stream_open_ex": "int plsm_lite3_stream_open_ex(plsm_pool_t*, const plsm_stream_options_t*, plsm_lite3_stream_t**, plsm_error_t**)",
	"plsm_lite3_stream_next":    "int plsm_lite3_stream_next(plsm_lite3_stream_t*, plsm_lite3_frame_t*, plsm_error_t**)",
	"plsm_stream_free":          "void plsm_stream_free(plsm_stream_t*)",
	"plsm_lite3_stream_free":    "void plsm_lite3_stream_free(plsm_lite3_stream_t*)",
	"plsm_buf_free":             "void plsm_buf_free(plsm_buf_t*)",
	"plsm_lite3_frame_free":     "void plsm_lite3_frame_free(plsm_lite3_frame_t*)",
	"plsm_error_free":           "void plsm_error_free(plsm_error_t*)",
	"plsm_udp_client_new":       "int plsm_udp_client_new(const char*, plsm_udp_client_t**, plsm_error_t**)",
	"plsm_udp_client_free":      "void plsm_udp_client_free(plsm_udp_client_t*)",
	"plsm_udp_client_open_pool": "int plsm_udp_client_open_pool(plsm_udp_client_t*, const char*, plsm_udp_pool_t**, plsm_error_t**)",
	"plsm_udp_pool_free":        "void plsm_udp_pool_free(plsm_udp_pool_t*)",
	"plsm_udp_pool_send_json":   "int plsm_udp_pool_send_json(plsm_udp_pool_t*, const uint8_t*, size_t, const char**, size_t, plsm_error_t**)",
	"plsm_udp_pool_send_lite3":  "int plsm_udp_pool_send_lite3(plsm_udp_pool_t*, const uint8_t*, size_t, plsm_error_t**)",
	"plsm_udp_pool_follow":      "int plsm_udp_pool_follow(plsm_udp_pool_t*, uint32_t, uint64_t, uint32_t, plsm_udp_follow_t**, plsm_error_t**)",
	"plsm_udp_follow_next":      "int plsm_udp_follow_next(plsm_udp_follow_t*, uint64_t, plsm_udp_event_t*, plsm_error_t**)",
	"plsm_udp_follow_cancel":    "void plsm_udp_follow_cancel(plsm_udp_follow_t*)",
	"plsm_udp_follow_close":     "void plsm_udp_follow_close(plsm_udp_follow_t*)",
	"plsm_udp_event_free":       "void plsm_udp_event_free(plsm_udp_event_t*)",
	"plsm_udp_event_message":    "int plsm_udp_event_message(const plsm_udp_event_t*, plsm_buf_t*, plsm_error_t**)",
}
