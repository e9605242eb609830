// Command capi is libplasmite: the C interface of Plasmite, declared by
// include/plasmite.h and built with -buildmode=c-shared (libplasmite.so) or
// -buildmode=c-archive (libplasmite.a).
//
// It is an adapter over package core: it checks arguments, looks handles up,
// maps errors to plsm_error_t, and copies results into malloc'ed memory that
// the caller frees with the plsm_*_free functions. It holds no storage logic.
//
// The header is written by hand and is the contract; the exported Go
// functions take the header's own C types (const-qualified through the
// plsm__c* typedefs of capi.h), so compiling cgo's generated prototypes next to
// the header fails if a signature drifts. abi_test.go also compares the
// exported symbol set with the header. capi/plasmite.h is a symlink to
// include/plasmite.h so that the Go build cache sees edits to the header.
package main

/*
#include "capi.h"
*/
import "C"

func main() {}
