package main

import (
	"sort"
	"strings"
)

func cmdCompletion(a *app, p *parsed) error {
	sh := p.arg("SHELL")
	var s string
	switch sh {
	case "bash":
		s = a.bashCompletion()
	case "zsh":
		s = a.zshCompletion()
	case "fish":
		s = a.fishCompletion()
	default:
		return parseErr(nil, "invalid value '"+sh+"' for '<SHELL>'", false)
	}
	a.stdout.writeString(s)
	return nil
}

func visibleSubs(c *cmdSpec) []*cmdSpec {
	var out []*cmdSpec
	for _, s := range c.Subs {
		if !s.Hidden {
			out = append(out, s)
		}
	}
	return out
}

func longFlags(c *cmdSpec) []string {
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

func (a *app) bashCompletion() string {
	var b strings.Builder
	b.WriteString("# bash completion for plasmite and pls\n_plasmite() {\n")
	b.WriteString("    local cur words cmd sub\n    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n    cmd=\"\"; sub=\"\"\n")
	b.WriteString("    local i\n    for ((i=1; i<COMP_CWORD; i++)); do\n        case \"${COMP_WORDS[i]}\" in\n            --dir|--color) ((i++));;\n            -*) ;;\n            *) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; elif [[ -z $sub ]]; then sub=${COMP_WORDS[i]}; fi;;\n        esac\n    done\n")
	b.WriteString("    case \"$cmd\" in\n")
	var names []string
	for _, c := range visibleSubs(a.root) {
		names = append(names, c.Name)
		b.WriteString("        " + c.Name + ")\n")
		if len(c.Subs) > 0 {
			var subs []string
			for _, s := range c.Subs {
				subs = append(subs, s.Name)
			}
			b.WriteString("            case \"$sub\" in\n")
			for _, s := range c.Subs {
				b.WriteString("                " + s.Name + ") COMPREPLY=($(compgen -W \"" + strings.Join(longFlags(s), " ") + "\" -- \"$cur\"));;\n")
			}
			b.WriteString("                *) COMPREPLY=($(compgen -W \"" + strings.Join(subs, " ") + "\" -- \"$cur\"));;\n            esac;;\n")
			continue
		}
		words := longFlags(c)
		if c.Name == "completion" {
			words = append(words, "bash", "zsh", "fish")
		}
		b.WriteString("            COMPREPLY=($(compgen -W \"" + strings.Join(words, " ") + "\" -- \"$cur\"));;\n")
	}
	b.WriteString("        *) COMPREPLY=($(compgen -W \"" + strings.Join(names, " ") + " help --dir --color --help --version\" -- \"$cur\"));;\n")
	b.WriteString("    esac\n}\ncomplete -o default -F _plasmite plasmite pls\n")
	return b.String()
}

func (a *app) zshCompletion() string {
	var b strings.Builder
	b.WriteString("#compdef plasmite pls\n\n_plasmite() {\n  local -a commands\n  commands=(\n")
	for _, c := range visibleSubs(a.root) {
		b.WriteString("    '" + c.Name + ":" + strings.ReplaceAll(c.About, "'", "") + "'\n")
	}
	b.WriteString("  )\n  if (( CURRENT == 2 )); then\n    _describe 'command' commands\n    return\n  fi\n  case ${words[2]} in\n")
	for _, c := range visibleSubs(a.root) {
		if len(c.Subs) > 0 {
			var subs []string
			for _, s := range c.Subs {
				subs = append(subs, s.Name)
			}
			b.WriteString("    " + c.Name + ") if (( CURRENT == 3 )); then compadd " + strings.Join(subs, " ") + "; else compadd -- " + strings.Join(longFlags(c.Subs[0]), " ") + "; fi;;\n")
			continue
		}
		b.WriteString("    " + c.Name + ") compadd -- " + strings.Join(longFlags(c), " ") + ";;\n")
	}
	b.WriteString("  esac\n}\n\n_plasmite \"$@\"\n")
	return b.String()
}

func (a *app) fishCompletion() string {
	var b strings.Builder
	b.WriteString("# fish completion for plasmite and pls\n")
	for _, prog := range []string{"plasmite", "pls"} {
		for _, c := range visibleSubs(a.root) {
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
