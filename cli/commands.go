package main

// The command tree: names, options, help prose and examples.

var (
	fHelp     = flagSpec{Long: "help", Short: 'h', Help: "Print help"}
	fJSON     = flagSpec{Long: "json", Help: "Print machine-readable JSON instead of text"}
	fTag      = flagSpec{Long: "tag", Value: "TAG", Multi: true, Help: "Tag (repeatable)"}
	fCreate   = flagSpec{Long: "create", Help: "Create the pool first if it does not exist (default size 1M)"}
	fJSONL    = flagSpec{Long: "jsonl", Help: "Same as --format jsonl"}
	fTail     = flagSpec{Long: "tail", Short: 'n', Value: "TAIL", Kind: vU64, Help: "Start with the last N retained messages (filters apply to them), then follow"}
	fSince    = flagSpec{Long: "since", Value: "SINCE", Help: "Start at messages written at or after a time: RFC 3339, or relative like 30s, 5m, 2h, 1d"}
	fTimeout  = flagSpec{Long: "timeout", Value: "TIMEOUT", Help: "Exit 124 when no message arrives for this long (e.g. 500ms, 10s, 5m)"}
	fDurab    = flagSpec{Long: "durability", Value: "DURABILITY", Help: "fast (default) or flush (sync to disk before acknowledging)"}
	fCrSize   = flagSpec{Long: "create-size", Value: "SIZE", Help: "Size of a pool created because it is missing (bytes or K/M/G, default 1M); implies --create"}
	remoteAll = []flagSpec{
		{Long: "token", Value: "TOKEN", Help: "Bearer token (remote refs only)"},
		{Long: "token-file", Value: "PATH", Help: "Read the bearer token from a file (remote refs only)"},
		{Long: "tls-ca", Value: "PATH", Help: "Extra trusted CA certificate, PEM (remote refs only)"},
		{Long: "tls-skip-verify", Help: "Do not verify the server certificate (remote refs only; unsafe)"},
	}
)

// globalFlags are accepted before the command and, as in 1.2.1, after it.
var globalFlags = []flagSpec{
	{Long: "dir", Value: "DIR", Multi: true, Help: "Directory for named pools (default ~/.plasmite/pools)"},
	{Long: "color", Value: "COLOR", Multi: true, Enum: []string{"auto", "always", "never"}, Help: "Color for terminal output: auto, always or never"},
	{Long: "format", Value: "FORMAT", Multi: true, Enum: []string{"pretty", "json", "jsonl", "yaml", "lite3", "lite3-raw"}, Help: "Output: pretty (text / indented JSON) or json (compact, one per line; jsonl is the same). Default: pretty on a terminal, json in a pipe"},
}

func flags(fs ...[]flagSpec) []flagSpec {
	var out []flagSpec
	for _, f := range fs {
		out = append(out, f...)
	}
	return append(out, fHelp)
}

