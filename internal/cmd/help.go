package cmd

import (
	"strings"

	"github.com/plasmite-go/plasmite/internal/clap"
)

// topHelp is the top level's help page (its own layout, as 1.2.1 has).
func topHelp(root *clap.Command) string {
	var b strings.Builder
	b.WriteString(`Plasmite keeps JSON messages in pools: a pool is one file holding a bounded,
persistent stream. Any number of processes can append to it and follow it at once,
with no server. ` + "`feed` appends, `follow` streams, `fetch` reads one message." + `

Usage: plasmite [OPTIONS] <COMMAND>

Commands:
`)
	b.WriteString(clap.CommandList(root, "Print help for a command"))
	b.WriteString(`
Options:
      --dir <DIR>        Directory for named pools (default ~/.plasmite/pools)
      --color <COLOR>    auto, always or never (default auto)
      --format <FORMAT>  pretty or json (also lite3 for message commands); default
                         pretty on a terminal, json in a pipe
  -h, --help             Print help
  -V, --version          Print version

First local workflow:
  plasmite pool create chat                       # a 1M pool in the pool directory
  plasmite follow chat &                          # print messages as they arrive
  plasmite feed chat '{"from":"alice","msg":"hi"}'
  plasmite follow chat --tail 10 --jsonl          # the last ten, one per line
  plasmite fetch chat 1                           # one message by sequence number

Output:
  Messages print as {"data","meta":{"tags"},"seq","time"}. On a terminal output is
  readable text or pretty JSON; in a pipe it is compact JSON, one document per line.
  "follow a | feed b" copies messages with their tags. Errors go to stderr in the same
  form, and the exit status tells the kind: 2 usage, 3 not found, 4 exists, 5 busy,
  6 permission, 7 corrupt, 8 I/O, 124 timeout.

--dir, --color and --format work before or after the command (not after tap's --).
Run plasmite <command> --help for each command's options and examples.
`)
	return b.String()
}
