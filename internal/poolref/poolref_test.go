package poolref

import "testing"

// A name resolves in the pool directory (kept as given), anything with a
// separator is a path.
func TestResolverPath(t *testing.T) {
	for _, c := range [][3]string{
		{"./p", "demo", "./p/demo.plasmite"},
		{"p/", "demo", "p/demo.plasmite"},
		{"p//", "demo", "p//demo.plasmite"},
		{"/abs", "demo.plasmite", "/abs/demo.plasmite"},
		{"/abs", "sub/x", "sub/x"},
		{"/abs", "./x.plasmite", "./x.plasmite"},
	} {
		if got := (&Resolver{Dir: c[0]}).Path(c[1]); got != c[2] {
			t.Errorf("Resolver{Dir: %q}.Path(%q) = %q; want %q", c[0], c[1], got, c[2])
		}
	}
}