func commandTree() *cmdSpec {
	root := &cmdSpec{Name: "plasmite", About: "Persistent JSON message pools for local interprocess messaging", Flags: globalFlags}
	pool := &cmdSpec{
		Name: "pool", About: "Manage pool files", HelpIfEmpty: true,
		Subs: []*cmdSpec{
			{
				Name: "create", About: "Create one or more pools", HelpIfEmpty: true,
				Args: []argSpec{{Name: "NAME", Required: true, Multi: true, Help: "Pool names (stored in the pool directory) or paths"}},
				Flags: flags([]flagSpec{
					{Long: "size", Value: "SIZE", Help: "File size of each pool: bytes or K/M/G (1024-based); default 1M"},
					{Long: "index-capacity", Value: "INDEX_CAPACITY", Kind: vU32, Help: "Number of index slots (16 bytes each) for fast seq lookup; 0 disables the index; may use at most half the pool"},
					fJSON,
				}),
				Notes: []string{
					"The oldest messages are dropped when a pool is full, so size it for the history you want to keep.",
					"Creating a pool that already exists fails (exit 4) and leaves it untouched.",
				},
				Examples: []string{
					"plasmite pool create chat",
					"plasmite pool create --size 64M builds deploys",
					"plasmite pool create ./local/events.plasmite --json",
				},
				Run: cmdPoolCreate,
			},
			{
				Name: "info", About: "Show pool metadata and bounds", HelpIfEmpty: true,
				Args:     []argSpec{{Name: "NAME", Required: true, Help: "Pool name or path"}},
				Flags:    flags([]flagSpec{fJSON}),
				Examples: []string{"plasmite pool info chat", "plasmite pool info chat --json | jq .bounds"},
				Run:      cmdPoolInfo,
			},
			{
				Name: "delete", About: "Delete one or more pool files", HelpIfEmpty: true,
				Args:     []argSpec{{Name: "NAME", Required: true, Multi: true, Help: "Pool names or paths"}},
				Flags:    flags([]flagSpec{fJSON}),
				Notes:    []string{"Every name is attempted; the exit status is that of the first failure."},
				Examples: []string{"plasmite pool delete chat", "plasmite pool delete a b c --json"},
				Run:      cmdPoolDelete,
			},
			{
				Name: "list", About: "List pools in the pool directory",
				Flags:    flags([]flagSpec{fJSON}),
				Examples: []string{"plasmite pool list", "plasmite --dir ./pools pool list --json"},
				Run:      cmdPoolList,
			},
		},
	}
	feed := &cmdSpec{
		Name: "feed", About: "Send a message to a pool", HelpIfEmpty: true,
		Args: []argSpec{
			{Name: "POOL", Required: true, Help: "Pool name or path"},
			{Name: "DATA", Help: "One JSON object; omit to read --file or stdin"},
		},
		Flags: flags([]flagSpec{
			fTag,
			{Long: "file", Short: 'f', Value: "FILE", Help: "Read messages from a file (- for stdin)"},
			{Long: "input-format", Alias: "in", Short: 'i', Value: "INPUT", Enum: []string{"auto", "json", "jsonl", "seq", "jq", "yaml", "lite3", "lite3-raw"}, Help: "How to read a file/stdin stream: auto (default: JSON objects, json-seq or SSE, detected), json (whitespace-separated objects), jsonl (one per line), seq (RFC 7464, journalctl -o json-seq). --in is the same option"},
			{Long: "data", Help: "Treat every object as data, even one shaped like a complete message"},
			{Long: "errors", Short: 'e', Value: "ERRORS", Enum: []string{"stop", "skip"}, Help: "On a bad record: stop (default, exit 2) or skip it with a notice (exit 1 at the end)"},
			fDurab, fCreate, fCrSize,
			{Long: "retry", Value: "RETRY", Kind: vU32, Help: "Extra attempts when the pool is busy or a transient I/O error occurs"},
			{Long: "retry-delay", Value: "RETRY_DELAY", Help: "Pause between attempts (default 50ms); requires --retry > 0"},
		}, remoteAll),
		Conflicts: [][2]string{{"file", "DATA"}},
		Notes: []string{
			"Choose one input source: DATA, --file, or a pipe on stdin.",
			"Every message's data must be a JSON object of at most 1 MiB.",
			"Each appended message gets a receipt on stdout: a line of text on a terminal, JSON when piped.",
			"With --errors skip, bad records are reported on stderr and the command exits 1 at the end.",
			"--token, --token-file, --tls-ca and --tls-skip-verify apply to remote refs only.",
		},
		Examples: []string{
			`plasmite feed chat '{"from":"alice","msg":"hello"}'`,
			`plasmite feed builds --tag ci --tag failed '{"job":42}'`,
			`plasmite feed events --create --file events.jsonl`,
			`journalctl -o json-seq -f | plasmite feed syslog --create --create-size 64M`,
		},
		Run: cmdFeed,
	}
	fetch := &cmdSpec{
		Name: "fetch", About: "Fetch one message by sequence number", HelpIfEmpty: true,
		Args: []argSpec{
			{Name: "POOL", Required: true, Help: "Pool name or path"},
			{Name: "SEQ", Required: true, Help: "Sequence number"},
		},
		Flags:    flags(),
		Examples: []string{"plasmite fetch chat 1", "plasmite fetch chat 42 | jq .data"},
		Run:      cmdFetch,
	}
	follow := &cmdSpec{
		Name: "follow", About: "Follow messages from a pool", HelpIfEmpty: true,
		Args: []argSpec{{Name: "POOL", Required: true, Help: "Pool name or path"}},
		Flags: flags([]flagSpec{
			fTail, fSince,
			{Long: "no-follow", Help: "Print the selected history (all retained messages, or --tail/--since) and exit"},
			{Long: "one", Help: "Exit after printing one message"},
			fTimeout,
			{Long: "where", Value: "WHERE", Multi: true, Help: "jq predicate on the envelope {data,meta,seq,time}; repeat to require all"},
			fTag, fJSONL,
			{Long: "data-only", Help: "Print only the data of each message"},
			{Long: "replay", Value: "REPLAY", Kind: vF64, Help: "Print history with its original pacing at this speed (1 realtime, 2 double, 0 no delay), then exit; requires --tail or --since"},
			{Long: "quiet-drops", Help: "Do not report messages overwritten before they could be read"},
			{Long: "no-notify", Help: "Poll instead of waiting for wake-ups from writers"},
			fCreate,
		}, remoteAll),
		Conflicts: [][2]string{{"since", "tail"}},
		Notes: []string{
			"Without --tail, --since or --no-follow only messages written after start are shown.",
			"--where takes jq expressions (select, test, has, length, any… all work); each must yield true for the message to be shown.",
			"--replay needs a finite SPEED >= 0 and --tail or --since.",
			"Exit status: 0 after --one or --replay, 124 when --timeout expires.",
			"Remote refs reject --create, --since, --replay, --no-notify and --quiet-drops.",
		},
		Examples: []string{
			"plasmite follow chat",
			"plasmite follow chat --tail 10 --jsonl",
			`plasmite follow ci --where '.data.status == "green"' --one --timeout 10m`,
			`plasmite follow logs --since 5m --where '.data.msg | test("timeout")'`,
			"plasmite follow incidents --tag sev1 --data-only",
		},
		Run: cmdFollow,
	}
	tap := &cmdSpec{
		Name: "tap", About: "Capture command output into a local pool", HelpIfEmpty: true,
		Usage: "tap [OPTIONS] <POOL> -- <COMMAND>...",
		Args:  []argSpec{{Name: "POOL", Required: true, Help: "Local pool name or path"}},
		Flags: flags([]flagSpec{
			fCreate, fCrSize,
			{Long: "tag", Value: "TAG", Multi: true, Help: "Tag for captured output lines (repeatable)"},
			{Long: "quiet", Short: 'q', Help: "Do not pass the command's output through"},
			fDurab,
		}),
		Trailing: "COMMAND",
		Notes: []string{
			"Writes a start message, one message per output line, and an exit message.",
			"Exits with the wrapped command's exit status (128+N when it died of signal N).",
			"`--` is required before the wrapped command and its arguments.",
		},
		Examples: []string{
			"plasmite tap build --create -- make test",
			"plasmite tap api --create --create-size 64M -- ./server --port 8080",
		},
		Run: cmdTap,
	}
	duplex := &cmdSpec{
		Name: "duplex", About: "Send and follow from one command", HelpIfEmpty: true,
		Args: []argSpec{{Name: "POOL", Required: true, Help: "Pool name or path"}},
		Flags: flags([]flagSpec{
			{Long: "me", Value: "ME", Help: "Your name: sent as data.from; your own messages are hidden"},
			fCreate, fTail, fSince, fTimeout, fJSONL,
			{Long: "echo-self", Help: "Also show your own messages"},
		}),
		Conflicts: [][2]string{{"since", "tail"}},
		Notes: []string{
			"Terminal input requires --me: each line becomes {\"from\":ME,\"msg\":LINE}.",
			"Piped input is read like `feed` (JSON objects), without receipts.",
			"Exits when either side ends; 124 when --timeout expires.",
		},
		Examples: []string{"plasmite duplex chat --me alice", `echo '{"from":"bot","msg":"ready"}' | plasmite duplex chat --me bot`},
		Run:      cmdDuplex,
	}
	doctor := &cmdSpec{
		Name: "doctor", About: "Diagnose pool health", HelpIfEmpty: true,
		Usage: "doctor [OPTIONS] <POOL|--all>",
		Args:  []argSpec{{Name: "POOL", Help: "Pool name or path"}},
		Flags: flags([]flagSpec{{Long: "all", Help: "Check every pool in the pool directory"},
			{Long: "quick", Help: "Check headers and frames only, not message payloads"}, fJSON}),
		Notes: []string{"Exits nonzero when corruption is found (7)."},
		Examples: []string{
			"plasmite doctor chat",
			"plasmite doctor --all --json",
		},
		Run: cmdDoctor,
	}
	serve := serveSpec()
	mcp := mcpSpec()
	version := &cmdSpec{
		Name: "version", About: "Print version information",
		Flags: flags(),
		Notes: []string{"Text on a terminal; JSON {\"name\",\"version\"} when stdout is piped."},
		Run:   cmdVersion,
	}
	completion := &cmdSpec{
		Name: "completion", About: "Generate shell completions", HelpIfEmpty: true,
		Args:     []argSpec{{Name: "SHELL", Required: true, Help: "bash, zsh or fish"}},
		Flags:    flags(),
		Examples: []string{"plasmite completion bash > /etc/bash_completion.d/plasmite", "plasmite completion zsh > \"${fpath[1]}/_plasmite\""},
		Run:      cmdCompletion,
	}
	root.Subs = []*cmdSpec{pool, feed, serve, mcp, fetch, follow, tap, duplex, doctor, version, completion}
	link(root)
	return root
}

func notYet(name string) func(*app, *parsed) error {
	return func(*app, *parsed) error {
		return usageErr("`"+name+"` is not yet implemented in this build", "Use the local commands (pool, feed, fetch, follow, tap, duplex, doctor) for now.")
	}
}
