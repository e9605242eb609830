package feed

// YAML input (--input-format yaml, and auto-detected at a leading "---"),
// read as 1.2.1 reads it: documents marked by "---" and "..." lines in
// column zero (one unmarked document through EOF with --input-format
// yaml), each a message object. A document is parsed with go.yaml.in/yaml/v3
// into its node tree, whose scalars keep their exact text; they are
// resolved here, by 1.2.1's rules (the YAML 1.2 core schema as it applies
// them), and written out as JSON text, which then takes the same path as
// JSON input: so a number is stored exactly as the same digits in JSON
// would be (integers exact, reals as doubles), and a string that looks
// like a number ('017', "1e3", 0X1F, yes) stays a string.

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math"
	"math/big"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// yamlMaxDepth bounds the nesting of a YAML document, as 1.2.1's does.
const yamlMaxDepth = 128

// yamlDocs cuts a stream into YAML documents by their marker lines.
type yamlDocs struct {
	r        *bufio.Reader
	explicit bool // --input-format yaml: one unmarked document through EOF is a message
	doc      []byte
	line     []byte
	lineNo   int
	start    int // first line of the current document
	finished bool
	done     bool
}

// yamlInputError is a Usage error about YAML input, in 1.2.1's words.
func yamlInputError(msg string, cause error) *core.Error {
	return &core.Error{Kind: core.Usage, Message: msg, Err: cause}
}

// readLine reads one line with its terminator; over says it ran past
// MaxRecord (the rest of the line is dropped).
func (y *yamlDocs) readLine() (line []byte, over bool, err error) {
	y.line = y.line[:0]
	for {
		chunk, e := y.r.ReadSlice('\n')
		if len(y.line)+len(chunk) > MaxRecord+2 {
			over = true
		} else {
			y.line = append(y.line, chunk...)
		}
		if e == bufio.ErrBufferFull {
			continue
		}
		if e == io.EOF && (len(y.line) > 0 || over) {
			e = nil
		}
		if e == nil {
			y.lineNo++
		}
		return y.line, over, e
	}
}

// next returns the next document's text (valid until the following call),
// io.EOF at the end, or a Usage error for broken framing or an oversized
// document (oversize true).
func (y *yamlDocs) next() (doc []byte, oversize bool, err error) {
	if y.done {
		return nil, false, io.EOF
	}
	y.doc = y.doc[:0]
	marked := false
	for {
		line, over, err := y.readLine()
		if err == io.EOF {
			y.done = true
			if marked {
				return nil, false, yamlInputError("YAML document is missing its ... end marker", nil)
			}
			if len(y.doc) > 0 && (y.explicit || !y.finished) {
				return y.doc, false, nil
			}
			if len(y.doc) > 0 {
				return nil, false, yamlInputError("YAML messages require a --- start marker", nil)
			}
			return nil, false, io.EOF
		}
		if err != nil {
			return nil, false, err
		}
		if over || len(y.doc)+len(line) > MaxRecord {
			y.done = true
			return nil, true, nil
		}
		marker := bytes.TrimRight(line, " \t\r\n")
		if len(y.doc) == 0 {
			switch {
			case len(bytes.TrimSpace(line)) == 0:
				continue
			case string(marker) == "---":
				marked = true
				y.start = y.lineNo
			case y.finished:
				y.done = true
				return nil, false, yamlInputError("YAML messages require a --- start marker", nil)
			case string(marker) == "...":
				y.done = true
				return nil, false, yamlInputError("unexpected YAML end marker", nil)
			default:
				y.start = y.lineNo
			}
			y.doc = append(y.doc, line...)
			continue
		}
		if marked && string(marker) == "..." {
			y.doc = append(y.doc, line...)
			y.finished = true
			return y.doc, false, nil
		}
		if string(marker) == "---" || string(marker) == "..." {
			y.done = true
			return nil, false, yamlInputError("YAML messages require explicit document boundaries", nil)
		}
		y.doc = append(y.doc, line...)
	}
}

// yamlToJSON appends the JSON text of the one YAML document doc to dst.
// Errors are Usage, with 1.2.1's messages.
func yamlToJSON(dst, doc []byte) ([]byte, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) { // only markers and comments: a null document
			return append(dst, "null"...), nil
		}
		return dst, yamlInputError("invalid or unsupported YAML message", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		return dst, unsupportedYAML("more than one document between markers")
	}
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		return appendYAMLNode(dst, root.Content[0], 0)
	}
	return append(dst, "null"...), nil
}

func unsupportedYAML(why string) *core.Error {
	return yamlInputError("invalid or unsupported YAML message", errors.New(why))
}

