package web_test

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/notify"
)

// TestOutboxKnowsEveryKind: every kind of e-mail the system writes can be
// picked in the outbox filter under a label, is shown in the list under
// that label, and filtering by it finds it.
func TestOutboxKnowsEveryKind(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	kinds := notify.Kinds() // pkg/notify's TestKindsListsEveryKind keeps this whole
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
