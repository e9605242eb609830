package bridge

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/plasmite-go/plasmite/core"
)

// Target names a JetStream stream and, optionally, the subject a bridge
// publishes to (out) or consumes (in) within it.
type Target struct {
	Servers string // the NATS server URLs, comma-separated (nats://host:port, tls://host:port)
	Stream  string
	Subject string // "" means the stream's name (out) or every subject of the stream (in)
}

// ParseTarget parses nats://HOST:PORT/STREAM[/SUBJECT] (or tls://…). Several
// servers may be given as nats://h1:p1,h2:p2/STREAM. Credentials in the URL
// are refused (Usage): they would be visible to every user of the machine
// in the process list; Auth carries them from files instead.
func ParseTarget(s string) (Target, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || (scheme != "nats" && scheme != "tls") {
		return Target{}, usage("not a NATS URL: "+s, "Use nats://HOST:PORT/STREAM[/SUBJECT] (or tls://…).")
	}
	hosts, path, _ := strings.Cut(rest, "/")
	if strings.Contains(hosts, "@") {
		return Target{}, usage("credentials in the NATS URL are refused: the command line is visible to other users",
			"Pass --creds FILE, --nkey FILE, --user NAME with --password-file FILE, or --token-file FILE.")
	}
	if hosts == "" {
		return Target{}, usage("the NATS URL names no server: "+s, "Use nats://HOST:PORT/STREAM[/SUBJECT].")
	}
	stream, subject, _ := strings.Cut(path, "/")
	if stream == "" {
		return Target{}, usage("the NATS URL names no stream: "+s, "Use nats://HOST:PORT/STREAM[/SUBJECT].")
	}
	if strings.ContainsAny(stream, ".*> \t\r\n") {
		return Target{}, usage("invalid stream name "+stream, "A stream name has no '.', '*', '>' or whitespace.")
	}
	if subject != "" {
		var err error
		if subject, err = url.PathUnescape(subject); err != nil || !validSubject(subject) {
			return Target{}, usage("invalid subject "+subject, "A subject is dot-separated non-empty tokens without whitespace.")
		}
	}
	var servers []string
	for _, h := range strings.Split(hosts, ",") {
		if h == "" {
			return Target{}, usage("empty server in the NATS URL: "+s, "Separate servers with single commas.")
		}
		servers = append(servers, scheme+"://"+h)
	}
	return Target{Servers: strings.Join(servers, ","), Stream: stream, Subject: subject}, nil
}

// validSubject: non-empty tokens separated by dots, no whitespace.
func validSubject(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	for _, tok := range strings.Split(s, ".") {
		if tok == "" {
			return false
		}
	}
	return true
}

// Auth says how the bridge authenticates to NATS and checks its TLS peer.
// Every secret is read from a file, never taken as a value, so none
// appears on a command line. Empty fields are unused.
type Auth struct {
	CredsFile    string // a .creds file (user JWT and nkey seed)
	NkeySeedFile string // a file holding an nkey seed (SU…)
	User         string // with PasswordFile
	PasswordFile string // the password for User (first line, trailing newline dropped)
	TokenFile    string // a file holding a token
	CAFile       string // PEM roots to verify the server with
	CertFile     string // PEM client certificate (with KeyFile)
	KeyFile      string
}

// Options configure a bridge. The zero value of every field but Pool and
// Target is a working default.
type Options struct {
	Pool   string           // the pool file's path
	Open   core.OpenOptions // how the pool is opened
	Target Target
	Auth   Auth
	Name   string // the client connection's name, shown by the server ("plasmite bridge" when empty)

	// Create makes a missing destination: the stream (out; subjects Subject
	// and, with SubjectTags, Subject.>) or the pool (in; CreateSize bytes,
	// core.DefaultPoolSize when 0).
	Create     bool
	CreateSize int64

	// SubjectTags publishes each message to Subject.<tag>.<tag>… (out) and
	// takes the tokens after Subject as extra tags (in). Tags always travel
	// in headers too; on the way in, headers win.
	SubjectTags bool

	// MaxInFlight bounds the publishes awaiting the server's ack (out) and
	// the messages delivered but not yet acked (in): the bridge waits
	// instead of going past it. Default 1024.
	MaxInFlight int

	// Out: where the last forwarded seq is kept ("" = StatePath(Pool,
	// Stream)), and where a bridge without state starts.
	StatePath string
	FromLive  bool // start after the newest message instead of at the oldest

	// In: the durable consumer's name ("" = "plasmite-" + the pool file's
	// base name, sanitized), extra tags for every message, and how far each
	// append is pushed before the messages are acked.
	Durable    string
	Tags       []string
	Durability core.Durability

	// Report receives the bridge's events (start, status every
	// StatusEvery, gap, retry, stop) from one goroutine at a time; nil
	// drops them. StatusEvery defaults to 1 s.
	Report      func(Event)
	StatusEvery time.Duration
}

