// Package tap is the `tap` command: run a command and capture its output
// lines into a local pool.
package tap

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/poolref"
	"github.com/plasmite-go/plasmite/wire"
)

// Options are tap's.
type Options struct {
	Pool       string
	Create     bool
	CreateSize *string
	Tags       []string
	Quiet      bool
	Durability string
	Command    []string // after `--`
}

// Command declares tap; its Run runs Run with the options parsed and env.
func Command(env *cmdutil.Env) *clap.Command {
	o := &Options{}
	return &clap.Command{
		Name: "tap", About: "Capture command output into a local pool", HelpIfEmpty: true,
		Usage: "tap [OPTIONS] <POOL> -- <COMMAND>...",
		Args:  []clap.Arg{{Name: "POOL", Required: true, Help: "Local pool name or path", Into: clap.String(&o.Pool)}},
		Flags: []clap.Flag{
			cmdutil.CreateFlag(&o.Create),
			cmdutil.CreateSizeFlag(&o.CreateSize),
			cmdutil.TagFlag(&o.Tags, "Tag for captured output lines (repeatable)"),
			{Long: "quiet", Short: 'q', Help: "Do not pass the command's output through", Into: clap.Bool(&o.Quiet)},
			cmdutil.DurabilityFlag(&o.Durability),
			clap.HelpFlag,
		},
		// A missing command is tap's own error, worded for it (see Run).
		Trailing: &clap.Trailing{Name: "COMMAND", Help: "The command to run and its arguments, after --", Into: &o.Command},
		Notes: []string{
			"Writes a start message, one message per output line, and an exit message.",
			"Exits with the wrapped command's exit status (128+N when it died of signal N).",
			"`--` is required before the wrapped command and its arguments.",
		},
		Examples: []string{
			"plasmite tap build --create -- make test",
			"plasmite tap api --create --create-size 64M -- ./server --port 8080",
		},
		Run: env.Runner("tap", cmdutil.TextOnly, func(ctx context.Context) error { return Run(ctx, o, env) }),
	}
}

var signalNames = map[syscall.Signal]string{
	syscall.SIGINT: "SIGINT", syscall.SIGKILL: "SIGKILL", syscall.SIGSEGV: "SIGSEGV", syscall.SIGTERM: "SIGTERM",
	syscall.SIGHUP: "SIGHUP", syscall.SIGQUIT: "SIGQUIT", syscall.SIGABRT: "SIGABRT", syscall.SIGPIPE: "SIGPIPE",
}

func sigName(s syscall.Signal) string {
	if n, ok := signalNames[s]; ok {
		return n
	}
	return "SIG" + strconv.Itoa(int(s))
}

// capture appends the wrapped command's lifecycle and lines to the pool;
// the first failed append kills the command.
type capture struct {
	mu    sync.Mutex
	pool  poolref.Pool
	dur   core.Durability
	cmd   *exec.Cmd
	err   error
	lines int
}

func (c *capture) put(v map[string]any, tags []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	if _, err := c.pool.AppendJSON(jsonfmt.AppendValue(nil, v, jsonfmt.Compact), tags, c.dur); err != nil {
		c.err = err
		if c.cmd.Process != nil {
			c.cmd.Process.Kill()
		}
	}
}

