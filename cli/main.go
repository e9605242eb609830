// Command plasmite (also installed as pls) is the command-line interface to Plasmite pools.
package main

import (
	"fmt"
	"os"

	"github.com/plasmite-go/plasmite/core"
)

func main() {
	fmt.Fprintln(os.Stderr, "plasmite", core.Version, ": not implemented yet")
	os.Exit(1)
}
