package main

/*
#include "capi.h"
*/
import "C"

import (
	"os"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/remote"
)

// client is the directory pool names resolve in, or (remote set, by
// plsm_remote_client_new) the server they are pools of. It never changes
// after it is made, so it needs no lock to be shared between threads.
type client struct {
	dir    string
	remote *remote.Client
}

func getClient(p *C.plsm_client_t) (*client, error) {
	if p == nil {
		return nil, usage("client is null")
	}
	c, ok := lookup[client](unsafe.Pointer(p))
	if !ok {
		return nil, usage("client is not a live client handle")
	}
	return c, nil
}

//export plsm_client_new
func plsm_client_new(poolDir *C.plsm__cchar, outClient **C.plsm_client_t, outErr **C.plsm_error_t) (rc C.int) {
	defer guard(outErr, &rc)
	if outClient == nil {
		return fail(outErr, usage("out_client is null"))
	}
	var dir string
	if poolDir == nil {
		dir = core.DefaultDir(os.Getenv("HOME"))
	} else {
		dir = cstr(poolDir)
		if !utf8.ValidString(dir) {
			return fail(outErr, usage("pool_dir is not valid UTF-8"))
		}
		if dir == "" {
			dir = "." // an empty directory means the current one, as in the reference
		} else {
			dir = strings.Clone(dir)
		}
	}
	*outClient = clientPtr(&client{dir: dir})
	return 0
}

//export plsm_client_free
func plsm_client_free(c *C.plsm_client_t) {
	defer func() { _ = recover() }()
	if cl, ok := release[client](unsafe.Pointer(c)); ok && cl.remote != nil {
		cl.remote.Close()
	}
}
