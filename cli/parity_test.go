package main

import (
	"testing"
)

// Parser errors a script can see, byte for byte as 1.2.1 prints them: an
// option-like token after an option, empty values, u32 ranges, the
// metavars, unknown --opt=value.
func TestDiffParserErrors(t *testing.T) {
	ref := refBinary(t)
	runBoth(t, ref, []step{
		{args: []string{"pool", "create", "a"}},
		{args: []string{"follow", "a", "--tail", "-1"}},
		{args: []string{"follow", "a", "--since", "-5m"}},
		{args: []string{"follow", "a", "--tail", "--one"}},
		{args: []string{"follow", "a", "--tail"}},
		{args: []string{"follow", "a", "-n"}},
		{args: []string{"pool", "create", "q", "--index-capacity", "-5"}},
		{args: []string{"pool", "create", "q", "--index-capacity", "4294967296"}},
		{args: []string{"pool", "create", "q", "--index-capacity=-5"}},
		{args: []string{"feed", "a", "--retry=-1", "{}"}},
		{args: []string{"feed", "a", "--retry", "4294967296", "{}"}},
		{args: []string{"follow", "a", "--replay"}},
		{args: []string{"follow", "a", "--replay", "x", "--tail", "1"}},
		{args: []string{"follow", "a", "--replay=", "--tail", "1"}},
		{args: []string{"follow", "a", "--where"}},
		{args: []string{"feed", "a", "--create-size"}},
		{args: []string{"tap", "a", "--create-size"}},
		{args: []string{"follow", "a", "--bogus=1"}},
		{args: []string{"--dir=", "pool", "list"}},
		{args: []string{"--color=", "version"}},
		{args: []string{"--format=", "version"}},
		{args: []string{"feed", "a", "--input-format=", "{}"}},
		{args: []string{"pool", "create", "--size", "1M"}},
	})
}
