package clap

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/plasmite-go/plasmite/core"
)

// opts is where the test tree's values land.
type opts struct {
	dirs     []string
	color    []string
	pool     string
	data     *string
	tail     uint64
	since    *string
	one      bool
	tags     []string
	file     *string
	ic       *uint32
	replay   *Float
	names    []string
	trailing []string
}

// tree is a small program shaped like plasmite: global options, a
// help-if-empty command with conflicts and a hint for a missing argument,
// one with an optional argument, a family of subcommands, a command that
// wraps another after `--`, and a version request.
func tree(o *opts) *Command {
	root := &Command{Name: "prog", HelpIfEmpty: true, Flags: []Flag{
		{Long: "dir", Value: "DIR", Multi: true, Global: true, NonEmpty: true, Into: Strings(&o.dirs)},
		{Long: "color", Value: "COLOR", Multi: true, Global: true, Enum: []string{"auto", "always", "never"}, Into: Strings(&o.color)},
		{Long: "version", Short: 'V', Request: true},
	}}
	root.Subs = []*Command{
		{
			Name: "follow", HelpIfEmpty: true,
			Args: []Arg{{Name: "POOL", Required: true, Into: String(&o.pool)}},
			Flags: []Flag{
				{Long: "tail", Short: 'n', Value: "TAIL", Into: Uint64(&o.tail)},
				{Long: "since", Value: "SINCE", Into: OptString(&o.since)},
				{Long: "one", Into: Bool(&o.one)},
				{Long: "tag", Value: "TAG", Multi: true, Into: Strings(&o.tags)},
				{Long: "replay", Value: "REPLAY", Into: OptFloat(&o.replay)},
				HelpFlag,
			},
			Conflicts:   [][2]string{{"since", "tail"}},
			MissingHint: "Provide a pool ref.",
		},
		{
			Name: "feed", HelpIfEmpty: true,
			Args: []Arg{{Name: "POOL", Required: true, Into: String(&o.pool)}, {Name: "DATA", Into: OptString(&o.data)}},
			Flags: []Flag{
				{Long: "file", Short: 'f', Value: "FILE", Into: OptString(&o.file)},
				{Long: "input-format", Alias: "in", Short: 'i', Value: "INPUT", Enum: []string{"auto", "jsonl"}},
				{Long: "dir", Value: "DIR", Into: Strings(&o.dirs)}, // its own --dir
			},
			Conflicts: [][2]string{{"file", "DATA"}},
		},
		{
			Name: "pool", HelpIfEmpty: true,
			Subs: []*Command{
				{Name: "create", HelpIfEmpty: true, Args: []Arg{{Name: "NAME", Required: true, Multi: true, Into: Strings(&o.names)}},
					Flags: []Flag{{Long: "index-capacity", Value: "INDEX_CAPACITY", Into: OptUint32(&o.ic)}}},
				{Name: "list"},
			},
		},
		{
			Name: "tap", HelpIfEmpty: true,
			Args:     []Arg{{Name: "POOL", Required: true, Into: String(&o.pool)}},
			Trailing: &Trailing{Name: "COMMAND", Into: &o.trailing},
		},
		{
			Name:     "wrap",
			Trailing: &Trailing{Name: "COMMAND", Required: true, Into: &o.trailing},
		},
		{Name: "secret", Hidden: true},
	}
	for _, c := range append(root.Subs, root.Subs[2].Subs...) {
		if len(c.Subs) > 0 {
			continue // a family runs nothing itself
		}
		c.Run = func(context.Context) error { return nil }
	}
	return root
}

