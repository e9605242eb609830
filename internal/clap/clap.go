// Package clap parses command lines the way the reference release's CLI
// (built on Rust's clap) does, with its error wording, which scripts match:
// long and short options, --opt=value, -n5, clustered switches, `--`,
// subcommands, enum and numeric validation, conflicts, required arguments,
// help-if-empty commands, and help text generated from the declarations.
//
// A program declares a tree of Commands whose Flags and Args carry a Value
// that stores the parsed text, typed, in the command's own options struct;
// Parse fills them and returns the command to run. Anything particular to
// one command (an optional trailing argument, the hint for a missing one,
// a custom help page) is declared on that command, never known here by name.
package clap

import (
	"context"
	"strings"

	"github.com/plasmite-go/plasmite/core"
)

// Flag is an option. Value "" makes it a switch.
type Flag struct {
	Long  string
	Alias string // another long name (an older spelling)
	Short byte
	Value string // metavar, e.g. "TAIL"
	Enum  []string
	Multi bool // may be given more than once
	// NonEmpty refuses an empty value ("--dir="), as the reference's parser
	// does for paths and enumerations (Enum implies it).
	NonEmpty bool
	Help     string
	Hidden   bool
	// Global flags of a command are also accepted by all its descendants
	// (appended to their flags unless one declares the same long name).
	Global bool
	// Request makes the switch a request (like --version): Parse stops at
	// it and returns a *Request naming it.
	Request bool
	Into    Value // receives the value (nil: checked, not stored)
}

// Arg is a positional argument.
type Arg struct {
	Name     string // metavar, e.g. "POOL"
	Required bool
	Multi    bool // takes every remaining positional
	Help     string
	Values   []string // the values it takes, offered by shell completion
	Into     Value
}

// Trailing is the `-- COMMAND ARGS...` tail of a command that wraps another.
type Trailing struct {
	Name     string // metavar, e.g. "COMMAND"
	Help     string
	Required bool // missing is a parse error (else the command decides)
	Into     *[]string
}

// Command is a command or subcommand.
type Command struct {
	Name        string
	About       string
	Usage       string // usage line override (after the program name)
	Flags       []Flag
	Args        []Arg
	Subs        []*Command
	HelpIfEmpty bool // no arguments at all: help on stderr, exit 2
	Trailing    *Trailing
	Conflicts   [][2]string // pairs of flag long names / argument names
	// MissingHint replaces the hint of the "required arguments were not
	// provided" error.
	MissingHint string
	Examples    []string
	Notes       []string
	Hidden      bool
	// CustomHelp, when set, renders this command's help page instead of the
	// generated one.
	CustomHelp func(long bool) string
	Run        func(ctx context.Context) error
	parent     *Command
	linked     bool
}

// Request is what Parse returns when the command line asks for something
// other than running a command: help (Flag "help") or a Request flag.
type Request struct {
	Cmd    *Command
	Flag   string // "help", or the Request flag's long name
	Long   bool   // --help rather than -h
	Stderr bool   // help-if-empty: print on stderr and exit 2
}

func (r *Request) Error() string { return r.Flag + " requested" }

// Path is the command's path below the root ("pool create"); "" for the root.
func (c *Command) Path() string {
	if c.parent == nil {
		return ""
	}
	if pp := c.parent.Path(); pp != "" {
		return pp + " " + c.Name
	}
	return c.Name
}

// Root is the root of the command's tree.
func (c *Command) Root() *Command {
	for c.parent != nil {
		c = c.parent
	}
	return c
}

// Sub returns the visible subcommand called name, nil if none.
func (c *Command) Sub(name string) *Command {
	for _, s := range c.Subs {
		if s.Name == name && !s.Hidden {
			return s
		}
	}
	return nil
}

func (c *Command) flag(long string) *Flag {
	for i := range c.Flags {
		if c.Flags[i].Long == long || c.Flags[i].Alias == long && long != "" {
			return &c.Flags[i]
		}
	}
	return nil
}

func (c *Command) short(s byte) *Flag {
	for i := range c.Flags {
		if c.Flags[i].Short == s && s != 0 {
			return &c.Flags[i]
		}
	}
	return nil
}

// Link sets the parents in the tree below root and gives every command the
// Global flags of its ancestors. Parse links the tree on first use; help
// and completion rendered before any Parse need it first.
func Link(root *Command) {
	if root.linked {
		return
	}
	root.linked = true
	link(root, nil)
}

func link(c *Command, inherited []Flag) {
	for _, f := range c.Flags {
		if f.Global {
			inherited = append(inherited, f)
		}
	}
	for _, s := range c.Subs {
		s.parent = c
		for _, g := range inherited {
			if s.flag(g.Long) == nil {
				s.Flags = append(s.Flags, g)
			}
		}
		link(s, inherited)
	}
}

// Display renders a flag as clap does in messages: "--tail <TAIL>".
func (f *Flag) Display() string {
	if f.Value == "" {
		return "--" + f.Long
	}
	return "--" + f.Long + " <" + f.Value + ">"
}

