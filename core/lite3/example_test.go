package lite3_test

import (
	"fmt"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
)

func Example() {
	doc, err := lite3.EncodeMessage(nil, []byte(`{"value":23.5,"sensor":"temp"}`), []string{"metrics"})
	if err != nil {
		panic(err)
	}
	ok, _ := lite3.HasAllTags(doc, []string{"metrics"})
	root, _ := lite3.Root(doc)
	v, _ := root.GetPath("data", "value")
	f, _ := v.Float()
	text, _ := lite3.AppendMessageJSON(nil, doc, 1, 1770075900500000000, jsonfmt.Compact)
	fmt.Println(len(doc), ok, f)
	fmt.Println(string(text))
	// Output:
	// 454 true 23.5
	// {"data":{"sensor":"temp","value":23.5},"meta":{"tags":["metrics"]},"seq":1,"time":"2026-02-02T23:45:00.5Z"}
}
