package main

import (
	"strconv"
	"strings"

	"github.com/plasmite-go/plasmite/core"
)

// A small clap-compatible argument parser: long and short options,
// --opt=value, -n5, `--`, subcommands, enum and numeric validation, and the
// reference's error wording (scripts match on it).

type valueKind uint8

const (
	vString valueKind = iota
	vU64
	vU32
	vF64
)

// flagSpec describes one option. Value "" makes it a switch.
type flagSpec struct {
	Long   string
	Alias  string // another long name (v0 spelling)
	Short  byte
	Value  string // metavar, e.g. "TAIL"
	Kind   valueKind
	Multi  bool
	Enum   []string
	Help   string
	Hidden bool
}

// argSpec describes one positional argument.
type argSpec struct {
	Name     string // metavar, e.g. "POOL"
	Required bool
	Multi    bool
	Help     string
}

// cmdSpec is a command or subcommand.
type cmdSpec struct {
	Name        string
	About       string
	Long        string // extra paragraph for --help
	Usage       string // usage override (after "plasmite ")
	Flags       []flagSpec
	Args        []argSpec
	Subs        []*cmdSpec
	HelpIfEmpty bool
	Trailing    string // name of the `-- COMMAND...` trailing argument, if any
	Conflicts   [][2]string
	Examples    []string
	Notes       []string
	Hidden      bool
	Run         func(a *app, p *parsed) error
	parent      *cmdSpec
}

// parsed holds one command's parsed arguments.
type parsed struct {
	cmd      *cmdSpec
	flags    map[string][]string
	args     map[string][]string
	trailing []string
	order    map[string]int // token index of each option's / argument's first use
	cur      int            // token index being parsed
}

func (p *parsed) has(long string) bool { _, ok := p.flags[long]; return ok }

