package main

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/plasmite-go/plasmite/core"
)

// checkRemote rejects URL refs: this build serves local pools only.
func checkRemote(ref, cmd string) error {
	if strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") {
		return usageErr("remote pool refs are not yet supported by this build", "Use a local pool name or path; `"+cmd+"` over HTTP comes with `serve`.")
	}
	if strings.Contains(ref, "://") {
		return usageErr("remote pool ref must use http or https scheme", "Use shorthand: http(s)://host:port/<pool>.")
	}
	return nil
}

// openPool opens ref for writing, creating it when create is set.
func (a *app) openPool(ref string, create bool, size int64, noNotify bool) (*core.Pool, string, error) {
	path := a.resolve(ref)
	pool, err := core.Open(path, core.OpenOptions{NoNotify: noNotify})
	if err == nil || !create || !errors.Is(err, core.NotFound) {
		return pool, path, err
	}
	if !strings.ContainsRune(ref, '/') {
		if e := os.MkdirAll(a.poolDir(), 0o755); e != nil {
			return nil, path, &cliError{kind: kindOfOS(e), msg: "failed to create pool directory", path: a.poolDir(), causes: []string{osCause(e)}}
		}
	}
	pool, err = createPool(path, createOptions{size: size, indexCapacity: -1})
	if errors.Is(err, core.AlreadyExists) || (err == nil && noNotify) {
		// lost a race with another creator, or need the no-notify handle
		if pool != nil {
			pool.Close()
		}
		pool, err = core.Open(path, core.OpenOptions{NoNotify: noNotify})
	}
	return pool, path, err
}

// retryable: Busy, or I/O interrupted/would-block/timed-out.
func retryable(err error) bool {
	switch core.KindOf(err) {
	case core.Busy:
		return true
	case core.IO:
		return errors.Is(err, syscall.EINTR) || errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.ETIMEDOUT)
	}
	return false
}

type feeder struct {
	a          *app
	p          *parsed
	pool       *core.Pool
	ref, path  string
	tags       []string
	dur        core.Durability
	retries    int
	retryDelay time.Duration
	batch      core.Batch
	arena      []byte
	ends       []int
	rcpts      []core.Receipt
	getBuf     []byte
	out        []byte
	quiet      bool // duplex: no receipts
	maxBatch   int
}

func cmdFeed(a *app, p *parsed) error {
	ref := p.arg("POOL")
	if err := checkRemote(ref, "feed"); err != nil {
		return err
	}
	if p.has("create-size") && !p.has("create") {
		return usageErr("--create-size requires --create", "Add --create or remove --create-size.")
	}
	if p.has("retry-delay") && p.u64("retry") == 0 {
		return usageErr("--retry-delay requires --retry", "Add --retry or remove --retry-delay.")
	}
	dur, err := parseDurability(p.str("durability"))
	if err != nil {
		return err
	}
	delay := 50 * time.Millisecond
	if p.has("retry-delay") {
		if delay, err = parseDuration(p.str("retry-delay")); err != nil {
			return err
		}
	}
	for _, f := range []string{"token", "token-file", "tls-ca", "tls-skip-verify"} {
		if p.has(f) {
			return usageErr("feed remote auth/TLS flags require a remote http(s) pool ref", "Use --token/--token-file/--tls-ca/--tls-skip-verify only with http(s)://host:port/<pool> refs.")
		}
	}
	size := int64(core.DefaultPoolSize)
	if p.has("create-size") {
		if size, err = parseSize(p.str("create-size")); err != nil {
			return err
		}
	}
	pool, path, err := a.openPool(ref, p.has("create"), size, false)
	if err != nil {
		return a.feedMissing(err, p, ref, path)
	}
	defer pool.Close()
	f := &feeder{a: a, p: p, pool: pool, ref: ref, path: path, tags: p.all("tag"), dur: dur,
		retries: int(p.u64("retry")), retryDelay: delay}
	if data, ok := p.args["DATA"]; ok {
		return f.single([]byte(data[0]))
	}
	var in io.Reader
	switch {
	case p.has("file"):
		fn := p.str("file")
		if fn == "-" {
			in = a.stdin
		} else {
			file, err := os.Open(fn)
			if err != nil {
				return &cliError{kind: core.IO, msg: "failed to read data file", path: fn, causes: []string{osCause(err)}}
			}
			defer file.Close()
			in = file
		}
	case !a.stdinTTY:
		in = a.stdin
	default:
		return usageErr("missing data input", "Provide JSON via DATA, --file, or pipe JSON to stdin.")
	}
	mode := p.str("in")
	if mode == "" {
		mode = "auto"
	}
	return f.stream(in, mode, p.str("errors") == "skip")
}

