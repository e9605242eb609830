package follow

import (
	"io"
	"testing"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
)

// BenchmarkFollowerPrint is follow's per-message work once a message is
// read: filters, rendering into the reused buffer, the write. It allocates
// nothing per message.
func BenchmarkFollowerPrint(b *testing.B) {
	doc, err := lite3.EncodeMessage(nil, []byte(`{"i":12345,"svc":"api-3","level":"info","msg":"request served in 17 ms","ok":true}`), []string{"web"})
	if err != nil {
		b.Fatal(err)
	}
	m := core.Message{Seq: 1, Time: 1_700_000_000_000_000_000, Payload: doc}
	where, err := compileWhere([]string{`.data.level == "info"`})
	if err != nil {
		b.Fatal(err)
	}
	env := &cmdutil.Env{Stdout: cmdutil.NewStream(io.Discard, false), Stderr: cmdutil.NewStream(io.Discard, false)}
	f := &follower{env: env, style: jsonfmt.Compact, tags: []string{"web"}, where: where}
	b.ReportAllocs()
	for b.Loop() {
		m.Seq++
		if err := f.saw(m.Seq); err != nil {
			b.Fatal(err)
		}
		if ok, err := f.keep(m); err != nil || !ok {
			b.Fatal("filtered out", err)
		}
		if err := f.print(m); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.flush(); err != nil {
		b.Fatal(err)
	}
}
