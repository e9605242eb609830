package main

import (
	"bufio"
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
	"github.com/plasmite-go/plasmite/wire"
)

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

func cmdTap(a *app, p *parsed) error {
	ref := p.arg("POOL")
	if p.has("create-size") && !p.has("create") {
		return usageErr("--create-size requires --create", "Add --create or remove --create-size.")
	}
	if strings.Contains(ref, "://") {
		return usageErr("tap accepts local pool refs only", "Use a local pool name/path (for example `plasmite tap build -- ...`).")
	}
	if len(p.trailing) == 0 {
		return usageErr("tap requires a wrapped command after `--`", "Use `plasmite tap <pool> -- <command...>`.")
	}
	dur, err := parseDurability(p.str("durability"))
	if err != nil {
		return err
	}
	size := int64(core.DefaultPoolSize)
	if p.has("create-size") {
		if size, err = parseSize(p.str("create-size")); err != nil {
			return err
		}
	}
	pool, path, err := a.openPool(ref, p.has("create"), size, false)
	if err != nil {
		e := wire.ErrorOf(err)
		if e.Kind == core.NotFound {
			if e.Path == "" {
				e.Path = path
			}
			e.Hint = "Pool is missing. Re-run with --create (local refs only), e.g. plasmite tap " + ref + " --create."
		}
		return e
	}
	defer pool.Close()
	argv := p.trailing
	bin, err := exec.LookPath(argv[0])
	if err != nil {
		return usageErr("wrapped command not found: "+argv[0], "Check PATH or use an absolute executable path.")
	}
	cmd := exec.Command(bin, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Stdin = os.Stdin
	outR, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	errR, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	var mu sync.Mutex
	var appendErr error
	lines := 0
	tags := p.all("tag")
	put := func(v map[string]any, tags []string) {
		mu.Lock()
		defer mu.Unlock()
		if appendErr != nil {
			return
		}
		b := appendJSONValue(nil, v, styleCompact)
		if _, err := pool.AppendJSON(b, tags, dur); err != nil {
			appendErr = err
			if cmd.Process != nil {
				cmd.Process.Kill()
			}
		}
	}
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
	if a.stderr.tty {
		a.stderr.writeString("tapping " + ref + " <- " + strings.Join(argv, " ") + "\n")
	}
	put(map[string]any{"cmd": cmdAny, "kind": "start"}, []string{"lifecycle"})
	go func() {
		for s := range sigs {
			cmd.Process.Signal(s)
		}
	}()
	var wg sync.WaitGroup
	pump := func(r io.Reader, name string, out *os.File) {
		defer wg.Done()
		br := bufio.NewReaderSize(r, 64<<10)
		pass := !p.has("quiet")
		for {
			line, err := br.ReadBytes('\n')
			if len(line) > 0 {
				if pass {
					if _, werr := out.Write(line); werr != nil {
						pass = false
					}
				}
				text := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
				put(map[string]any{"kind": "line", "line": text, "stream": name}, tags)
				mu.Lock()
				lines++
				mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}
	wg.Add(2)
	go pump(outR, "stdout", os.Stdout)
	go pump(errR, "stderr", os.Stderr)
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
	put(exitMsg, []string{"lifecycle"})
	if appendErr != nil {
		return appendErr
	}
	if a.stderr.tty {
		a.stderr.writeString("tapped " + strconv.Itoa(lines) + " lines (" + strconv.FormatFloat(elapsed.Seconds(), 'f', 1, 64) + "s) -> " + ref + " " + status + "\n")
	}
	if code != 0 {
		return exitError{code}
	}
	return nil
}
