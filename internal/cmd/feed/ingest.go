package feed

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"github.com/plasmite-go/plasmite/core"
)

// MaxRecord is the largest record (bytes of its JSON text) feed accepts.
const MaxRecord = 1 << 20

// record is one unit of a feed stream: JSON text, or a failure to report.
type record struct {
	data  []byte // valid until the next call to next
	index int    // 1-based record number
	line  int    // 1-based first line; 0 when the mode has no lines
	fail  string // "", "Parse" or "Oversize"
	msg   string // parser message for failures
	err   error  // the error to report for this failure, when it has its own (YAML)
}

// splitter cuts a feed stream into records according to --in.
type splitter struct {
	r        *bufio.Reader
	mode     string // jsonl, json, seq, jq, event, auto (resolved on first call)
	auto     bool
	index    int
	line     int
	buf      []byte
	acc      []byte
	dec      *json.Decoder
	done     bool
	pending  []byte // a line read ahead while accumulating (auto resync)
	fallback string // what auto resolves to for plain JSON: objects, or jsonl when skipping
	yaml     *yamlDocs
}

func newSplitter(r io.Reader, mode string) *splitter {
	return &splitter{r: bufio.NewReaderSize(r, 1<<16), mode: mode, auto: mode == "auto", fallback: "objects"}
}

// buffered says whether more input is available without blocking.
func (s *splitter) buffered() bool { return s.r.Buffered() > 0 || s.pending != nil }

// Note: pending holds a line read ahead (jsonl resync, or the start of the
// next json-seq record found inside a line).

// resolve picks the mode for auto: RS anywhere in the first chunk → seq;
// first non-blank line starting with an SSE field → event; else jsonl.
func (s *splitter) resolve() {
	if s.mode != "auto" {
		return
	}
	// Look at what is available (at least one byte or one line), without
	// waiting for a full sniff window on a slow live stream.
	peek, _ := s.r.Peek(1)
	if len(peek) > 0 {
		n := s.r.Buffered()
		if n > 8192 {
			n = 8192
		}
		peek, _ = s.r.Peek(n)
		// make sure we see at least the first non-blank line when possible
		for !bytes.ContainsAny(bytes.TrimLeft(peek, " \t\r\n"), "\n\x1e") && len(peek) < 8192 {
			more, err := s.r.Peek(len(peek) + 1)
			if len(more) <= len(peek) || err != nil {
				peek = more
				break
			}
			peek, _ = s.r.Peek(s.r.Buffered())
		}
	}
	if bytes.IndexByte(peek, 0x1e) >= 0 {
		s.mode = "seq"
		return
	}
	first := bytes.TrimLeft(peek, " \t\r\n")
	if bytes.HasPrefix(first, []byte("---")) {
		// marked YAML documents, as 1.2.1 detects them: from the "---" on
		s.r.Discard(len(peek) - len(first))
		s.mode = "yaml"
		return
	}
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	for _, p := range []string{"data:", "event:", "id:", ":"} {
		if bytes.HasPrefix(first, []byte(p)) {
			s.mode = "event"
			return
		}
	}
	s.mode = s.fallback
}

// readLine returns the next line without its terminator; lines longer than
// MaxRecord come back truncated with over=true (the rest is discarded).
func (s *splitter) readLine() (line []byte, over bool, err error) {
	if s.pending != nil {
		l := s.pending
		s.pending = nil
		return l, false, nil
	}
	s.buf = s.buf[:0]
	for {
		chunk, e := s.r.ReadSlice('\n')
		if len(s.buf)+len(chunk) > MaxRecord+2 {
			over = true
		} else {
			s.buf = append(s.buf, chunk...)
		}
		if e == bufio.ErrBufferFull {
			continue
		}
		if e != nil {
			if e == io.EOF && (len(s.buf) > 0 || over) {
				break
			}
			return nil, false, e
		}
		break
	}
	s.line++
	line = bytes.TrimRight(s.buf, "\r\n")
	if len(line) > MaxRecord {
		over = true
	}
	return line, over, nil
}

func blank(b []byte) bool { return len(bytes.TrimSpace(b)) == 0 }

