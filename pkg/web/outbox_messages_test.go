package web_test

import (
	"net/http"
	"testing"
)

// A page link the server did not give out is answered with a sentence
// saying what to do, not the error's text for developers.
func TestOutboxPageLinkProblemIsASentence(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	b := hpSignInHR(e)
	r := b.visit("/outbox?after=not-a-page-link")
	mustStatus(t, r, http.StatusBadRequest)
	mustContain(t, r, `<a href="#to">That page link has expired: start again from the first page.</a>`)
	mustNotContain(t, r, "Invalid input", "cursor")
}
