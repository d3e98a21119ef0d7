package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A reason must be on one line, so every reason field is a one-line text
// input: pressing Enter sends the form instead of adding a line break the
// domain would refuse. What was typed comes back in the field when the
// form is refused for another reason.
func TestReasonFieldsAreOneLineInputs(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	hpManagerVerifiedCourse(e)
	sophie := e.employee("Sophie", "Marsh")
	pending := hpSelfCertify(e, sophie, "WRAP", "2026-10-01")
	accepted := hpSelfCertify(e, e.employee("Tom", "Whitfield"), "WRAP", "2026-10-02")
	b := hpSignInHR(e)
	b.visit("/evidence")
	if r := b.submit("/evidence/"+accepted.ID+"/verify", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("verify: %d", r.Status)
	}
	for page, input := range map[string]string{
		"/evidence": `<input class="input input--width-full" id="reason-` + pending.ID + `" name="reason" type="text" value=""`,
		"/completions/" + accepted.ID + "/revoke":  `<input class="input input--width-full" id="reason" name="reason" type="text" value=""`,
		"/people/" + sophie.ID + "/exemptions/new": `<input class="input input--width-full" id="reason" name="reason" type="text" value=""`,
	} {
		r := b.visit(page)
		mustStatus(t, r, http.StatusOK)
		mustContain(t, r, input)
		if strings.Contains(r.Body, "<textarea") {
			t.Errorf("%s has a multi-line text area", page)
		}
	}
	typed := `Said "no" & left`
	r := b.submit("/people/"+sophie.ID+"/exemptions", url.Values{"course_code": {"NOPE"}, "reason": {typed}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `name="reason" type="text" value="Said &#34;no&#34; &amp; left"`)
}