func (o *Options) defaults() {
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 1024
	}
	if o.StatusEvery <= 0 {
		o.StatusEvery = time.Second
	}
	if o.Name == "" {
		o.Name = "plasmite bridge"
	}
	if o.Report == nil {
		o.Report = func(Event) {}
	}
}

// natsOptions maps Auth and the bridge's connection policy (reconnect
// forever, a bounded reconnect buffer) onto the client's options.
func (o *Options) natsOptions() ([]nats.Option, error) {
	a := o.Auth
	opts := []nats.Option{nats.Name(o.Name), nats.MaxReconnects(-1), nats.ReconnectWait(250 * time.Millisecond),
		nats.ReconnectBufSize(8 << 20)}
	if a.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(a.CredsFile))
	}
	if a.NkeySeedFile != "" {
		opt, err := nats.NkeyOptionFromSeed(a.NkeySeedFile)
		if err != nil {
			return nil, &core.Error{Kind: core.Usage, Message: "cannot use the nkey seed file", Path: a.NkeySeedFile, Err: err}
		}
		opts = append(opts, opt)
	}
	if a.User != "" || a.PasswordFile != "" {
		if a.User == "" || a.PasswordFile == "" {
			return nil, usage("--user and --password-file go together", "Give both, or neither.")
		}
		pw, err := secret(a.PasswordFile)
		if err != nil {
			return nil, err
		}
		opts = append(opts, nats.UserInfo(a.User, pw))
	}
	if a.TokenFile != "" {
		tok, err := secret(a.TokenFile)
		if err != nil {
			return nil, err
		}
		opts = append(opts, nats.Token(tok))
	}
	if a.CAFile != "" {
		opts = append(opts, nats.RootCAs(a.CAFile))
	}
	if a.CertFile != "" || a.KeyFile != "" {
		if a.CertFile == "" || a.KeyFile == "" {
			return nil, usage("--tls-cert and --tls-key go together", "Give both, or neither.")
		}
		opts = append(opts, nats.ClientCert(a.CertFile, a.KeyFile))
	}
	return opts, nil
}

// secret reads the first line of a secret file.
func secret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", &core.Error{Kind: core.IO, Message: "cannot read the secret file", Path: path, Err: err}
	}
	s, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSuffix(s, "\r"), nil
}

// connect opens the NATS connection and its JetStream context; publishes
// that get no ack within ackTimeout fail (so every one resolves).
func (o *Options) connect(maxPending int) (*nats.Conn, jetstream.JetStream, error) {
	opts, err := o.natsOptions()
	if err != nil {
		return nil, nil, err
	}
	nc, err := nats.Connect(o.Target.Servers, opts...)
	if err != nil {
		return nil, nil, natsError("cannot connect to NATS at "+o.Target.Servers, err)
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(maxPending),
		jetstream.WithPublishAsyncTimeout(ackTimeout))
	if err != nil {
		nc.Close()
		return nil, nil, natsError("cannot use JetStream", err)
	}
	return nc, js, nil
}

// ackTimeout is how long a publish may wait for the server's ack before it
// counts as failed (and is sent again, under the same message id).
const ackTimeout = 10 * time.Second

func usage(msg, hint string) *core.Error {
	return &core.Error{Kind: core.Usage, Message: msg, Hint: hint}
}

// natsError classifies a client or server error: missing streams and
// consumers are NotFound, refused credentials Permission, bad
// configuration Usage, anything else (no server, timeouts) IO.
func natsError(msg string, err error) *core.Error {
	kind := core.IO
	switch {
	case errors.Is(err, jetstream.ErrStreamNotFound), errors.Is(err, jetstream.ErrConsumerNotFound):
		kind = core.NotFound
	case errors.Is(err, nats.ErrAuthorization), errors.Is(err, nats.ErrAuthExpired),
		errors.Is(err, nats.ErrAuthRevoked), errors.Is(err, nats.ErrPermissionViolation):
		kind = core.Permission
	case errors.Is(err, jetstream.ErrInvalidOption), errors.Is(err, nats.ErrBadSubject),
		errors.Is(err, jetstream.ErrInvalidStreamName):
		kind = core.Usage
	case errors.Is(err, context.Canceled):
		kind = core.Internal
	}
	return &core.Error{Kind: kind, Message: msg, Err: err}
}
