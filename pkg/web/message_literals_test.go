package web_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// messageCalls are the functions whose argument at the index given is a
// message people see (its format, when it has arguments).
var messageCalls = map[string]int{"Invalid": 1, "Add": 1, "Problem": 1, "invalidField": 1, "Conflict": 0,
	"Sentence": 0, "fail": 0, "reasonMessage": 1}

// sentenceMakers end the message with a full stop themselves.
var sentenceMakers = map[string]bool{"Problem": true, "invalidField": true, "Sentence": true}

// messageFields are the struct fields that hold a message people see: a
// form's field error, a problem's detail, an error page's paragraphs.
var messageFields = map[string]bool{"Message": true, "Detail": true, "Paragraphs": true, "Conflict": true}

// messageFuncFields are the struct fields that hold a function whose
// results are messages people see: how a form words a field's problem.
var messageFuncFields = map[string]bool{"Say": true}

// isMessageName reports whether a variable, constant or function of this
// name holds or gives a message people see.
func isMessageName(name string) bool {
	return name == "msg" || name == "badCredentials" || strings.HasSuffix(name, "Message")
}

// Every message the pages and the API show is written as one plain
// sentence: a capital letter first, a full stop last, and never a label
// glued with + onto another piece of text (the way a fragment such as
// "must be a PDF" became "The certificate must be a PDF"). The source is
// read, not run, so that no path through the code can show a fragment,
// even one no other test reaches. The domain and the CSV import are held
// to the same rule by the training package's own test.
func TestMessagesAreWrittenAsSentences(t *testing.T) {
	var files []string
	for _, dir := range []string{".", "../httpapi", "../evidence", "../auth", "../accounts", "../mongodb", "../problem", "../application"} {
		m, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if !strings.HasSuffix(f, "_test.go") {
				files = append(files, f)
			}
		}
	}
	fset := token.NewFileSet()
	seen := 0
	// check judges one expression in a message's place.
	var check func(e ast.Expr, needStop bool)
	check = func(e ast.Expr, needStop bool) {
		where := fset.Position(e.Pos()).String()
		switch x := e.(type) {
		case *ast.BasicLit:
			if x.Kind != token.STRING {
				return
			}
			s, err := strconv.Unquote(x.Value)
			if err != nil || s == "%s" || s == "" {
				return
			}
			seen++
			r, _ := utf8.DecodeRuneInString(s)
			if !unicode.IsUpper(r) && r != '%' {
				t.Errorf("%s: message %q does not start with a capital letter", where, s)
			}
			if needStop && !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") {
				t.Errorf("%s: message %q does not end with a full stop", where, s)
			}
		case *ast.BinaryExpr:
			if x.Op == token.ADD {
				t.Errorf("%s: message glued together with +: write it as one sentence", where)
			}
		case *ast.CallExpr:
			// A format, or text made to start with a capital letter.
			fn := calleeName(x)
			if (fn == "Sprintf" || fn == "capitalise") && len(x.Args) > 0 {
				check(x.Args[0], needStop)
			}
		case *ast.CompositeLit:
			for _, el := range x.Elts {
				check(el, needStop)
			}
		}
	}
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		inMessageFunc := func(pos token.Pos) bool {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && isMessageName(fd.Name.Name) && fd.Pos() <= pos && pos < fd.End() {
					return true
				}
			}
			return false
		}
		// checkResults judges what a function literal giving messages returns.
		checkResults := func(e ast.Expr) {
			fl, ok := e.(*ast.FuncLit)
			if !ok {
				return
			}
			ast.Inspect(fl.Body, func(n ast.Node) bool {
				if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
					check(r.Results[0], true)
				}
				return true
			})
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.AssignStmt:
				for i, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok && isMessageName(id.Name) && i < len(x.Rhs) {
						check(x.Rhs[i], true)
					}
					if sel, ok := l.(*ast.SelectorExpr); ok && messageFuncFields[sel.Sel.Name] && i < len(x.Rhs) {
						checkResults(x.Rhs[i])
					}
				}
			case *ast.ValueSpec:
				for i, id := range x.Names {
					if isMessageName(id.Name) && i < len(x.Values) {
						check(x.Values[i], true)
					}
				}
			case *ast.ReturnStmt:
				if len(x.Results) == 1 && inMessageFunc(x.Pos()) {
					check(x.Results[0], true)
				}
			case *ast.KeyValueExpr:
				if k, ok := x.Key.(*ast.Ident); ok && messageFields[k.Name] {
					check(x.Value, true)
				}
				if k, ok := x.Key.(*ast.Ident); ok && messageFuncFields[k.Name] {
					checkResults(x.Value)
				}
			case *ast.CallExpr:
				fn := calleeName(x)
				if i, ok := messageCalls[fn]; ok && i < len(x.Args) {
					check(x.Args[i], !sentenceMakers[fn])
				}
			}
			return true
		})
	}
	if seen < 90 {
		t.Errorf("found only %d message literals: are the lists of calls and fields out of date?", seen)
	}
}

// calleeName is the name a call is made by: f for f(...) and pkg.f(...).
func calleeName(call *ast.CallExpr) string {
	switch f := call.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}
