package main

import "github.com/plasmite-go/plasmite/core/lite3"

// dataFrom returns data.from when it is a string, read in place.
func dataFrom(doc []byte) (string, bool) {
	root, err := lite3.Root(doc)
	if err != nil {
		return "", false
	}
	v, ok := root.GetPath("data", "from")
	if !ok {
		return "", false
	}
	return v.Str()
}