// feedMissing adds the reference's missing-pool hints to an open failure.
func (a *app) feedMissing(err error, p *parsed, ref, path string) error {
	e := toCLI(err)
	if e.kind != core.NotFound {
		return e
	}
	if e.path == "" {
		e.path = path
	}
	switch {
	case strings.ContainsRune(ref, '/'):
		e.hint = "Pool path not found. Check the path or pass --dir for a different pool directory."
	case p.has("DATA") || p.has("file") || a.stdinTTY:
		w := []string{"plasmite", "feed", shellWord(ref), "--create"}
		for _, t := range p.all("tag") {
			w = append(w, "--tag", shellWord(t))
		}
		if d := p.arg("DATA"); p.present("DATA") {
			w = append(w, shellWord(d))
		}
		if p.has("file") {
			w = append(w, "--file", shellWord(p.str("file")))
		}
		if p.str("durability") == "flush" {
			w = append(w, "--durability", "flush")
		}
		if p.has("retry") {
			w = append(w, "--retry", p.str("retry"))
		}
		if p.has("retry-delay") {
			w = append(w, "--retry-delay", shellWord(p.str("retry-delay")))
		}
		if m := p.str("in"); m != "" && m != "auto" {
			w = append(w, "--in", m)
		}
		if p.str("errors") == "skip" {
			w = append(w, "--errors", "skip")
		}
		e.hint = "Pool is missing. Retry with exact command: " + strings.Join(w, " ")
	default:
		e.hint = "Pool is missing. Re-run with --create (local refs only), e.g. plasmite feed " + ref + " --create."
	}
	return e
}

// dataError classifies a rejected JSON text.
func dataError(data []byte, err error) *cliError {
	if !json.Valid(data) {
		var v any
		perr := json.Unmarshal(data, &v)
		e := usageErr("invalid json", `Provide a single JSON value (e.g. '{"x":1}').`)
		if perr != nil {
			e.causes = []string{perr.Error()}
		}
		return e
	}
	t := strings.TrimLeft(string(data[:min(len(data), 64)]), " \t\r\n")
	if !strings.HasPrefix(t, "{") {
		return usageErr("data must be object", `Provide a JSON object (e.g. '{"x":1}').`)
	}
	return toCLI(err)
}

func (f *feeder) single(data []byte) error {
	if !json.Valid(data) {
		return dataError(data, nil)
	}
	if t := strings.TrimLeft(string(data[:min(len(data), 64)]), " \t\r\n"); !strings.HasPrefix(t, "{") {
		return usageErr("data must be object", `Provide a JSON object (e.g. '{"x":1}').`)
	}
	if err := f.batch.AddJSON(data, f.tags); err != nil {
		return dataError(data, err)
	}
	f.arena = append(f.arena, data...)
	f.ends = append(f.ends, len(f.arena))
	return f.flush()
}

// flush appends the pending batch (retrying transient failures) and prints
// one receipt per message, in order.
func (f *feeder) flush() error {
	if f.batch.Len() == 0 {
		return nil
	}
	start := 0
	attempts := 0
	began := time.Now()
	for {
		attempts++
		f.rcpts, _ = f.rcpts[:0], 0
		rc, err := f.pool.AppendBatch(&f.batch, f.dur, f.rcpts[:0])
		f.rcpts = rc
		for i := range rc {
			f.receipt(rc[i], f.record(start+i))
		}
		start += len(rc)
		if err == nil {
			break
		}
		if !retryable(err) || attempts > f.retries {
			e := toCLI(err)
			if attempts > 1 {
				w := strconv.FormatInt(time.Since(began).Milliseconds(), 10)
				h := e.hint
				if h == "" {
					h = defaultHint(e.kind)
				}
				e.hint = strings.TrimSpace(h + " Retry attempts: " + strconv.Itoa(attempts) + " (waited " + w + "ms).")
			}
			f.reset()
			return e
		}
		time.Sleep(f.retryDelay)
		// rebuild the batch from the records not yet appended
		f.batch.Reset()
		for i := start; i < len(f.ends); i++ {
			if err := f.batch.AddJSON(f.record(i), f.tags); err != nil {
				f.reset()
				return dataError(f.record(i), err)
			}
		}
	}
	f.reset()
	return nil
}

func (f *feeder) reset() {
	f.batch.Reset()
	f.arena = f.arena[:0]
	f.ends = f.ends[:0]
}

func (f *feeder) record(i int) []byte {
	s := 0
	if i > 0 {
		s = f.ends[i-1]
	}
	return f.arena[s:f.ends[i]]
}

// receipt prints one feed receipt: a line of text on a terminal, else the
// stored message as JSON.
func (f *feeder) receipt(r core.Receipt, data []byte) {
	if f.quiet {
		return
	}
	a := f.a
	if a.stdout.tty && a.color != "always" {
		s := "fed seq=" + strconv.FormatUint(r.Seq, 10) + " at " + rfc3339Secs(time.Unix(0, r.Time))
		if len(f.tags) > 0 {
			s += "  tags: " + strings.Join(f.tags, ",")
		}
		a.stdout.writeString(s + "\n")
		return
	}
	style := a.outStyle()
	var err error
	m, gerr := f.pool.GetInto(r.Seq, f.getBuf)
	if gerr == nil {
		f.getBuf = m.Payload
		f.out, err = appendMessageJSON(f.out[:0], m.Payload, r.Seq, r.Time, style)
	}
	if gerr != nil || err != nil {
		// overwritten already (tiny pool): render from the input text
		var v any
		d := json.NewDecoder(strings.NewReader(string(data)))
		d.UseNumber()
		d.Decode(&v)
		tags := make([]any, len(f.tags))
		for i, t := range f.tags {
			tags[i] = t
		}
		env := map[string]any{"data": normalizeNumbers(v), "meta": map[string]any{"tags": tags}, "seq": r.Seq, "time": rfc3339(time.Unix(0, r.Time))}
		f.out = appendJSONValue(f.out[:0], env, style)
	}
	f.out = append(f.out, '\n')
	a.stdout.write(f.out)
}