// outcome renders what Parse did: the command path and the values, or the
// request, or the error's message and hint.
func outcome(c *Command, err error, o *opts) string {
	var req *Request
	if errors.As(err, &req) {
		return fmt.Sprintf("request %s %q long=%v stderr=%v", req.Flag, req.Cmd.Path(), req.Long, req.Stderr)
	}
	if err != nil {
		e := err.(*core.Error)
		if e.Kind != core.Usage {
			return "not a usage error: " + err.Error()
		}
		return "error " + e.Message + " | " + e.Hint
	}
	s := "run " + c.Path()
	add := func(k string, v any) { s += fmt.Sprintf(" %s=%v", k, v) }
	if o.pool != "" {
		add("pool", o.pool)
	}
	if o.data != nil {
		add("data", *o.data)
	}
	if o.tail != 0 {
		add("tail", o.tail)
	}
	if o.since != nil {
		add("since", *o.since)
	}
	if o.one {
		add("one", true)
	}
	if o.tags != nil {
		add("tags", o.tags)
	}
	if o.file != nil {
		add("file", *o.file)
	}
	if o.ic != nil {
		add("ic", *o.ic)
	}
	if o.replay != nil {
		add("replay", fmt.Sprintf("%s(%v)", o.replay.Text, o.replay.Value))
	}
	if o.names != nil {
		add("names", o.names)
	}
	if o.trailing != nil {
		add("trailing", o.trailing)
	}
	if o.dirs != nil {
		add("dirs", o.dirs)
	}
	if o.color != nil {
		add("color", o.color)
	}
	return s
}

