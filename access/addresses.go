package access

import (
	"net"
	"os"
	"sort"
	"strings"
)

// Address is a host another machine might use to reach this one, for the
// setup hints of `serve init` and /v0/access/status. It is a suggestion,
// never used to authorise anything.
type Address struct {
	Host      string `json:"host"`
	Interface string `json:"interface,omitempty"`
	// Kind is the network guessed from the interface's name, then its
	// range: local, vm, vpn, public; "name" for the machine's name.
	Kind string `json:"kind"`
}

// Addresses lists the IPv4 addresses of the interfaces that are up
// (loopback and link-local left out), local networks first, then VM, VPN
// and public ones, and last the machine's name. Best effort: it may be
// empty.
func Addresses() []Address {
	var out []Address
	ifs, _ := net.Interfaces()
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			n, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip := n.IP.To4()
			if ip == nil || ip.IsLoopback() || ip.IsLinkLocalUnicast() {
				continue
			}
			out = append(out, Address{Host: ip.String(), Interface: ifc.Name, Kind: kindOf(ifc.Name, ip)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i].Kind) < rank(out[j].Kind) })
	seen := map[string]bool{}
	kept := out[:0]
	for _, a := range out {
		if !seen[a.Host] {
			seen[a.Host] = true
			kept = append(kept, a)
		}
	}
	if name, err := os.Hostname(); err == nil && name != "" {
		kept = append(kept, Address{Host: name, Kind: "name"})
	}
	return kept
}

func kindOf(ifc string, ip net.IP) string {
	has := func(prefixes ...string) bool {
		for _, p := range prefixes {
			if strings.HasPrefix(ifc, p) {
				return true
			}
		}
		return false
	}
	switch {
	case has("bridge", "vmnet", "vboxnet", "virbr", "vEthernet"):
		return "vm"
	case has("utun", "tailscale", "wg", "tun"):
		return "vpn"
	case ip.IsPrivate():
		return "local"
	}
	return "public"
}

func rank(kind string) int {
	switch kind {
	case "local":
		return 0
	case "vm":
		return 1
	case "vpn":
		return 2
	}
	return 3
}
