package web_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/notify"
)

// declaredKinds reads pkg/notify's source for every constant of type Kind,
// so that a kind added there is checked here without anyone remembering
// to list it.
func declaredKinds(t *testing.T) []notify.Kind {
	t.Helper()
	files, err := filepath.Glob("../notify/*.go")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []notify.Kind
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
					kinds = append(kinds, notify.Kind(k))
				}
			}
		}
	}
	if len(kinds) < 6 {
		t.Fatalf("found only %d notify kinds in ../notify: %v", len(kinds), kinds)
	}
	return kinds
}

// TestOutboxKnowsEveryKind: every kind of e-mail the system writes can be
// picked in the outbox filter under a label, is shown in the list under
// that label, and filtering by it finds it.
func TestOutboxKnowsEveryKind(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	kinds := declaredKinds(t)
	for _, k := range kinds {
		if _, err := e.app.Outbox.Queue(t.Context(), notify.Message{Key: "kinds-test/" + string(k),
			To: "someone@example.gov.uk", Kind: k, Subject: "A message of kind " + string(k), BodyText: "Hello."}); err != nil {
			t.Fatal(err)
		}
	}
	b := hpSignInHR(e)
	page := b.visit("/outbox")
	mustStatus(t, page, 200)
	labels := map[notify.Kind]string{}
	for _, k := range kinds {
		m := regexp.MustCompile(`<option value="` + regexp.QuoteMeta(string(k)) + `">([^<]*)</option>`).FindStringSubmatch(page.Body)
		if m == nil {
			t.Errorf("the kind filter has no option for %q", k)
			continue
		}
		label := html.UnescapeString(m[1])
		if label == "" || label == string(k) || strings.Contains(label, "_") {
			t.Errorf("the option for %q reads %q: it needs a label people understand", k, label)
		}
		labels[k] = label
	}
	for _, k := range kinds {
		if labels[k] == "" {
			continue
		}
		r := b.visit("/outbox?kind=" + string(k))
		mustStatus(t, r, 200)
		mustContain(t, r, `<option value="`+string(k)+`" selected>`, "A message of kind "+string(k),
			`<td data-label="Kind">`+html.EscapeString(labels[k])+`</td>`)
		for _, other := range kinds {
			if other != k {
				mustNotContain(t, r, "A message of kind "+string(other)+"<")
			}
		}
	}
}