func TestParse(t *testing.T) {
	cases := []struct {
		args string
		want string
	}{
		// values, in every spelling
		{"follow p", "run follow pool=p"},
		{"follow p --tail 5 --one", "run follow pool=p tail=5 one=true"},
		{"follow --tail=5 p", "run follow pool=p tail=5"},
		{"follow p -n5", "run follow pool=p tail=5"},
		{"follow p -n=5", "run follow pool=p tail=5"},
		{"follow p -n 5", "run follow pool=p tail=5"},
		{"follow p --tag a --tag b", "run follow pool=p tags=[a b]"},
		{"follow p --replay 1.50", "run follow pool=p replay=1.50(1.5)"},
		{"follow p --replay=-1", "run follow pool=p replay=-1(-1)"},
		{"feed p {} --in jsonl", "run feed pool=p data={}"},
		{"feed p - ", "run feed pool=p data=-"},
		{"pool create a b c --index-capacity 0", "run pool create ic=0 names=[a b c]"},
		{"pool list", "run pool list"},
		{"tap p -- make -j --x", "run tap pool=p trailing=[make -j --x]"},
		{"tap p", "run tap pool=p"}, // the trailing command is tap's to require
		{"feed -- p -x", "run feed pool=p data=-x"},
		// global options before and after the command; a command's own --dir wins there
		{"--dir a follow p --dir b", "run follow pool=p dirs=[a b]"},
		{"--color never follow p --color=always", "run follow pool=p color=[never always]"},
		{"feed p --dir x", "run feed pool=p dirs=[x]"},
		{"--dir= pool list", "error a value is required for '--dir <DIR>' but none was supplied | Try `prog --help`."},
		{"--color= pool list", "error a value is required for '--color <COLOR>' but none was supplied | Try `prog --help`."},
		// requests
		{"", `request help "" long=false stderr=true`},
		{"--dir x", `request help "" long=false stderr=true`},
		{"-h", `request help "" long=false stderr=false`},
		{"--help", `request help "" long=true stderr=false`},
		{"---help", `request help "" long=true stderr=false`},
		{"-V", `request version "" long=false stderr=false`},
		{"---version", `request version "" long=false stderr=false`},
		{"-Vh", `request version "" long=false stderr=false`},
		{"-hV", `request help "" long=false stderr=false`},
		{"follow", `request help "follow" long=false stderr=true`},
		{"follow p -h", `request help "follow" long=false stderr=false`},
		{"follow ---help", `request help "follow" long=true stderr=false`},
		{"pool", `request help "pool" long=false stderr=true`},
		{"pool --dir x", `request help "pool" long=false stderr=true`},
		{"help", `request help "" long=true stderr=false`},
		{"help pool create", `request help "pool create" long=true stderr=false`},
		{"pool help create", `request help "pool create" long=true stderr=false`},
		// the reference's error texts (spec cli.md §1.0), with their hints
		{"follow --bogus p", "error unexpected argument '--bogus' found | Try `prog follow --help`."},
		{"follow p --bogus=1", "error unexpected argument '--bogus' found | Try `prog follow --help`."},
		{"follow p -x", "error unexpected argument '-x' found | Try `prog follow --help`."},
		{"-xyz", "error unexpected argument '-x' found | Try `prog --help`."},
		{"follow p q", "error unexpected argument 'q' found | Try `prog follow --help`."},
		{"-- follow", "error unexpected argument 'follow' found | Try `prog --help`."},
		{"pool -- list", "error unexpected argument 'list' found | Try `prog pool --help`."},
		{"version ---version", "error unrecognized subcommand 'version' | Try `prog --help`."},
		{"follow p --tail abc", "error invalid value 'abc' for '--tail <TAIL>': invalid digit found in string | Try `prog --help`."},
		{"follow p --tail=", "error invalid value '' for '--tail <TAIL>': cannot parse integer from empty string | Try `prog --help`."},
		{"follow p --tail 99999999999999999999", "error invalid value '99999999999999999999' for '--tail <TAIL>': number too large to fit in target type | Try `prog --help`."},
		{"pool create a --index-capacity 4294967296", "error invalid value '4294967296' for '--index-capacity <INDEX_CAPACITY>': 4294967296 is not in 0..=4294967295 | Try `prog --help`."},
		{"pool create a --index-capacity=-5", "error invalid value '-5' for '--index-capacity <INDEX_CAPACITY>': -5 is not in 0..=4294967295 | Try `prog --help`."},
		{"pool create a --index-capacity 1.5", "error invalid value '1.5' for '--index-capacity <INDEX_CAPACITY>': invalid digit found in string | Try `prog --help`."},
		{"pool create a --index-capacity 99999999999999999999", "error invalid value '99999999999999999999' for '--index-capacity <INDEX_CAPACITY>': number too large to fit in target type | Try `prog --help`."},
		{"follow p --replay x", "error invalid value 'x' for '--replay <REPLAY>': invalid float literal | Try `prog --help`."},
		{"follow p --replay=", "error invalid value '' for '--replay <REPLAY>': cannot parse float from empty string | Try `prog --help`."},
		{"follow p --replay 1e400", "error invalid value '1e400' for '--replay <REPLAY>': invalid float literal | Try `prog --help`."},
		// clap takes an option-like token after an option as an argument of
		// its own: unknown, it is the error; known, the option lacks its value
		{"follow p --tail -1", "error unexpected argument '-1' found | Try `prog follow --help`."},
		{"pool create a --index-capacity -5", "error unexpected argument '-5' found | Try `prog pool create --help`."},
		{"follow p --since -5m", "error unexpected argument '-5' found | Try `prog follow --help`."},
		{"follow p --tail --bogus=2", "error unexpected argument '--bogus' found | Try `prog follow --help`."},
		{"follow p --tail --one", "error a value is required for '--tail <TAIL>' but none was supplied | Try `prog --help`."},
		{"follow p --tail -n 3", "error a value is required for '--tail <TAIL>' but none was supplied | Try `prog --help`."},
		{"follow p --tail --", "error a value is required for '--tail <TAIL>' but none was supplied | Try `prog --help`."},
		{"follow p --tail", "error a value is required for '--tail <TAIL>' but none was supplied | Try `prog --help`."},
		{"follow p -n", "error a value is required for '--tail <TAIL>' but none was supplied | Try `prog --help`."},
		{"--dir", "error a value is required for '--dir <DIR>' but none was supplied | Try `prog --help`."},
		{"follow --since 5m --tail 0 p", "error the argument '--since <SINCE>' cannot be used with '--tail <TAIL>' | Try `prog follow --help`."},
		{"follow --tail 0 --since 5m p", "error the argument '--tail <TAIL>' cannot be used with '--since <SINCE>' | Try `prog follow --help`."},
		{"feed p --file f {}", "error the argument '--file <FILE>' cannot be used with '[DATA]' | Try `prog feed --help`."},
		{"feed p {} --file f", "error the argument '[DATA]' cannot be used with '--file <FILE>' | Try `prog feed --help`."},
		{"follow p --one --one", "error the argument '--one' cannot be used multiple times | Try `prog follow --help`."},
		{"follow p --one=yes", "error unexpected value 'yes' for '--one' found; no more were expected | Try `prog follow --help`."},
		{"follow --one", "error the following required arguments were not provided: | Provide a pool ref."},
		{"feed --file f", "error the following required arguments were not provided: | Try `prog feed --help`."},
		{"wrap", "error the following required arguments were not provided: | Try `prog wrap --help`."},
		{"nosuch", "error unrecognized subcommand 'nosuch' | Try `prog --help`."},
		{"secret", "error unrecognized subcommand 'secret' | Try `prog --help`."},
		{"- x", "error unrecognized subcommand '-' | Try `prog --help`."},
		{"pool nosuch", "error unrecognized subcommand 'nosuch' | Try `prog pool --help`."},
		{"help nosuch", "error unrecognized subcommand 'nosuch' | Try `prog --help`."},
		{"--color purple follow p", "error invalid value 'purple' for '--color <COLOR>' | Try `prog --help`."},
		{"feed p -i yaml", "error invalid value 'yaml' for '--input-format <INPUT>' | Try `prog --help`."},
		{"feed p --in=yaml", "error invalid value 'yaml' for '--input-format <INPUT>' | Try `prog --help`."},
	}
	for _, c := range cases {
		o := &opts{}
		cmd, err := Parse(tree(o), strings.Fields(c.args))
		if got := outcome(cmd, err, o); got != c.want {
			t.Errorf("%q:\n got  %s\n want %s", c.args, got, c.want)
		}
	}
}