// Display renders an argument as usage lines do: "<POOL>", "[DATA]", "<NAME>...".
func (a *Arg) Display() string {
	s := "<" + a.Name + ">"
	if !a.Required {
		s = "[" + a.Name + "]"
	}
	if a.Multi {
		s += "..."
	}
	return s
}

// usageError is a parser failure: a Usage error whose hint points at the
// command's help, or at the top-level help when there is no usage line to
// point at (as for invalid values).
func usageError(c *Command, msg string, withUsage bool) *core.Error {
	// The message is the first line of clap's error, cut there even inside
	// a quoted argument that holds a newline.
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	root := c.Root()
	hint := "Try `" + root.Name + " --help`."
	if withUsage && c.Path() != "" {
		hint = "Try `" + root.Name + " " + c.Path() + " --help`."
	}
	return &core.Error{Kind: core.Usage, Message: msg, Hint: hint}
}

// Parse parses args (the program's arguments, without its name) against
// the tree rooted at root, storing every value into its Flag's or Arg's
// Value, and returns the command to run. Errors are a *Request (help,
// version…) or a Usage *core.Error worded as the reference words it.
func Parse(root *Command, args []string) (*Command, error) {
	Link(root)
	return parse(root, args)
}

// state is one command's parse in progress.
type state struct {
	c     *Command
	first map[string]int // token index of each option's / argument's first use
}

func parse(c *Command, args []string) (*Command, error) {
	if len(args) == 0 && c.HelpIfEmpty {
		return nil, &Request{Cmd: c, Flag: "help", Stderr: true}
	}
	st := &state{c: c, first: map[string]int{}}
	var pos []string
	var posAt []int
	onlyPos := false
	for i := 0; i < len(args); i++ {
		tok, at := args[i], i
		if tok == "---help" || tok == "---version" && c.flag("version") != nil {
			tok = tok[1:]
		}
		if onlyPos || tok == "-" || !strings.HasPrefix(tok, "-") {
			if !onlyPos && len(c.Subs) > 0 && len(pos) == 0 {
				if tok == "help" {
					return nil, helpFor(c, args[i+1:])
				}
				if s := c.Sub(tok); s != nil {
					return parse(s, args[i+1:])
				}
				// A command with positionals of its own (serve SERVER)
				// takes a word that names no subcommand as one of them.
				if len(c.Args) == 0 {
					return nil, usageError(c, "unrecognized subcommand '"+tok+"'", true)
				}
			}
			pos = append(pos, tok)
			posAt = append(posAt, i)
			continue
		}
		if tok == "--" {
			if c.Trailing != nil {
				*c.Trailing.Into = append((*c.Trailing.Into)[:0], args[i+1:]...)
				break
			}
			onlyPos = true
			continue
		}
		if strings.HasPrefix(tok, "--") {
			name, val, hasVal := strings.Cut(tok[2:], "=")
			if name == "help" && !hasVal {
				return nil, &Request{Cmd: c, Flag: "help", Long: true}
			}
			f := c.flag(name)
			if f == nil {
				return nil, usageError(c, "unexpected argument '--"+name+"' found", true)
			}
			if f.Value == "" {
				if hasVal {
					return nil, usageError(c, "unexpected value '"+val+"' for '"+f.Display()+"' found; no more were expected", true)
				}
				if err := st.set(f, "", at); err != nil {
					return nil, err
				}
				continue
			}
			if !hasVal {
				var err error
				if val, err = st.next(args, &i, f); err != nil {
					return nil, err
				}
			}
			if err := st.set(f, val, at); err != nil {
				return nil, err
			}
			continue
		}
		// short options, possibly clustered: -qh, -n5, -n=5, -n 5
		for j := 1; j < len(tok); j++ {
			s := tok[j]
			if s == 'h' {
				return nil, &Request{Cmd: c, Flag: "help"}
			}
			f := c.short(s)
			if f == nil {
				return nil, usageError(c, "unexpected argument '-"+string(s)+"' found", true)
			}
			if f.Value == "" {
				if err := st.set(f, "", at); err != nil {
					return nil, err
				}
				continue
			}
			val := strings.TrimPrefix(tok[j+1:], "=")
			if val == "" {
				var err error
				if val, err = st.next(args, &i, f); err != nil {
					return nil, err
				}
			}
			if err := st.set(f, val, at); err != nil {
				return nil, err
			}
			break
		}
	}
	if len(c.Subs) > 0 && len(pos) == 0 && c.Run == nil {
		return nil, &Request{Cmd: c, Flag: "help", Stderr: true}
	}
	if err := st.assign(pos, posAt); err != nil {
		return nil, err
	}
	// conflicts, in declaration order; the message names them in the order given
	for _, cf := range c.Conflicts {
		a, aok := st.first[cf[0]]
		b, bok := st.first[cf[1]]
		if aok && bok {
			first, second := cf[0], cf[1]
			if b < a {
				first, second = second, first
			}
			return nil, usageError(c, "the argument '"+c.displayOf(first)+"' cannot be used with '"+c.displayOf(second)+"'", true)
		}
	}
	missing := false
	for _, a := range c.Args {
		if _, given := st.first[a.Name]; a.Required && !given {
			missing = true
		}
	}
	if t := c.Trailing; t != nil && t.Required && len(*t.Into) == 0 {
		missing = true
	}
	if missing {
		e := usageError(c, "the following required arguments were not provided:", true)
		if c.MissingHint != "" {
			e.Hint = c.MissingHint
		}
		return nil, e
	}
	return c, nil
}