// Run runs o.Command with env's stdin, passing its stdout and
// stderr through (unless Quiet) while appending a start message, one
// message per output line and an exit message to the pool (created first
// when missing and Create or CreateSize asks); SIGINT and SIGTERM are
// forwarded. It exits with the command's status (128+N for signal N).
func Run(ctx context.Context, o *Options, env *cmdutil.Env) error {
	if poolref.IsURL(o.Pool) {
		return cmdutil.UsageError("tap accepts local pool refs only", "Use a local pool name/path (for example `plasmite tap build -- ...`).")
	}
	if len(o.Command) == 0 {
		return cmdutil.UsageError("tap requires a wrapped command after `--`", "Use `plasmite tap <pool> -- <command...>`.")
	}
	dur, err := cmdutil.ParseDurability(o.Durability)
	if err != nil {
		return err
	}
	size, err := cmdutil.CreateSize(o.CreateSize)
	if err != nil {
		return err
	}
	pools := env.Pools("tap")
	ref, err := pools.Parse(o.Pool)
	if err != nil {
		return err
	}
	// 1.2.1: --create-size alone also creates a missing pool (as for feed).
	pool, err := pools.Open(ref, poolref.OpenOptions{Create: o.Create || o.CreateSize != nil, CreateSize: size})
	if err != nil {
		e := wire.ErrorOf(err)
		if e.Kind == core.NotFound {
			if e.Path == "" {
				e.Path = ref.Path
			}
			e.Hint = "Pool is missing. Re-run with --create (local refs only), e.g. plasmite tap " + o.Pool + " --create."
		}
		return e
	}
	defer pool.Close()
	argv := o.Command
	bin, err := exec.LookPath(argv[0])
	if err != nil {
		return cmdutil.UsageError("wrapped command not found: "+argv[0], "Check PATH or use an absolute executable path.")
	}
	cmd := exec.Command(bin, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Stdin = env.Stdin
	outR, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	errR, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	c := &capture{pool: pool, dur: dur, cmd: cmd}
	cmdAny := make([]any, len(argv))
	for i, s := range argv {
		cmdAny[i] = s
	}
	// Catch the signals before anything is published: once the start
	// message is visible, a supervisor may signal us at any moment.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		signal.Stop(sigs)
		return &core.Error{Kind: core.IO, Message: "failed to spawn wrapped command", Err: err}
	}
	if env.Stderr.TTY {
		if err := env.Stderr.WriteString("tapping " + o.Pool + " <- " + strings.Join(argv, " ") + "\n"); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			return err
		}
	}
	c.put(map[string]any{"cmd": cmdAny, "kind": "start"}, []string{"lifecycle"})
	go func() {
		for s := range sigs {
			cmd.Process.Signal(s)
		}
	}()
	var wg sync.WaitGroup
	pump := func(r io.Reader, name string, out io.Writer) {
		defer wg.Done()
		br := bufio.NewReaderSize(r, 64<<10)
		pass := !o.Quiet
		for {
			line, err := br.ReadBytes('\n')
			if len(line) > 0 {
				if pass {
					if _, werr := out.Write(line); werr != nil {
						pass = false
					}
				}
				text := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
				c.put(map[string]any{"kind": "line", "line": text, "stream": name}, o.Tags)
				c.mu.Lock()
				c.lines++
				c.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}
	wg.Add(2)
	go pump(outR, "stdout", env.Stdout.Raw())
	go pump(errR, "stderr", env.Stderr.Raw())
	wg.Wait()
	werr := cmd.Wait()
	signal.Stop(sigs)
	close(sigs)
	elapsed := time.Since(start)
	code := 0
	exitMsg := map[string]any{"elapsed_ms": elapsed.Milliseconds(), "kind": "exit"}
	status := "exit 0"
	var ee *exec.ExitError
	if errors.As(werr, &ee) {
		ws := ee.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			exitMsg["signal"] = sigName(ws.Signal())
			code = 128 + int(ws.Signal())
			status = "signal " + sigName(ws.Signal())
		} else {
			code = ws.ExitStatus()
			exitMsg["code"] = code
			status = "exit " + strconv.Itoa(code)
		}
	} else if werr != nil {
		return &core.Error{Kind: core.IO, Message: "failed to wait for wrapped command", Err: errors.New(werr.Error())}
	} else {
		exitMsg["code"] = 0
	}
	c.put(exitMsg, []string{"lifecycle"})
	if c.err != nil {
		return c.err
	}
	if env.Stderr.TTY {
		if err := env.Stderr.WriteString("tapped " + strconv.Itoa(c.lines) + " lines (" + strconv.FormatFloat(elapsed.Seconds(), 'f', 1, 64) + "s) -> " + o.Pool + " " + status + "\n"); err != nil {
			return err
		}
	}
	if code != 0 {
		return cmdutil.Exit{Code: code}
	}
	return nil
}
