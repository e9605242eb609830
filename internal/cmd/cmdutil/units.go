package cmdutil

import (
	"strconv"
	"strings"
	"time"

	"github.com/plasmite-go/plasmite/core"
)

// ParseSize reads "1048576", "64M", " 2k": digits and an optional K/M/G
// suffix (1024-based). Errors are Usage.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, UsageError("invalid size", "Use bytes or K/M/G (e.g. 64M).")
	}
	n, err := strconv.ParseUint(t[:i], 10, 64)
	if err != nil {
		return 0, UsageError("size overflow", "Use bytes or K/M/G (e.g. 64M).")
	}
	var mul uint64 = 1
	switch strings.TrimSpace(t[i:]) {
	case "":
	case "K", "k":
		mul = 1 << 10
	case "M", "m":
		mul = 1 << 20
	case "G", "g":
		mul = 1 << 30
	default:
		return 0, UsageError("invalid size suffix", "Use K/M/G (e.g. 64M).")
	}
	if n > (1<<63-1)/mul {
		return 0, UsageError("size overflow", "Use bytes or K/M/G (e.g. 64M).")
	}
	return int64(n * mul), nil
}

// ParseDuration reads digits followed by ms, s, m or h (case-sensitive).
func ParseDuration(s string) (time.Duration, error) {
	bad := UsageError("invalid duration", "Use a number plus ms|s|m|h (e.g. 10s).")
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, bad
	}
	n, err := strconv.ParseUint(s[:i], 10, 64)
	if err != nil {
		return 0, bad
	}
	var unit time.Duration
	switch s[i:] {
	case "ms":
		unit = time.Millisecond
	case "s":
		unit = time.Second
	case "m":
		unit = time.Minute
	case "h":
		unit = time.Hour
	default:
		return 0, bad
	}
	if n > uint64(1<<63-1)/uint64(unit) {
		return 0, bad
	}
	return time.Duration(n) * unit, nil
}

// ParseSince reads a relative age (digits + s/m/h/d, either case) meaning
// "that long before now", or an RFC 3339 time with offset. Result: Unix ns.
func ParseSince(s string, now time.Time) (int64, error) {
	bad := UsageError("invalid --since value", "Use RFC 3339 (2026-02-02T23:45:00Z) or relative like 5m.")
	if len(s) >= 2 {
		digits := s[:len(s)-1]
		allDigits := true
		for i := 0; i < len(digits); i++ {
			if digits[i] < '0' || digits[i] > '9' {
				allDigits = false
				break
			}
		}
		if allDigits {
			n, err := strconv.ParseInt(digits, 10, 64)
			if err != nil {
				return 0, bad
			}
			var unit time.Duration
			switch s[len(s)-1] {
			case 's', 'S':
				unit = time.Second
			case 'm', 'M':
				unit = time.Minute
			case 'h', 'H':
				unit = time.Hour
			case 'd', 'D':
				unit = 24 * time.Hour
			default:
				return 0, bad
			}
			if n > int64(1<<63-1)/int64(unit) {
				return 0, bad
			}
			return now.Add(-time.Duration(n) * unit).UnixNano(), nil
		}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, bad
	}
	return t.UnixNano(), nil
}

// HumanBytes: < 1024 plain; else K/M/G, integer when exact, else one decimal.
func HumanBytes(n uint64) string {
	if n < 1024 {
		return strconv.FormatUint(n, 10)
	}
	units := []string{"K", "M", "G", "T"}
	u := -1
	div := uint64(1)
	for u < len(units)-1 && n/div >= 1024 {
		div *= 1024
		u++
	}
	v := float64(n) / float64(div)
	if n%div == 0 {
		return strconv.FormatUint(n/div, 10) + units[u]
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + units[u]
}

// Ago renders a relative age: "5s ago", "3m ago", "2h ago", "4d ago", "1w ago".
func Ago(t time.Time, now time.Time) string {
	d := now.Sub(t)
	s := int64(d / time.Second)
	if s < 1 {
		s = 1
	}
	switch {
	case s < 60:
		return strconv.FormatInt(s, 10) + "s ago"
	case s < 3600:
		return strconv.FormatInt(s/60, 10) + "m ago"
	case s < 86400:
		return strconv.FormatInt(s/3600, 10) + "h ago"
	case s < 7*86400:
		return strconv.FormatInt(s/86400, 10) + "d ago"
	}
	return strconv.FormatInt(s/(7*86400), 10) + "w ago"
}

// RFC3339 is t in UTC, as the reference prints times.
func RFC3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// RFC3339Secs is t in UTC to the second, as human displays show it.
func RFC3339Secs(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// ParseDurability maps the --durability value.
func ParseDurability(s string) (core.Durability, error) {
	switch s {
	case "", "fast":
		return core.Fast, nil
	case "flush":
		return core.Flush, nil
	}
	return 0, UsageError("invalid durability", "Use fast or flush.")
}
