package mcp

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// parseSince reads plasmite_read's since, as 1.2.1 does, into Unix
// nanoseconds: surrounding whitespace is ignored; N followed by one of
// s, m, h, d (either case) is that long before now; anything else must be
// an RFC 3339 time. Results before the epoch are 0 and beyond the uint64
// range its maximum (saturating, never wrapping).
func parseSince(s string, now time.Time) (uint64, bool) {
	s = strings.TrimSpace(s)
	if ago, ok := relative(s); ok {
		n := uint64(max(now.UnixNano(), 0))
		if ago >= n {
			return 0, true
		}
		return n - ago, true
	}
	return rfc3339(s)
}

// relative reads N[smhd] as nanoseconds (saturating).
func relative(s string) (uint64, bool) {
	unitRune, size := utf8.DecodeLastRuneInString(s)
	digits := s[:len(s)-size]
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0, false // beyond uint64: not a relative time
	}
	var unit uint64
	switch unitRune {
	case 's', 'S':
		unit = 1
	case 'm', 'M':
		unit = 60
	case 'h', 'H':
		unit = 3600
	case 'd', 'D':
		unit = 86400
	default:
		return 0, false
	}
	return satMul(satMul(n, unit), uint64(time.Second)), true
}

func satMul(a, b uint64) uint64 {
	if b != 0 && a > math.MaxUint64/b {
		return math.MaxUint64
	}
	return a * b
}

// rfc3339 reads YYYY-MM-DD?HH:MM:SS[.fraction](Z|±HH:MM) as the
// reference's time library does: any one byte between date and time, z
// for Z, digits beyond nanoseconds ignored, offsets up to ±23:59, second
// 60 only as the last second of a UTC month (read as 59.999999999).
func rfc3339(s string) (uint64, bool) {
	p := parser{s: s, ok: true}
	year := p.digits(4)
	p.lit('-')
	month := p.digits(2)
	p.lit('-')
	day := p.digits(2)
	p.skip()
	hour := p.digits(2)
	p.lit(':')
	minute := p.digits(2)
	p.lit(':')
	second := p.digits(2)
	nano := 0
	if p.ok && p.peek('.') {
		p.skip()
		nano = p.fraction()
	}
	offset := 0
	if p.ok && (p.peek('Z') || p.peek('z')) {
		p.skip()
	} else if p.ok && (p.peek('+') || p.peek('-')) {
		neg := p.peek('-')
		p.skip()
		oh := p.digits(2)
		p.lit(':')
		om := p.digits(2)
		if oh > 23 || om > 59 {
			return 0, false
		}
		offset = oh*3600 + om*60
		if neg {
			offset = -offset
		}
	} else {
		p.ok = false
	}
	if !p.ok || p.i != len(s) || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) ||
		hour > 23 || minute > 59 || second > 60 {
		return 0, false
	}
	leap := second == 60
	if leap {
		second, nano = 59, 999_999_999
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, nano, time.UTC).Add(-time.Duration(offset) * time.Second)
	if leap && !(t.Hour() == 23 && t.Minute() == 59 && t.Second() == 59 && t.Day() == daysIn(t.Year(), int(t.Month()))) {
		return 0, false
	}
	return clampNanos(t.Unix(), t.Nanosecond()), true
}

// clampNanos is sec seconds and nsec nanoseconds after the epoch as Unix
// nanoseconds, clamped to 0 and the uint64 maximum.
func clampNanos(sec int64, nsec int) uint64 {
	if sec < 0 {
		return 0
	}
	whole := satMul(uint64(sec), uint64(time.Second))
	if whole > math.MaxUint64-uint64(nsec) {
		return math.MaxUint64
	}
	return whole + uint64(nsec)
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parser reads fixed-width fields; any failure clears ok.
type parser struct {
	s  string
	i  int
	ok bool
}

func (p *parser) digits(n int) int {
	if !p.ok || p.i+n > len(p.s) {
		p.ok = false
		return 0
	}
	v := 0
	for _, c := range []byte(p.s[p.i : p.i+n]) {
		if c < '0' || c > '9' {
			p.ok = false
			return 0
		}
		v = v*10 + int(c-'0')
	}
	p.i += n
	return v
}

func (p *parser) peek(c byte) bool { return p.i < len(p.s) && p.s[p.i] == c }

func (p *parser) lit(c byte) {
	if !p.ok || !p.peek(c) {
		p.ok = false
		return
	}
	p.i++
}

// skip passes one byte (whatever it is).
func (p *parser) skip() {
	if !p.ok || p.i >= len(p.s) {
		p.ok = false
		return
	}
	p.i++
}

// fraction reads one or more digits as nanoseconds (digits past the ninth
// are read and ignored).
func (p *parser) fraction() int {
	start, v, scale := p.i, 0, 100_000_000
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		v += int(p.s[p.i]-'0') * scale
		scale /= 10
		p.i++
	}
	if p.i == start {
		p.ok = false
	}
	return v
}