// next takes the value of option f, given without one at args[*i], from
// the argument after it: not when there is none or it looks like an option.
// As clap does, an option-like token there that the command does not know
// is reported as unexpected ("--tail -1": '-1'); a known one (or `--`)
// leaves f without a value.
func (st *state) next(args []string, i *int, f *Flag) (string, error) {
	if *i+1 < len(args) && !looksLikeFlag(args[*i+1]) {
		*i++
		return args[*i], nil
	}
	if *i+1 < len(args) {
		if u := st.c.unknownOption(args[*i+1]); u != "" {
			return "", usageError(st.c, "unexpected argument '"+u+"' found", true)
		}
	}
	return "", valueRequired(st.c, f)
}

// valueRequired is the error for an option given without its value; like
// clap's, its hint points at the top-level help.
func valueRequired(c *Command, f *Flag) *core.Error {
	return usageError(c, "a value is required for '"+f.Display()+"' but none was supplied", false)
}

// unknownOption returns how clap names tok when it is an option the
// command does not know ("--bogus" for "--bogus=1", "-x" for "-xyz"), or
// "" when the command knows it (or tok is `--`).
func (c *Command) unknownOption(tok string) string {
	if strings.HasPrefix(tok, "--") {
		name, _, _ := strings.Cut(tok[2:], "=")
		if name == "" || name == "help" || c.flag(name) != nil {
			return ""
		}
		return "--" + name
	}
	if s := tok[1]; s == 'h' || c.short(s) != nil {
		return ""
	}
	return tok[:2]
}

// assign gives the positionals to the command's arguments in order.
func (st *state) assign(pos []string, at []int) error {
	k := 0
	for i := range st.c.Args {
		a := &st.c.Args[i]
		if k >= len(pos) {
			break
		}
		n := 1
		if a.Multi {
			n = len(pos) - k
		}
		for _, v := range pos[k : k+n] {
			if err := st.store(a.Into, v, "<"+a.Name+">"); err != nil {
				return err
			}
		}
		if a.Multi {
			st.first[a.Name] = -1 // present, and first among conflicts (as clap orders them)
		} else {
			st.first[a.Name] = at[k]
		}
		k += n
	}
	if k < len(pos) {
		return usageError(st.c, "unexpected argument '"+pos[k]+"' found", true)
	}
	return nil
}

// set records one use of flag f with value val (token index at).
func (st *state) set(f *Flag, val string, at int) error {
	c := st.c
	if _, dup := st.first[f.Long]; dup && !f.Multi {
		return usageError(c, "the argument '"+f.Display()+"' cannot be used multiple times", true)
	}
	if val == "" && f.Value != "" && (f.NonEmpty || len(f.Enum) > 0) {
		return valueRequired(c, f)
	}
	if len(f.Enum) > 0 {
		ok := false
		for _, e := range f.Enum {
			ok = ok || e == val
		}
		if !ok {
			return usageError(c, "invalid value '"+val+"' for '"+f.Display()+"'", false)
		}
	}
	if f.Request {
		return &Request{Cmd: c, Flag: f.Long}
	}
	if err := st.store(f.Into, val, f.Display()); err != nil {
		return err
	}
	if _, seen := st.first[f.Long]; !seen {
		st.first[f.Long] = at
	}
	return nil
}

// store passes val to v, turning a refusal into the reference's error.
func (st *state) store(v Value, val, display string) error {
	if v == nil {
		return nil
	}
	if err := v.Set(val); err != nil {
		return usageError(st.c, "invalid value '"+val+"' for '"+display+"': "+err.Error(), false)
	}
	return nil
}

func (c *Command) displayOf(name string) string {
	if f := c.flag(name); f != nil {
		return f.Display()
	}
	for i := range c.Args {
		if c.Args[i].Name == name {
			return c.Args[i].Display()
		}
	}
	return name
}

// looksLikeFlag says whether a token would be taken as an option rather than
// a value for the preceding option (clap does not take "-1" as a value).
func looksLikeFlag(s string) bool {
	return len(s) > 1 && s[0] == '-'
}

// helpFor resolves `help a b` to the help of that command.
func helpFor(c *Command, path []string) error {
	for _, name := range path {
		s := c.Sub(name)
		if s == nil {
			return usageError(c, "unrecognized subcommand '"+name+"'", true)
		}
		c = s
	}
	return &Request{Cmd: c, Flag: "help", Long: true}
}
