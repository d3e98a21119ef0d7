package dbtest

import (
	"regexp"
	"strings"
	"testing"
)

func TestDatabaseName(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z0-9_]{1,63}$`)
	seen := map[string]bool{}
	for _, name := range []string{
		"TestX",
		"TestX",
		"TestStore/Create_person/duplicate e-mail #01",
		"",
		"///",
		"Ünïcode/名前",
		strings.Repeat("TestAVeryLongName/", 20),
	} {
		got := databaseName(name)
		if !valid.MatchString(got) {
			t.Errorf("databaseName(%q) = %q: not [a-z0-9_]{1,63}", name, got)
		}
		if seen[got] {
			t.Errorf("databaseName(%q) = %q: repeated", name, got)
		}
		seen[got] = true
		if strings.Contains(got, "__") {
			t.Errorf("databaseName(%q) = %q: runs of underscores", name, got)
		}
	}
	if got := databaseName("TestStore/Create_person/duplicate e-mail #01"); !strings.HasPrefix(got, "teststore_create_person_duplicate_e_mail_01_") {
		t.Errorf("sanitised name = %q", got)
	}
}
