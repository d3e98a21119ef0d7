package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/httpapi"
	"github.com/complytrack/complytrack/pkg/notify"
)

// TestOutboxFilterKnowsEveryKind: HR can list the outbox by any kind of
// e-mail the system writes, and /openapi.json names every kind, for the
// filter and in the message.
func TestOutboxFilterKnowsEveryKind(t *testing.T) {
	e := newEnv(t)
	kinds := notify.Kinds() // pkg/notify's TestKindsListsEveryKind keeps this whole
	for _, k := range kinds {
		if _, err := e.app.Outbox.Queue(t.Context(), notify.Message{Key: "kinds-test/" + string(k),
			To: "someone@example.gov.uk", Kind: k, Subject: "A message of kind " + string(k), BodyText: "Hello."}); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range kinds {
		r := e.do("GET", "/api/v1/outbox?kind="+string(k), e.tokens["hr"], nil)
		if r.Status != http.StatusOK {
			t.Errorf("GET /api/v1/outbox?kind=%s: status %d: %s", k, r.Status, r.Body)
			continue
		}
		var got struct {
			Items []struct{ Kind, Subject string }
		}
		if err := json.Unmarshal(r.Body, &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Items) != 1 || got.Items[0].Kind != string(k) || got.Items[0].Subject != "A message of kind "+string(k) {
			t.Errorf("GET /api/v1/outbox?kind=%s = %+v, want the one message of that kind", k, got.Items)
		}
	}

	raw, err := httpapi.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name   string
				Schema struct{ Enum []string }
			}
		}
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct{ Enum []string }
			}
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var filter []string
	for _, p := range doc.Paths["/api/v1/outbox"]["get"].Parameters {
		if p.Name == "kind" {
			filter = p.Schema.Enum
		}
	}
	var message []string
	for name, s := range doc.Components.Schemas {
		if _, ok := s.Properties["subject"]; ok && strings.Contains(strings.ToLower(name), "message") {
			message = s.Properties["kind"].Enum
		}
	}
	for _, k := range kinds {
		if !slices.Contains(filter, string(k)) {
			t.Errorf("/openapi.json: the outbox's kind parameter does not list %q (it lists %v)", k, filter)
		}
		if !slices.Contains(message, string(k)) {
			t.Errorf("/openapi.json: a message's kind does not list %q (it lists %v)", k, message)
		}
	}
}
