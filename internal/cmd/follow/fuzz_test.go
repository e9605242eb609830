package follow

import (
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
)

// Any follow command line parses or fails with an error, never a panic;
// no --where text panics the fast-path recogniser.
func FuzzFollowArgs(f *testing.F) {
	for _, s := range []string{"x --tail 5", "--since 5m --tail 0 x", `x --where .data.a==1`, "x -n5 --one", "--replay=-1 x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parseFast(s)
		c, err := clap.Parse(Command(&cmdutil.Env{}), strings.Fields(s))
		if c == nil && err == nil {
			t.Fatal("nil command without error")
		}
	})
}