func appendYAMLNode(dst []byte, n *yaml.Node, depth int) ([]byte, error) {
	if depth > yamlMaxDepth {
		return dst, unsupportedYAML("nested deeper than 128 levels")
	}
	if err := checkTag(n); err != nil {
		return dst, err
	}
	switch n.Kind {
	case yaml.AliasNode:
		return dst, unsupportedYAML("aliases are not supported")
	case yaml.SequenceNode:
		dst = append(dst, '[')
		for i, c := range n.Content {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendYAMLNode(dst, c, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case yaml.MappingNode:
		return appendYAMLMapping(dst, n, depth)
	case yaml.ScalarNode:
		return appendYAMLScalar(dst, n)
	}
	return dst, unsupportedYAML("unexpected node")
}

func appendYAMLMapping(dst []byte, n *yaml.Node, depth int) ([]byte, error) {
	dst = append(dst, '{')
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.AliasNode || v.Kind == yaml.AliasNode {
			return dst, unsupportedYAML("aliases are not supported")
		}
		if k.Kind != yaml.ScalarNode {
			return dst, unsupportedYAML("object keys must be scalars")
		}
		if err := checkTag(k); err != nil {
			return dst, err
		}
		if isPlain(k) && !explicitTag(k) {
			if k.Value == "<<" {
				return dst, unsupportedYAML("merge keys are not supported")
			}
			switch resolvePlain(k.Value) {
			case plainNull:
				return dst, unsupportedYAML("null object key")
			case plainString:
			default:
				return dst, yamlInputError("YAML object keys must be strings", nil)
			}
		}
		if seen[k.Value] {
			return dst, unsupportedYAML("duplicate key " + strconv.Quote(k.Value))
		}
		seen[k.Value] = true
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonfmt.AppendString(dst, k.Value)
		dst = append(dst, ':')
		var err error
		if dst, err = appendYAMLNode(dst, v, depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// checkTag accepts the tags 1.2.1 reads (!!str, !!binary as its text,
// !!null, !!seq, !!map, !!set on matching nodes) and refuses the others.
func checkTag(n *yaml.Node) error {
	if !explicitTag(n) {
		return nil
	}
	switch n.Tag {
	case "!!str", "!!binary":
		if n.Kind == yaml.ScalarNode {
			return nil
		}
	case "!!null":
		if n.Kind == yaml.ScalarNode && isPlain(n) && resolvePlain(n.Value) == plainNull {
			return nil
		}
		return yamlInputError("invalid YAML message", errors.New("!!null on a value that is not null"))
	case "!!seq":
		if n.Kind == yaml.SequenceNode {
			return nil
		}
	case "!!map", "!!set":
		if n.Kind == yaml.MappingNode {
			return nil
		}
	case "!!int", "!!float", "!!bool", "!!timestamp", "!!omap", "!!pairs", "!!merge", "!!value", "!!yaml":
	default:
		return yamlInputError("YAML tags are not supported", nil)
	}
	return unsupportedYAML("the tag " + n.Tag + " is not supported here")
}

// explicitTag says whether the node's tag was written in the document.
func explicitTag(n *yaml.Node) bool { return n.Style&yaml.TaggedStyle != 0 }

// isPlain says whether a scalar was written without quotes or block style.
func isPlain(n *yaml.Node) bool {
	return n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
}

type plainKind uint8

const (
	plainString plainKind = iota
	plainNull
	plainBool
	plainInt // decimal, 0x, 0o or 0b
	plainFloat
	plainNonFinite // .inf, .nan
)

var (
	yamlInt      = regexp.MustCompile(`^[-+]?(0|[1-9][0-9]*)$`)
	yamlIntRadix = regexp.MustCompile(`^[-+]?0(x[0-9a-fA-F]+|o[0-7]+|b[01]+)$`)
	yamlFloat    = regexp.MustCompile(`^[-+]?(\.[0-9]+([eE][-+]?[0-9]+)?|[0-9]+\.[0-9]*([eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)$`)
	yamlInfNaN   = regexp.MustCompile(`^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$`)
)

// resolvePlain is what a plain scalar's text means.
func resolvePlain(s string) plainKind {
	switch s {
	case "", "~", "null", "Null", "NULL":
		return plainNull
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return plainBool
	}
	switch {
	case yamlInt.MatchString(s), yamlIntRadix.MatchString(s):
		return plainInt
	case yamlFloat.MatchString(s):
		return plainFloat
	case yamlInfNaN.MatchString(s):
		return plainNonFinite
	}
	return plainString
}

func appendYAMLScalar(dst []byte, n *yaml.Node) ([]byte, error) {
	if !isPlain(n) || (explicitTag(n) && n.Tag != "!!null") {
		return jsonfmt.AppendString(dst, n.Value), nil
	}
	s := n.Value
	switch resolvePlain(s) {
	case plainNull:
		return append(dst, "null"...), nil
	case plainBool:
		return strconv.AppendBool(dst, s[0] == 't' || s[0] == 'T'), nil
	case plainInt:
		return appendYAMLInt(dst, s)
	case plainFloat:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) {
			return dst, unsupportedYAML("non-finite float " + s)
		}
		return appendReal(dst, f), nil
	case plainNonFinite:
		return dst, unsupportedYAML("non-finite float " + s)
	}
	return jsonfmt.AppendString(dst, s), nil
}

// appendYAMLInt writes an integer in decimal: as its digits when it fits
// a signed or unsigned 64-bit integer (JSON input stores those exactly),
// else it is out of range, as in 1.2.1.
func appendYAMLInt(dst []byte, s string) ([]byte, error) {
	neg := s[0] == '-'
	digits := s
	if s[0] == '-' || s[0] == '+' {
		digits = s[1:]
	}
	base := 10
	if len(digits) > 1 && digits[0] == '0' {
		switch digits[1] {
		case 'x':
			base = 16
		case 'o':
			base = 8
		case 'b':
			base = 2
		}
		if base != 10 {
			digits = digits[2:]
		}
	}
	v, ok := new(big.Int).SetString(digits, base)
	if !ok {
		return dst, unsupportedYAML("bad integer " + s)
	}
	if neg {
		v.Neg(v)
	}
	if !v.IsInt64() && !v.IsUint64() {
		return dst, yamlInputError("invalid YAML message", errors.New("integer "+s+" is out of range"))
	}
	return v.Append(dst, 10), nil
}

// appendReal writes f as a JSON real: its shortest round-trip digits, with
// a fraction or an exponent, so that JSON input stores the same double
// (never an integer: 1e3 is the real 1000.0, as in 1.2.1).
func appendReal(dst []byte, f float64) []byte {
	n := len(dst)
	dst = strconv.AppendFloat(dst, f, 'g', -1, 64)
	if bytes.IndexAny(dst[n:], ".e") < 0 {
		dst = append(dst, ".0"...)
	}
	return dst
}
