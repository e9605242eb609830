// Package core is the Plasmite engine and its Go API: persistent, bounded JSON
// message pools in one file, shared by any number of writer and reader processes.
package core

// Version is this implementation's version, set at link time by the Makefile.
var Version = "dev"