// stream ingests records from in, appending them in batches.
func (f *feeder) stream(in io.Reader, mode string, skip bool) error {
	if mode == "jq" && skip {
		return usageErr("skip is not supported for jq-style streams", "Use --in jsonl or --in auto for resyncable streams.")
	}
	maxBytes := 256 << 10
	if in, err := f.pool.Info(); err == nil && int(in.RingSize/4) < maxBytes {
		maxBytes = int(in.RingSize / 4)
	}
	sp := newSplitter(in, mode)
	total, failed := 0, 0
	for {
		rec, err := sp.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if ferr := f.flush(); ferr != nil {
				return ferr
			}
			return &cliError{kind: core.IO, msg: "failed to read input", causes: []string{osCause(err)}}
		}
		total++
		if rec.fail == "" {
			if aerr := f.batch.AddJSON(rec.data, f.tags); aerr != nil {
				if !json.Valid(rec.data) {
					rec = sp.recover(rec, skip)
					if rec.fail == "" {
						aerr = f.batch.AddJSON(rec.data, f.tags)
					}
				}
				if rec.fail == "" && aerr != nil {
					// valid JSON the encoder refuses (not an object, too deep…): fatal
					if ferr := f.flush(); ferr != nil {
						return ferr
					}
					return dataError(rec.data, aerr)
				}
			}
		}
		if rec.fail != "" {
			if ferr := f.flush(); ferr != nil {
				return ferr
			}
			if !skip {
				if rec.fail == "Oversize" {
					return usageErr("record exceeds size limit", "Use -e skip to continue or select the correct input mode.")
				}
				return usageErr("invalid json input", f.parseHint(mode))
			}
			failed++
			f.notice(sp, rec)
			continue
		}
		f.arena = append(f.arena, rec.data...)
		f.ends = append(f.ends, len(f.arena))
		if f.batch.Len() >= 4096 || len(f.arena) >= maxBytes || !sp.buffered() {
			if err := f.flush(); err != nil {
				return err
			}
		}
	}
	if err := f.flush(); err != nil {
		return err
	}
	if total == 0 {
		return usageErr("missing data input", "Provide JSON via DATA, --file, or pipe JSON to stdin.")
	}
	if failed > 0 {
		word := "records"
		if failed == 1 {
			word = "record"
		}
		f.emitNotice("ingest_summary", "Finished with "+strconv.Itoa(failed)+" skipped "+word+".", map[string]any{
			"failed": failed, "ok": total - failed, "pool_path": f.path, "total": total,
		})
		return exitError{1}
	}
	return nil
}

func (f *feeder) parseHint(mode string) string {
	if mode == "jq" {
		return "Use --in jsonl for line-delimited input."
	}
	return "Use -e skip to continue or select the correct input mode."
}

func (f *feeder) notice(sp *splitter, rec record) {
	msg := "Skipped invalid JSON."
	if rec.fail == "Oversize" {
		msg = "Skipped oversized record."
	}
	snip := string(rec.data)
	if len(snip) > 200 {
		snip = snip[:197] + "..."
	}
	d := map[string]any{"error_kind": rec.fail, "index": rec.index, "mode": sp.mode, "pool_path": f.path, "snippet": snip}
	if rec.line > 0 {
		d["line"] = rec.line
	}
	f.emitNotice("ingest_skip", msg, d)
}

func (f *feeder) emitNotice(kind, msg string, details map[string]any) {
	if f.quiet && kind != "ingest_summary" && kind != "ingest_skip" {
		return
	}
	f.a.notice("feed", kind, msg, f.ref, details, false)
}

// notice writes a notice on stderr: JSON when stderr is not a terminal,
// "notice: …" text otherwise.
func (a *app) notice(cmd, kind, msg, pool string, details map[string]any, withPool bool) {
	if !a.stderr.tty {
		b := appendJSONValue(nil, map[string]any{"notice": map[string]any{
			"cmd": cmd, "details": details, "kind": kind, "message": msg, "pool": pool,
			"time": rfc3339(time.Now()),
		}}, styleCompact)
		a.stderr.write(append(b, '\n'))
		return
	}
	label := "notice:"
	if a.colorErr() {
		label = "\x1b[33mnotice:\x1b[0m"
	}
	s := label + " " + msg
	if withPool {
		s += " (pool: " + pool + ")"
	}
	a.stderr.writeString(s + "\n")
}