// next returns the next record; io.EOF at the end; other errors are read errors.
func (s *splitter) next() (record, error) {
	if s.done {
		return record{}, io.EOF
	}
	s.resolve()
	switch s.mode {
	case "jsonl":
		for {
			line, over, err := s.readLine()
			if err != nil {
				return record{}, err
			}
			if !over && blank(line) {
				continue
			}
			s.index++
			rec := record{data: line, index: s.index, line: s.line}
			if over {
				rec.fail = "Oversize"
			}
			return rec, nil
		}
	case "json":
		s.done = true
		all, err := io.ReadAll(io.LimitReader(s.r, MaxRecord+1))
		if err != nil {
			return record{}, err
		}
		over := len(all) > MaxRecord
		if over {
			io.Copy(io.Discard, s.r)
		}
		if !over && blank(all) {
			return record{}, io.EOF
		}
		s.index++
		rec := record{data: bytes.TrimSpace(all), index: 1}
		if over {
			rec.fail = "Oversize"
		}
		return rec, nil
	case "seq":
		return s.nextSeq()
	case "yaml":
		return s.nextYAML()
	case "objects":
		return s.nextObject()
	case "jq":
		if s.dec == nil {
			s.dec = json.NewDecoder(s.r)
		}
		var raw json.RawMessage
		if err := s.dec.Decode(&raw); err != nil {
			if err == io.EOF {
				return record{}, io.EOF
			}
			var se *json.SyntaxError
			if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
				s.done = true
				s.index++
				return record{index: s.index, fail: "Parse", msg: err.Error()}, nil
			}
			return record{}, err
		}
		s.index++
		rec := record{data: raw, index: s.index}
		if len(raw) > MaxRecord {
			rec.fail = "Oversize"
		}
		return rec, nil
	case "event":
		s.acc = s.acc[:0]
		have := false
		start := 0
		for {
			line, _, err := s.readLine()
			if err == io.EOF {
				s.done = true
				if have {
					break
				}
				return record{}, io.EOF
			}
			if err != nil {
				return record{}, err
			}
			if len(line) == 0 {
				if have {
					break
				}
				continue
			}
			if line[0] == ':' {
				continue
			}
			if rest, ok := bytes.CutPrefix(line, []byte("data:")); ok {
				rest = bytes.TrimPrefix(rest, []byte(" "))
				if have {
					s.acc = append(s.acc, '\n')
				} else {
					start = s.line
				}
				s.acc = append(s.acc, rest...)
				have = true
			}
		}
		s.index++
		rec := record{data: s.acc, index: s.index, line: start}
		if len(s.acc) > MaxRecord {
			rec.fail = "Oversize"
		}
		return rec, nil
	}
	return record{}, io.EOF
}

// recover handles a line that failed to parse in auto mode: when it opens an
// object or array, following lines are joined until the text parses as one
// value (pretty-printed JSON). It returns the joined record or a failure.
func (s *splitter) recover(rec record, skip bool) record {
	t := bytes.TrimLeft(rec.data, " \t")
	if !s.auto || s.mode != "jsonl" || len(t) == 0 || (t[0] != '{' && t[0] != '[') {
		rec.fail = "Parse"
		return rec
	}
	s.acc = append(s.acc[:0], rec.data...)
	depth := scanDepth(s.acc, 0)
	for {
		line, over, err := s.readLine()
		if err != nil {
			rec.data = s.acc
			rec.fail = "Parse"
			return rec
		}
		if skip {
			lt := bytes.TrimLeft(line, " \t")
			if len(lt) > 0 && (lt[0] == '{' || lt[0] == '[') {
				// resync: the accumulated text is a bad record; restart here
				s.pending = append([]byte(nil), line...)
				s.line--
				rec.data = s.acc
				rec.fail = "Parse"
				return rec
			}
		}
		if over || len(s.acc)+1+len(line) > MaxRecord {
			rec.data = s.acc
			rec.fail = "Oversize"
			return rec
		}
		s.acc = append(s.acc, '\n')
		s.acc = append(s.acc, line...)
		depth = scanDepth(line, depth)
		if depth <= 0 && json.Valid(s.acc) {
			rec.data = s.acc
			rec.fail = ""
			return rec
		}
	}
}

// scanDepth tracks bracket nesting outside strings, well enough to know
// when a multi-line value may be complete (json.Valid has the last word).
// String state is not carried across lines: JSON strings cannot contain
// raw newlines.
func scanDepth(b []byte, depth int) int {
	in := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if in {
			if c == '\\' {
				i++
			} else if c == '"' {
				in = false
			}
			continue
		}
		switch c {
		case '"':
			in = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
	}
	return depth
}

