package clap

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// A Value receives the text given to an option or a positional argument and
// stores it, typed, in the command's options. A switch (an option that takes
// no value) is set with "".
type Value interface {
	// Set parses and stores s. An error's text is the reason in the usage
	// error "invalid value 's' for '--opt <OPT>': <reason>".
	Set(s string) error
}

type boolValue struct{ p *bool }

func (v boolValue) Set(string) error { *v.p = true; return nil }

// Bool makes a switch set *p.
func Bool(p *bool) Value { return boolValue{p} }

type stringValue struct{ p *string }

func (v stringValue) Set(s string) error { *v.p = s; return nil }

// String stores the (last) value in *p.
func String(p *string) Value { return stringValue{p} }

type optStringValue struct{ p **string }

func (v optStringValue) Set(s string) error { *v.p = &s; return nil }

// OptString stores the (last) value in a new string *p points to; *p stays
// nil when the option is absent.
func OptString(p **string) Value { return optStringValue{p} }

type stringsValue struct{ p *[]string }

func (v stringsValue) Set(s string) error { *v.p = append(*v.p, s); return nil }

// Strings appends every value, in order, to *p (for repeatable options and
// multi-valued arguments).
func Strings(p *[]string) Value { return stringsValue{p} }

// intReason words a failed integer parse as the reference's parser does.
func intReason(s string, err error) error {
	if s == "" {
		return errors.New("cannot parse integer from empty string")
	}
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		return errors.New("number too large to fit in target type")
	}
	return errors.New("invalid digit found in string")
}

// IntReason is the reason the reference's parser gives for s not being an
// unsigned integer (err from strconv.ParseUint), for commands that parse a
// number themselves.
func IntReason(s string, err error) string { return intReason(s, err).Error() }

type uint64Value struct{ p *uint64 }

func (v uint64Value) Set(s string) error {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return intReason(s, err)
	}
	*v.p = n
	return nil
}

// Uint64 stores an unsigned 64-bit value in *p.
func Uint64(p *uint64) Value { return uint64Value{p} }

type uint32Value struct{ p *uint32 }

// Set reads s as the reference's parser reads a u32: as a signed 64-bit
// integer first, then checked against the range ("-1 is not in
// 0..=4294967295").
func (v uint32Value) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange && strings.HasPrefix(s, "-") {
			return errors.New("number too small to fit in target type")
		}
		return intReason(s, err)
	}
	if n < 0 || n > math.MaxUint32 {
		return errors.New(s + " is not in 0..=4294967295")
	}
	*v.p = uint32(n)
	return nil
}

// Uint32 stores an unsigned 32-bit value in *p.
func Uint32(p *uint32) Value { return uint32Value{p} }

type optUint64Value struct{ p **uint64 }

func (v optUint64Value) Set(s string) error {
	var n uint64
	if err := Uint64(&n).Set(s); err != nil {
		return err
	}
	*v.p = &n
	return nil
}

// OptUint64 is Uint64 into a new value *p points to; nil when absent.
func OptUint64(p **uint64) Value { return optUint64Value{p} }

type optUint32Value struct{ p **uint32 }

func (v optUint32Value) Set(s string) error {
	var n uint32
	if err := Uint32(&n).Set(s); err != nil {
		return err
	}
	*v.p = &n
	return nil
}

// OptUint32 is Uint32 into a new value *p points to; nil when absent.
func OptUint32(p **uint32) Value { return optUint32Value{p} }

// Float is a floating-point option: its value and the text it was given as.
type Float struct {
	Text  string
	Value float64
}

type optFloatValue struct{ p **Float }

func (v optFloatValue) Set(s string) error {
	if s == "" {
		return errors.New("cannot parse float from empty string")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return errors.New("invalid float literal")
	}
	*v.p = &Float{Text: s, Value: f}
	return nil
}

// OptFloat stores a float (and its text) in a new Float *p points to; nil
// when absent. Out-of-range values ("1e400") are invalid.
func OptFloat(p **Float) Value { return optFloatValue{p} }