// A message is one line: clap's first, even when an argument in it holds a
// newline.
func TestParseMessageOneLine(t *testing.T) {
	o := &opts{}
	_, err := Parse(tree(o), []string{"follow", "p", "---\na: 1\n..."})
	if got := outcome(nil, err, o); got != "error unexpected argument '--- | Try `prog follow --help`." {
		t.Errorf("got %s", got)
	}
}

func TestHelp(t *testing.T) {
	o := &opts{}
	root := tree(o)
	root.CustomHelp = func(long bool) string { return fmt.Sprintf("custom long=%v", long) }
	root.Subs[0].About = "Follow a pool"
	root.Subs[0].Notes = []string{"A note."}
	root.Subs[0].Examples = []string{"prog follow chat"}
	root.Subs[0].Flags[3].Help = "Tag (repeatable)"
	root.Subs[3].Usage = "tap [OPTIONS] <POOL> -- <COMMAND>..."
	root.Subs[3].Trailing.Help = "The command"
	Link(root)
	want := `Follow a pool

Usage: prog follow [OPTIONS] <POOL>

Arguments:
  <POOL>

Options:
  -n, --tail <TAIL>
      --since <SINCE>
      --one
      --tag <TAG>        Tag (repeatable)
      --replay <REPLAY>
  -h, --help             Print help
      --dir <DIR>
      --color <COLOR>

Notes:
  A note.

Examples:
  prog follow chat
`
	if d := cmp.Diff(want, Help(root.Subs[0], false)); d != "" {
		t.Errorf("follow help (-want +got):\n%s", d)
	}
	if got := Help(root.Subs[0], true); !strings.Contains(got, "--color <COLOR>     [possible values: auto, always, never]\n") {
		t.Errorf("long help lists enum values:\n%s", got)
	}
	if got := Help(root, true); got != "custom long=true" {
		t.Errorf("custom help: %q", got)
	}
	if got := UsageLine(root.Subs[3]); got != "prog tap [OPTIONS] <POOL> -- <COMMAND>..." {
		t.Errorf("usage override: %q", got)
	}
	if got := Help(root.Subs[2], false); !strings.Contains(got, "Usage: prog pool <COMMAND>\n\nCommands:\n  create  \n  list    \n  help    Print this message or the help of the given subcommand(s)\n") {
		t.Errorf("pool help:\n%s", got)
	}
	if got := Help(root.Subs[3], false); !strings.Contains(got, "Arguments:\n  <POOL>\n  <COMMAND>...  The command\n") {
		t.Errorf("tap help:\n%s", got)
	}
	if got := UsageLine(root.Subs[2].Subs[0]); got != "prog pool create [OPTIONS] <NAME>..." {
		t.Errorf("multi argument usage: %q", got)
	}
}