// nextObject reads one JSON object from a stream of whitespace-separated
// objects (JSONL, pretty-printed JSON, jq output). The record aliases the
// reader's buffer when it fits, so most records are never copied here.
func (s *splitter) nextObject() (record, error) {
	for {
		b, err := s.r.ReadByte()
		if err != nil {
			if err == io.EOF {
				return record{}, io.EOF
			}
			return record{}, err
		}
		if b == ' ' || b == '\t' || b == '\r' || b == '\n' {
			continue
		}
		s.r.UnreadByte()
		if b != '{' {
			s.done = true
			s.index++
			rest, _ := s.r.Peek(min(s.r.Buffered(), 200))
			return record{data: rest, index: s.index, fail: "NotObject"}, nil
		}
		break
	}
	s.index++
	depth, inStr, esc := 0, false, false
	s.buf = s.buf[:0]
	copied := false
	for {
		avail, perr := s.r.Peek(max(s.r.Buffered(), 1))
		if len(avail) == 0 {
			if perr == io.EOF {
				s.done = true
				return record{data: s.buf, index: s.index, fail: "Incomplete"}, nil
			}
			return record{}, perr
		}
		end := -1
		for i := 0; i < len(avail); i++ {
			c := avail[i]
			if inStr {
				if esc {
					esc = false
				} else if c == '\\' {
					esc = true
				} else if c == '"' {
					inStr = false
				}
				continue
			}
			switch c {
			case '"':
				inStr = true
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					end = i + 1
				}
			}
			if end >= 0 {
				break
			}
		}
		if end >= 0 {
			// Also eat the whitespace already buffered after the record, so
			// "nothing buffered" means "the input paused" to the caller.
			skip := end
			for skip < len(avail) && (avail[skip] == ' ' || avail[skip] == '\t' || avail[skip] == '\r' || avail[skip] == '\n') {
				skip++
			}
			if !copied {
				rec := record{data: avail[:end], index: s.index}
				// The record stays valid after Discard: bufio does not move
				// data until the next fill, which happens on our next read.
				s.r.Discard(skip)
				if end > MaxRecord {
					rec.fail = "Oversize"
				}
				return rec, nil
			}
			s.buf = append(s.buf, avail[:end]...)
			s.r.Discard(skip)
			rec := record{data: s.buf, index: s.index}
			if len(s.buf) > MaxRecord {
				rec.fail = "Oversize"
				s.done = true
			}
			return rec, nil
		}
		if len(s.buf)+len(avail) > MaxRecord+1 {
			s.done = true
			s.r.Discard(len(avail))
			return record{data: s.buf, index: s.index, fail: "Oversize"}, nil
		}
		s.buf = append(s.buf, avail...)
		copied = true
		s.r.Discard(len(avail))
	}
}

// nextSeq reads one RFC 7464 record: RS, a JSON text, LF. A record ends at
// the LF that completes its value (or at the next RS, or EOF), so a live
// `journalctl -o json-seq -f` record is stored as soon as its line arrives.
func (s *splitter) nextSeq() (record, error) {
	s.acc = s.acc[:0]
	depth, over, started := 0, false, false
	for {
		var line []byte
		var err error
		if s.pending != nil {
			line, s.pending = s.pending, nil
		} else {
			line, err = s.r.ReadSlice('\n')
			if err == bufio.ErrBufferFull {
				err = nil // a long line: keep it in pieces
			}
			if err != nil && err != io.EOF {
				return record{}, err
			}
			if err == io.EOF && len(line) == 0 {
				s.done = true
				if !started {
					return record{}, io.EOF
				}
				break
			}
		}
		// an RS inside the line starts a new record: finish the current one
		if i := bytes.IndexByte(line, 0x1e); i >= 0 {
			if started && len(bytes.TrimSpace(append(s.acc, line[:i]...))) > 0 {
				s.acc = append(s.acc, line[:i]...)
				s.pending = append([]byte(nil), line[i:]...)
				break
			}
			line = line[i+1:]
			started = true
			s.acc = s.acc[:0]
			depth = 0
			if j := bytes.IndexByte(line, 0x1e); j >= 0 {
				s.pending = append([]byte(nil), line[j:]...)
				line = line[:j]
				s.acc = append(s.acc, line...)
				if len(bytes.TrimSpace(s.acc)) > 0 {
					break
				}
				continue
			}
		}
		if !started {
			continue // bytes before the first RS are ignored
		}
		if len(s.acc)+len(line) > MaxRecord+2 {
			over = true
		} else {
			s.acc = append(s.acc, line...)
		}
		depth = scanDepth(line, depth)
		body := bytes.TrimSpace(s.acc)
		if err == io.EOF {
			s.done = true
			break
		}
		if len(body) > 0 && depth <= 0 && bytes.HasSuffix(line, []byte{'\n'}) {
			break
		}
	}
	body := bytes.TrimSpace(s.acc)
	if !over && len(body) == 0 {
		if s.done {
			return record{}, io.EOF
		}
		return s.nextSeq()
	}
	s.index++
	rec := record{data: body, index: s.index}
	if over || len(body) > MaxRecord {
		rec.fail = "Oversize"
	}
	return rec, nil
}

// nextYAML reads one YAML document and returns it as JSON text.
func (s *splitter) nextYAML() (record, error) {
	if s.yaml == nil {
		s.yaml = &yamlDocs{r: s.r, explicit: !s.auto}
	}
	doc, over, err := s.yaml.next()
	if err == io.EOF {
		return record{}, io.EOF
	}
	s.index++
	if err != nil {
		if e, usage := err.(*core.Error); usage {
			return record{index: s.index, fail: "Parse", err: e}, nil
		}
		return record{}, err
	}
	if over {
		return record{index: s.index, fail: "Oversize"}, nil
	}
	rec := record{data: doc, index: s.index, line: s.yaml.start}
	if s.buf, err = yamlToJSON(s.buf[:0], doc); err != nil {
		rec.fail, rec.err = "Parse", err
		return rec, nil
	}
	if len(s.buf) == 0 || s.buf[0] != '{' {
		rec.fail, rec.err = "Parse", &core.Error{Kind: core.Usage, Message: "data must be object", Hint: "Put message contents in an object."}
		return rec, nil
	}
	rec.data = s.buf
	return rec, nil
}