func (p *parsed) str(long string) string {
	v := p.flags[long]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

func (p *parsed) all(long string) []string { return p.flags[long] }

func (p *parsed) u64(long string) uint64 {
	n, _ := strconv.ParseUint(p.str(long), 10, 64)
	return n
}

func (p *parsed) arg(name string) string {
	v := p.args[name]
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// path returns "pool create" style command path (without "plasmite").
func (c *cmdSpec) path() string {
	if c.parent == nil {
		return ""
	}
	pp := c.parent.path()
	if pp == "" {
		return c.Name
	}
	return pp + " " + c.Name
}

func (c *cmdSpec) sub(name string) *cmdSpec {
	for _, s := range c.Subs {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func (c *cmdSpec) flag(long string) *flagSpec {
	for i := range c.Flags {
		if c.Flags[i].Long == long || c.Flags[i].Alias == long && long != "" {
			return &c.Flags[i]
		}
	}
	return nil
}

func (c *cmdSpec) short(s byte) *flagSpec {
	for i := range c.Flags {
		if c.Flags[i].Short == s && s != 0 {
			return &c.Flags[i]
		}
	}
	return nil
}

func link(c *cmdSpec) {
	for _, s := range c.Subs {
		s.parent = c
		for _, gf := range globalFlags {
			if s.flag(gf.Long) == nil {
				s.Flags = append(s.Flags, gf)
			}
		}
		link(s)
	}
}

// display renders a flag as clap does in messages: "--tail <TAIL>".
func (f *flagSpec) display() string {
	if f.Value == "" {
		return "--" + f.Long
	}
	return "--" + f.Long + " <" + f.Value + ">"
}

func (a *argSpec) display() string {
	s := "<" + a.Name + ">"
	if !a.Required {
		s = "[" + a.Name + "]"
	}
	if a.Multi {
		s += "..."
	}
	return s
}

// helpRequest is returned by the parser when help was asked for.
type helpRequest struct {
	cmd   *cmdSpec
	long  bool
	toErr bool // help-if-empty: print on stderr, exit 2
}

func (h *helpRequest) Error() string { return "help requested" }

// parseErr is a parser failure: a Usage error whose hint points at the
// command's help (or the top-level help when there is no usage line).
func parseErr(c *cmdSpec, msg string, withUsage bool) *core.Error {
	hint := "Try `plasmite --help`."
	if withUsage && c != nil && c.path() != "" {
		hint = "Try `plasmite " + c.path() + " --help`."
	}
	return usageErr(msg, hint)
}

// parseCommand parses args for command c (args exclude c's own name).
func parseCommand(c *cmdSpec, args []string) (*parsed, error) {
	if len(args) == 0 && c.HelpIfEmpty {
		return nil, &helpRequest{cmd: c, toErr: true}
	}
	p := &parsed{cmd: c, flags: map[string][]string{}, args: map[string][]string{}, order: map[string]int{}}
	var pos []string
	var posOrder []int
	onlyPos := false
	for i := 0; i < len(args); i++ {
		tok := args[i]
		p.cur = i
		if tok == "---help" {
			tok = "--help"
		}
		if onlyPos || tok == "-" || !strings.HasPrefix(tok, "-") {
			if !onlyPos && len(c.Subs) > 0 && len(pos) == 0 {
				if tok == "help" {
					return nil, helpFor(c, args[i+1:])
				}
				s := c.sub(tok)
				if s == nil {
					return nil, parseErr(c, "unrecognized subcommand '"+tok+"'", true)
				}
				sp, err := parseCommand(s, args[i+1:])
				return sp, err
			}
			pos = append(pos, tok)
			posOrder = append(posOrder, i)
			continue
		}
		if tok == "--" {
			if c.Trailing != "" {
				p.trailing = append([]string{}, args[i+1:]...)
				break
			}
			onlyPos = true
			continue
		}
		if strings.HasPrefix(tok, "--") {
			name, val, hasVal := strings.Cut(tok[2:], "=")
			if name == "help" && !hasVal {
				return nil, &helpRequest{cmd: c, long: true}
			}
			f := c.flag(name)
			if f == nil {
				return nil, parseErr(c, "unexpected argument '"+tok+"' found", true)
			}
			if f.Value == "" {
				if hasVal {
					return nil, parseErr(c, "unexpected value '"+val+"' for '"+f.display()+"' found; no more were expected", true)
				}
				if err := p.set(c, f, ""); err != nil {
					return nil, err
				}
				continue
			}
			if !hasVal {
				if i+1 >= len(args) || looksLikeFlag(args[i+1]) {
					return nil, parseErr(c, "a value is required for '"+f.display()+"' but none was supplied", true)
				}
				i++
				val = args[i]
			}
			if err := p.set(c, f, val); err != nil {
				return nil, err
			}
			continue
		}
		// short options, possibly clustered: -qh, -n5, -n 5
		for j := 1; j < len(tok); j++ {
			s := tok[j]
			if s == 'h' {
				return nil, &helpRequest{cmd: c}
			}
			f := c.short(s)
			if f == nil {
				return nil, parseErr(c, "unexpected argument '-"+string(s)+"' found", true)
			}
			if f.Value == "" {
				if err := p.set(c, f, ""); err != nil {
					return nil, err
				}
				continue
			}
			val := tok[j+1:]
			val = strings.TrimPrefix(val, "=")
			if val == "" {
				if i+1 >= len(args) || looksLikeFlag(args[i+1]) {
					return nil, parseErr(c, "a value is required for '"+f.display()+"' but none was supplied", true)
				}
				i++
				val = args[i]
			}
			if err := p.set(c, f, val); err != nil {
				return nil, err
			}
			break
		}
	}
	if len(c.Subs) > 0 && len(pos) == 0 && c.Run == nil {
		return nil, &helpRequest{cmd: c, toErr: true}
	}
	// assign positionals
	k := 0
	for _, as := range c.Args {
		if k >= len(pos) {
			break
		}
		if as.Multi {
			p.args[as.Name] = append(p.args[as.Name], pos[k:]...)
			k = len(pos)
			break
		}
		p.args[as.Name] = []string{pos[k]}
		p.order[as.Name] = posOrder[k]
		k++
	}
	if k < len(pos) {
		return nil, parseErr(c, "unexpected argument '"+pos[k]+"' found", true)
	}
	// conflicts, in declaration order
	for _, cf := range c.Conflicts {
		if p.present(cf[0]) && p.present(cf[1]) {
			first, second := cf[0], cf[1]
			if p.order[second] < p.order[first] {
				first, second = second, first
			}
			return nil, parseErr(c, "the argument '"+c.displayOf(first)+"' cannot be used with '"+c.displayOf(second)+"'", true)
		}
	}
	var missing []string
	for _, as := range c.Args {
		if as.Required && len(p.args[as.Name]) == 0 {
			missing = append(missing, as.display())
		}
	}
	if c.Trailing != "" && len(p.trailing) == 0 && c.Name != "tap" {
		missing = append(missing, "<"+c.Trailing+">...")
	}
	if len(missing) > 0 {
		e := parseErr(c, "the following required arguments were not provided:", true)
		if c.Name == "follow" && c.parent != nil && c.parent.parent == nil {
			e.Hint = "Provide a pool ref, for example: `plasmite follow chat -n 1`."
		}
		return nil, e
	}
	return p, nil
}

func (p *parsed) present(name string) bool {
	if _, ok := p.flags[name]; ok {
		return true
	}
	return len(p.args[name]) > 0
}

func (c *cmdSpec) displayOf(name string) string {
	if f := c.flag(name); f != nil {
		return f.display()
	}
	for _, as := range c.Args {
		if as.Name == name {
			return as.display()
		}
	}
	return name
}

func (p *parsed) set(c *cmdSpec, f *flagSpec, val string) error {
	if _, dup := p.flags[f.Long]; dup && !f.Multi {
		return parseErr(c, "the argument '"+f.display()+"' cannot be used multiple times", true)
	}
	if len(f.Enum) > 0 {
		ok := false
		for _, e := range f.Enum {
			if e == val {
				ok = true
			}
		}
		if !ok {
			return parseErr(c, "invalid value '"+val+"' for '"+f.display()+"'", false)
		}
	}
	var bad string
	switch f.Kind {
	case vU64:
		if _, err := strconv.ParseUint(val, 10, 64); err != nil {
			bad = numErr(val, err)
		}
	case vU32:
		if _, err := strconv.ParseUint(val, 10, 32); err != nil {
			bad = numErr(val, err)
		}
	case vF64:
		if _, err := strconv.ParseFloat(val, 64); err != nil {
			bad = "invalid float literal"
		}
	}
	if bad != "" {
		return parseErr(c, "invalid value '"+val+"' for '"+f.display()+"': "+bad, false)
	}
	if _, seen := p.order[f.Long]; !seen && p.order != nil {
		p.order[f.Long] = p.cur
	}
	p.flags[f.Long] = append(p.flags[f.Long], val)
	return nil
}

func numErr(val string, err error) string {
	if val == "" {
		return "cannot parse integer from empty string"
	}
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		return "number too large to fit in target type"
	}
	return "invalid digit found in string"
}

// looksLikeFlag says whether a token would be taken as an option rather than
// a value for the preceding option (clap does not take "-1" as a value).
func looksLikeFlag(s string) bool {
	return len(s) > 1 && s[0] == '-'
}

// helpFor resolves `help a b` to the help of that command.
func helpFor(c *cmdSpec, path []string) error {
	for _, name := range path {
		s := c.sub(name)
		if s == nil {
			return parseErr(c, "unrecognized subcommand '"+name+"'", true)
		}
		c = s
	}
	return &helpRequest{cmd: c, long: true}
}
