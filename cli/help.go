package main

import (
	"strings"
)

func (a *app) topHelp() string {
	var b strings.Builder
	b.WriteString(`Plasmite keeps JSON messages in pools: a pool is one file holding a bounded,
persistent stream. Any number of processes can append to it and follow it at once,
with no server. ` + "`feed` appends, `follow` streams, `fetch` reads one message." + `

Usage: plasmite [OPTIONS] <COMMAND>

Commands:
`)
	w := 0
	for _, c := range a.root.Subs {
		if len(c.Name) > w {
			w = len(c.Name)
		}
	}
	for _, c := range a.root.Subs {
		b.WriteString("  " + c.Name + strings.Repeat(" ", w-len(c.Name)+2) + c.About + "\n")
	}
	b.WriteString("  help" + strings.Repeat(" ", w-4+2) + "Print help for a command\n")
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

func (a *app) usageLine(c *cmdSpec) string {
	if c.Usage != "" {
		return "plasmite " + c.Usage
	}
	s := "plasmite " + c.path()
	if len(c.Subs) > 0 {
		return s + " <COMMAND>"
	}
	if len(c.Flags) > 0 {
		s += " [OPTIONS]"
	}
	for _, as := range c.Args {
		s += " " + as.display()
	}
	return s
}

func (a *app) cmdHelp(c *cmdSpec, long bool) string {
	var b strings.Builder
	b.WriteString(c.About + "\n\nUsage: " + a.usageLine(c) + "\n")
	if len(c.Subs) > 0 {
		b.WriteString("\nCommands:\n")
		w := 4
		for _, s := range c.Subs {
			if len(s.Name) > w {
				w = len(s.Name)
			}
		}
		for _, s := range c.Subs {
			b.WriteString("  " + s.Name + strings.Repeat(" ", w-len(s.Name)+2) + s.About + "\n")
		}
		b.WriteString("  help" + strings.Repeat(" ", w-4+2) + "Print this message or the help of the given subcommand(s)\n")
	}
	if len(c.Args) > 0 || c.Trailing != "" {
		b.WriteString("\nArguments:\n")
		rows := [][2]string{}
		for _, as := range c.Args {
			rows = append(rows, [2]string{as.display(), as.Help})
		}
		if c.Trailing != "" {
			rows = append(rows, [2]string{"<" + c.Trailing + ">...", "The command to run and its arguments, after --"})
		}
		writeRows(&b, rows)
	}
	b.WriteString("\nOptions:\n")
	rows := [][2]string{}
	for _, f := range c.Flags {
		if f.Hidden {
			continue
		}
		left := "    "
		if f.Short != 0 {
			left = "-" + string(f.Short) + ", "
		}
		left += "--" + f.Long
		if f.Value != "" {
			left += " <" + f.Value + ">"
		}
		help := f.Help
		if len(f.Enum) > 0 && long {
			help += " [possible values: " + strings.Join(f.Enum, ", ") + "]"
		}
		rows = append(rows, [2]string{left, help})
	}
	writeRows(&b, rows)
	if len(c.Notes) > 0 {
		b.WriteString("\nNotes:\n")
		for _, n := range c.Notes {
			b.WriteString("  " + n + "\n")
		}
	}
	if len(c.Examples) > 0 {
		b.WriteString("\nExamples:\n")
		for _, e := range c.Examples {
			b.WriteString("  " + e + "\n")
		}
	}
	return b.String()
}

func writeRows(b *strings.Builder, rows [][2]string) {
	w := 0
	for _, r := range rows {
		if len(r[0]) > w {
			w = len(r[0])
		}
	}
	for _, r := range rows {
		b.WriteString("  " + r[0])
		if r[1] != "" {
			b.WriteString(strings.Repeat(" ", w-len(r[0])+2) + r[1])
		}
		b.WriteString("\n")
	}
}
