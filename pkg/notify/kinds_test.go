package notify_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/notify"
)

// TestKindsListsEveryKind reads this package's source for every constant
// of type Kind and checks notify.Kinds lists exactly those, once each, so
// that the tests ranging over Kinds (the outbox page's labels, the API's
// filter) cover a kind the moment it is declared.
func TestKindsListsEveryKind(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var declared []notify.Kind
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Kind" {
					continue
				}
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("%s: a Kind constant that is not a string literal", fset.Position(v.Pos()))
					}
					k, _ := strconv.Unquote(lit.Value)
					declared = append(declared, notify.Kind(k))
				}
			}
		}
	}
	if len(declared) < 6 {
		t.Fatalf("found only %d Kind constants in the source: %v", len(declared), declared)
	}
	listed := notify.Kinds()
	for _, k := range declared {
		if !slices.Contains(listed, k) {
			t.Errorf("the Kind constant %q is missing from notify.Kinds", k)
		}
	}
	for i, k := range listed {
		if !slices.Contains(declared, k) {
			t.Errorf("notify.Kinds lists %q, which is no Kind constant", k)
		}
		if slices.Contains(listed[:i], k) {
			t.Errorf("notify.Kinds lists %q twice", k)
		}
	}
}
