package clap

import "strings"

// UsageLine is the command's usage line: "plasmite follow [OPTIONS] <POOL>".
func UsageLine(c *Command) string {
	prog := c.Root().Name
	if c.Usage != "" {
		return prog + " " + c.Usage
	}
	s := prog + " " + c.Path()
	if len(c.Subs) > 0 {
		return s + " <COMMAND>"
	}
	if len(c.Flags) > 0 {
		s += " [OPTIONS]"
	}
	for i := range c.Args {
		s += " " + c.Args[i].Display()
	}
	return s
}

// Help renders the command's help page: its CustomHelp when it has one,
// else about, usage, subcommands, arguments, options (with the possible
// values of enums in the long form, --help), notes and examples.
func Help(c *Command, long bool) string {
	Link(c.Root())
	if c.CustomHelp != nil {
		return c.CustomHelp(long)
	}
	var b strings.Builder
	b.WriteString(c.About + "\n\nUsage: " + UsageLine(c) + "\n")
	if len(c.Subs) > 0 {
		b.WriteString("\nCommands:\n" + CommandList(c, "Print this message or the help of the given subcommand(s)"))
	}
	if len(c.Args) > 0 || c.Trailing != nil {
		b.WriteString("\nArguments:\n")
		rows := [][2]string{}
		for i := range c.Args {
			rows = append(rows, [2]string{c.Args[i].Display(), c.Args[i].Help})
		}
		if t := c.Trailing; t != nil {
			rows = append(rows, [2]string{"<" + t.Name + ">...", t.Help})
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

// CommandList lists c's subcommands and their abouts in two aligned
// columns, then "help" with helpAbout.
func CommandList(c *Command, helpAbout string) string {
	var b strings.Builder
	w := len("help")
	for _, s := range c.Subs {
		w = max(w, len(s.Name))
	}
	for _, s := range c.Subs {
		b.WriteString("  " + s.Name + strings.Repeat(" ", w-len(s.Name)+2) + s.About + "\n")
	}
	b.WriteString("  help" + strings.Repeat(" ", w-4+2) + helpAbout + "\n")
	return b.String()
}

// writeRows writes two aligned columns.
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

// HelpFlag is the -h/--help entry of a command's options list (the parser
// answers -h and --help whether or not a command lists it).
var HelpFlag = Flag{Long: "help", Short: 'h', Help: "Print help"}
