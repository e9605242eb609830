//go:build !linux

package main

import "errors"

// errNoPTY: the tests open pseudo-terminals through Linux's /dev/ptmx ioctls only.
var errNoPTY = errors.New("pseudo-terminal tests run on Linux only")

func openPTY() (*pty, error) { return nil, errNoPTY }
