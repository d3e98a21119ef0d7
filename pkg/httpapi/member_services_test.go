package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// HR grants member_services through the roles endpoint; the officer's
// /me says so, and their team and people lists are every elected Member
// (and themself, in people), no staff outside their reporting line.
func TestMemberServicesThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	e.cast()
	me := e.must(http.StatusOK, "GET", "/api/v1/me", e.tokens["mso"], nil).json(t)
	if !slices.Contains(asList(me["roles"]), any("member_services")) {
		t.Fatalf("the officer's roles are %v, want member_services among them", me["roles"])
	}
	team := decode[jTeam](t, e.must(http.StatusOK, "GET", "/api/v1/team", e.tokens["mso"], nil))
	var names []string
	for _, m := range team.Items {
		names = append(names, m.ID)
	}
	if !slices.Equal(names, []string{e.people["cllr"].ID}) {
		t.Errorf("the officer's team is %v, want only the Member %s", names, e.people["cllr"].ID)
	}
	people := decode[struct {
		Items []jPerson `json:"items"`
	}](t, e.must(http.StatusOK, "GET", "/api/v1/people", e.tokens["mso"], nil))
	var ids []string
	for _, p := range people.Items {
		ids = append(ids, p.ID)
	}
	slices.Sort(ids)
	want := []string{e.people["cllr"].ID, e.people["mso"].ID}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("the officer's people are %v, want the Member and themself %v", ids, want)
	}

	// Employee and manager follow from the record: the message names what may be granted.
	r := e.must(http.StatusUnprocessableEntity, "PUT", "/api/v1/people/"+e.people["mso"].ID+"/roles", e.tokens["hr"], map[string]any{"roles": []string{"manager"}})
	if !strings.Contains(string(r.Body), "hr, auditor, trainer and member_services") {
		t.Errorf("refusing manager: %s", r.Body)
	}
}
