package q

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/lite3"
)

func fl(n int) int { return (64 + n + 8 + 7) &^ 7 }

func TestMake(t *testing.T) {
	dir := os.Getenv("DIR")
	for _, extra := range []int{64, 56} {
		for F := 5200; F < 9000; F += 8 {
			capy := F / 256
			if b := (F - 5120) / 16; b < capy {
				capy = b
			}
			if capy < 0 {
				capy = 0
			}
			R := F - 4096 - 16*capy
			if (R-extra)%2 != 0 {
				continue
			}
			want := (R - extra) / 2
			for L := 0; L < 2000; L++ {
				data := fmt.Sprintf(`{"p":"%s"}`, strings.Repeat("x", L))
				doc, _ := lite3.EncodeMessage(nil, []byte(data), nil)
				if fl(len(doc)) == want {
					name := fmt.Sprintf("q%d", extra)
					p, err := core.Create(filepath.Join(dir, name+".plasmite"), int64(F))
					if err != nil {
						t.Fatal(err)
					}
					for i := 0; i < 4; i++ {
						if _, err := p.AppendJSON([]byte(data), nil, core.Fast); err != nil {
							t.Fatal(err)
						}
					}
					in, _ := p.Info()
					t.Logf("%s: F=%d R=%d FL=%d bounds %v", name, F, R, want, in.Bounds)
					p.Close()
					goto next
				}
				if fl(len(doc)) > want {
					break
				}
			}
		}
	next:
	}
}
