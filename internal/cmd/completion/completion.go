// Package completion is the `completion` command: shell completion scripts
// generated from the command declarations.
package completion

import (
	"context"
	"sort"
	"strings"

	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
)

// Options are completion's.
type Options struct {
	Shell string
	Tree  *clap.Command // the command tree to complete (its root)
}

// Command declares completion; its Run completes the tree it belongs to.
func Command(env *cmdutil.Env) *clap.Command {
	o := &Options{}
	c := &clap.Command{
		Name: "completion", About: "Generate shell completions", HelpIfEmpty: true,
		Args:     []clap.Arg{{Name: "SHELL", Required: true, Help: "bash, zsh or fish", Values: []string{"bash", "zsh", "fish"}, Into: clap.String(&o.Shell)}},
		Flags:    []clap.Flag{clap.HelpFlag},
		Examples: []string{"plasmite completion bash > /etc/bash_completion.d/plasmite", "plasmite completion zsh > \"${fpath[1]}/_plasmite\""},
	}
	c.Run = env.Runner("completion", cmdutil.TextOnly, func(ctx context.Context) error {
		o.Tree = c.Root()
		return Run(ctx, o, env)
	})
	return c
}

// Run prints the completion script of o.Tree for o.Shell (bash, zsh or
// fish).
func Run(ctx context.Context, o *Options, env *cmdutil.Env) error {
	var s string
	switch o.Shell {
	case "bash":
		s = bash(o.Tree)
	case "zsh":
		s = zsh(o.Tree)
	case "fish":
		s = fish(o.Tree)
	default:
		return cmdutil.UsageError("invalid value '"+o.Shell+"' for '<SHELL>'", "Try `plasmite --help`.")
	}
	return env.Stdout.WriteString(s)
}

func visibleSubs(c *clap.Command) []*clap.Command {
	var out []*clap.Command
	for _, s := range c.Subs {
		if !s.Hidden {
			out = append(out, s)
		}
	}
	return out
}

func longFlags(c *clap.Command) []string {
	var out []string
	for _, f := range c.Flags {
		out = append(out, "--"+f.Long)
		if f.Short != 0 {
			out = append(out, "-"+string(f.Short))
		}
	}
	sort.Strings(out)
	return out
}

func subNames(c *clap.Command) []string {
	var names []string
	for _, s := range c.Subs {
		names = append(names, s.Name)
	}
	return names
}

func bash(root *clap.Command) string {
	var b strings.Builder
	b.WriteString("# bash completion for plasmite and pls\n_plasmite() {\n")
	b.WriteString("    local cur words cmd sub\n    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n    cmd=\"\"; sub=\"\"\n")
	b.WriteString("    local i\n    for ((i=1; i<COMP_CWORD; i++)); do\n        case \"${COMP_WORDS[i]}\" in\n            --dir|--color) ((i++));;\n            -*) ;;\n            *) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; elif [[ -z $sub ]]; then sub=${COMP_WORDS[i]}; fi;;\n        esac\n    done\n")
	b.WriteString("    case \"$cmd\" in\n")
	var names []string
	for _, c := range visibleSubs(root) {
		names = append(names, c.Name)
		b.WriteString("        " + c.Name + ")\n")
		if len(c.Subs) > 0 {
			b.WriteString("            case \"$sub\" in\n")
			for _, s := range c.Subs {
				b.WriteString("                " + s.Name + ") COMPREPLY=($(compgen -W \"" + strings.Join(longFlags(s), " ") + "\" -- \"$cur\"));;\n")
			}
			b.WriteString("                *) COMPREPLY=($(compgen -W \"" + strings.Join(subNames(c), " ") + "\" -- \"$cur\"));;\n            esac;;\n")
			continue
		}
		words := longFlags(c)
		for _, a := range c.Args {
			words = append(words, a.Values...)
		}
		b.WriteString("            COMPREPLY=($(compgen -W \"" + strings.Join(words, " ") + "\" -- \"$cur\"));;\n")
	}
	b.WriteString("        *) COMPREPLY=($(compgen -W \"" + strings.Join(names, " ") + " help --dir --color --help --version\" -- \"$cur\"));;\n")
	b.WriteString("    esac\n}\ncomplete -o default -F _plasmite plasmite pls\n")
	return b.String()
}

func zsh(root *clap.Command) string {
	var b strings.Builder
	b.WriteString("#compdef plasmite pls\n\n_plasmite() {\n  local -a commands\n  commands=(\n")
	for _, c := range visibleSubs(root) {
		b.WriteString("    '" + c.Name + ":" + strings.ReplaceAll(c.About, "'", "") + "'\n")
	}
	b.WriteString("  )\n  if (( CURRENT == 2 )); then\n    _describe 'command' commands\n    return\n  fi\n  case ${words[2]} in\n")
	for _, c := range visibleSubs(root) {
		if len(c.Subs) > 0 {
			b.WriteString("    " + c.Name + ") if (( CURRENT == 3 )); then compadd " + strings.Join(subNames(c), " ") + "; else compadd -- " + strings.Join(longFlags(c.Subs[0]), " ") + "; fi;;\n")
			continue
		}
		b.WriteString("    " + c.Name + ") compadd -- " + strings.Join(longFlags(c), " ") + ";;\n")
	}
	b.WriteString("  esac\n}\n\n_plasmite \"$@\"\n")
	return b.String()
}

func fish(root *clap.Command) string {
	var b strings.Builder
	b.WriteString("# fish completion for plasmite and pls\n")
	for _, prog := range []string{"plasmite", "pls"} {
		for _, c := range visibleSubs(root) {
			b.WriteString("complete -c " + prog + " -n '__fish_use_subcommand' -f -a " + c.Name + " -d '" + strings.ReplaceAll(c.About, "'", "") + "'\n")
			for _, s := range c.Subs {
				b.WriteString("complete -c " + prog + " -n '__fish_seen_subcommand_from " + c.Name + "' -f -a " + s.Name + " -d '" + strings.ReplaceAll(s.About, "'", "") + "'\n")
			}
			for _, f := range c.Flags {
				b.WriteString("complete -c " + prog + " -n '__fish_seen_subcommand_from " + c.Name + "' -l " + f.Long + " -d '" + strings.ReplaceAll(f.Help, "'", "") + "'\n")
			}
		}
	}
	return b.String()
}
