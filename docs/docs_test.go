// Package docs holds complytrack's design notes. Its test keeps them and
// the code that cites them in step: every docs page a comment or a page
// names exists, README's Layout table lists every page, and nothing points
// at a document that is not in the repository.
package docs

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// root is the repository, seen from this package's directory (where go
// test runs it).
const root = ".."

// sources returns the text of every file a reader of the repository reads:
// Go code, Markdown, templates and configuration. Vendored test data and
// what tests or a local run leave behind are skipped.
func sources(t *testing.T) map[string]string {
	t.Helper()
	skipDirs := []string{".git", "testdata", "data", "test-artifacts", "node_modules"}
	exts := []string{".go", ".md", ".html", ".yml", ".yaml", ".css", ".txt"}
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && slices.Contains(skipDirs, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !slices.Contains(exts, filepath.Ext(path)) && d.Name() != "Dockerfile" && d.Name() != "run" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 50 {
		t.Fatalf("found only %d source files under %s: is the test running from docs/?", len(out), root)
	}
	return out
}

// pages returns the names of the Markdown pages in this directory.
func pages(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no docs pages found")
	}
	return names
}

var cited = regexp.MustCompile(`docs/([A-Za-z0-9_.-]+\.md)`)

func TestEveryCitedDocsPageExists(t *testing.T) {
	have := pages(t)
	for path, text := range sources(t) {
		for _, m := range cited.FindAllStringSubmatch(text, -1) {
			if !slices.Contains(have, m[1]) {
				t.Errorf("%s cites docs/%s, which does not exist", path, m[1])
			}
		}
	}
}

// TestNothingCitesDocumentsOutsideTheRepository: the repository stands
// alone, so no comment or page may send a reader to a design or API
// document kept elsewhere.
func TestNothingCitesDocumentsOutsideTheRepository(t *testing.T) {
	// Spelled in pieces so that this file does not match itself.
	forbidden := []string{"DESIGN" + ".md", "API" + ".md", "shared" + "/"}
	for path, text := range sources(t) {
		for _, f := range forbidden {
			if i := strings.Index(text, f); i >= 0 {
				line := strings.Count(text[:i], "\n") + 1
				t.Errorf("%s:%d mentions %q: put what the reader needs in docs/ and cite that", path, line, f)
			}
		}
	}
}

func TestReadmeLayoutListsEveryDocsPage(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var row string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| `docs/` |") {
			row = line
		}
	}
	if row == "" {
		t.Fatal("README.md's Layout table has no row for `docs/`")
	}
	for _, p := range pages(t) {
		if !strings.Contains(row, "`docs/"+p+"`") {
			t.Errorf("README.md's Layout row for docs/ does not name `docs/%s`", p)
		}
	}
}
