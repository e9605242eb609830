package mcp

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/internal/reftest"
)

// TestToolsMatchReference pins what an MCP client sees first against the
// 1.2.1 binary: tools/list (names, descriptions, input and output
// schemas, annotations) and initialize (capabilities, protocol version,
// instructions) must be byte for byte 1.2.1's, the version aside.
func TestToolsMatchReference(t *testing.T) {
	cmd := exec.Command(reftest.Bin(t), "--dir", t.TempDir(), "mcp")
	cmd.Env = reftest.Env(t)
	cmd.Stdin = strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}` + "\n" +
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}` + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		t.Fatalf("reference output: %s", out)
	}
	var ref [2]struct{ Result json.RawMessage }
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &ref[i]); err != nil {
			t.Fatal(err)
		}
	}
	s := New(Options{Version: "1.2.1"})
	if got := string(jsonfmt.AppendValue(nil, s.initializeResult(), jsonfmt.Compact)); got != string(ref[0].Result) {
		t.Errorf("initialize\n ref  %s\n ours %s", ref[0].Result, got)
	}
	if got := string(toolsListResult()); got != string(ref[1].Result) {
		t.Errorf("tools/list\n ref  %s\n ours %s", ref[1].Result, got)
	}
	var list struct{ Tools []struct{ Name string } }
	json.Unmarshal(toolsListResult(), &list)
	if len(list.Tools) != len(toolNames) {
		t.Fatalf("%d tools listed", len(list.Tools))
	}
	for i, tool := range list.Tools {
		if tool.Name != toolNames[i] {
			t.Errorf("tool %d is %s, want %s", i, tool.Name, toolNames[i])
		}
	}
}
