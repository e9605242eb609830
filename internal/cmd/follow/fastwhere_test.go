package follow

import (
	"testing"

	"github.com/plasmite-go/plasmite/core/lite3"
)

// The byte-level evaluator must agree with jq on every document.
func TestFastWhereAgreesWithJQ(t *testing.T) {
	docs := []string{
		`{}`, `{"x":1}`, `{"x":1.0}`, `{"x":1.5}`, `{"x":"1"}`, `{"x":null}`, `{"x":true}`, `{"x":false}`,
		`{"x":[1]}`, `{"x":{"y":"a"}}`, `{"x":{"y":null}}`, `{"x":{}}`, `{"x":"a"}`, `{"x":"a\"b"}`,
		`{"x":9007199254740993}`, `{"x":-0.0}`, `{"x":1e2}`, `{"x":"é"}`,
	}
	exprs := []string{
		`.data.x == 1`, `.data.x != 1`, `.data.x == 1.0`, `.data.x == 1.5`, `.data.x == "1"`, `.data.x == null`,
		`.data.x != null`, `.data.x == true`, `.data.x == false`, `.data.x.y == "a"`, `.data.x.y != "a"`,
		`.data.x.y == null`, `.data.missing == null`, `.data.x == "a\"b"`, `.data.x == 9007199254740993`,
		`.data.x == 0`, `.data.x == 100`, `.data.x == "é"`, `.data.x.y.z == null`,
	}
	for _, e := range exprs {
		f := parseFast(e)
		if f == nil {
			t.Fatalf("%s not taken by the fast path", e)
		}
		w, err := compileWhere([]string{e})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			doc, err := lite3.EncodeMessage(nil, []byte(d), nil)
			if err != nil {
				t.Fatal(err)
			}
			env, err := lite3.ToAny(doc)
			if err != nil {
				t.Fatal(err)
			}
			env["seq"], env["time"] = 1, "t"
			want, err := w.match(env)
			if err != nil {
				t.Fatal(err)
			}
			got := f.match(doc)
			if got == -1 {
				continue // declined: jq decides
			}
			if (got == 1) != want {
				t.Errorf("%s on %s: fast %d, jq %v", e, d, got, want)
			}
		}
	}
	for _, e := range []string{`.data.x == .data.y`, `.data.x > 1`, `.data.x == [1]`, `.data.x == "\(1)"`, `.data["x"] == 1`, `.meta.tags == []`} {
		if parseFast(e) != nil {
			t.Errorf("%s must go to jq", e)
		}
	}
}

func BenchmarkWhereFast(b *testing.B) {
	doc, _ := lite3.EncodeMessage(nil, []byte(`{"svc":"api","level":"info","msg":"request served","status":"green","n":12}`), []string{"a"})
	w, _ := compileWhere([]string{`.data.status == "green"`})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if ok, decided := w.matchDoc(doc); !ok || !decided {
			b.Fatal("no match")
		}
	}
}

func BenchmarkWhereJQ(b *testing.B) {
	doc, _ := lite3.EncodeMessage(nil, []byte(`{"svc":"api","level":"info","msg":"request served","status":"green","n":12}`), []string{"a"})
	w, _ := compileWhere([]string{`.data.status | test("gre")`})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		env, _ := lite3.ToAny(doc)
		env["seq"], env["time"] = 1, "t"
		if ok, _ := w.match(env); !ok {
			b.Fatal("no match")
		}
	}
}
