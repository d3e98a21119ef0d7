package mongodb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/training"
)

func newStore(t *testing.T) *mongodb.Store {
	t.Helper()
	s := mongodb.New(dbtest.New(t))
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

func person(n int) training.Person {
	return training.Person{
		EmployeeNumber: fmt.Sprintf("E%04d", n),
		Email:          fmt.Sprintf("person%d@example.org", n),
		GivenName:      "Given",
		FamilyName:     fmt.Sprintf("Family%02d", n),
		Kind:           training.KindStaff,
		JobTitle:       "Officer",
		Department:     "Housing",
		StartDate:      training.MustDate("2024-01-15"),
	}
}

func TestMigrateIsIdempotentAndCreatesIndexes(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	s := mongodb.New(db)
	for i := 0; i < 2; i++ {
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate run %d: %v", i+1, err)
		}
	}
	specs, err := db.Collection("people").Indexes().ListSpecifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	unique := map[string]bool{}
	for _, sp := range specs {
		unique[sp.Name] = sp.Unique != nil && *sp.Unique
	}
	for _, name := range []string{"employee_number_unique", "email_lower_unique"} {
		if !unique[name] {
			t.Errorf("people index %s missing or not unique; have %v", name, unique)
		}
	}
}

func TestPersonCreateReadUpdate(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	p, err := s.CreatePerson(ctx, person(1))
	if err != nil {
		t.Fatal(err)
	}
	if p.ID == "" || p.CreatedAt.IsZero() {
		t.Fatalf("created person lacks ID or CreatedAt: %+v", p)
	}
	got, err := s.Person(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.EmployeeNumber != "E0001" || got.StartDate != training.MustDate("2024-01-15") || !got.EndDate.IsZero() || got.Kind != training.KindStaff {
		t.Errorf("read back %+v", got)
	}
	byEmail, err := s.PersonByEmail(ctx, "  PERSON1@Example.ORG ")
	if err != nil || byEmail.ID != p.ID {
		t.Errorf("PersonByEmail = %v, %v; want %s", byEmail.ID, err, p.ID)
	}
	byNumber, err := s.PersonByEmployeeNumber(ctx, "E0001")
	if err != nil || byNumber.ID != p.ID {
		t.Errorf("PersonByEmployeeNumber = %v, %v", byNumber.ID, err)
	}

	got.EndDate = training.MustDate("2026-06-30")
	got.Department = "Finance"
	updated, err := s.UpdatePerson(ctx, got)
	if err != nil {
		t.Fatal(err)
	}
	if !updated.CreatedAt.Equal(p.CreatedAt) || updated.UpdatedAt.Before(p.UpdatedAt) {
		t.Errorf("timestamps after update: created %v (was %v), updated %v", updated.CreatedAt, p.CreatedAt, updated.UpdatedAt)
	}
	again, _ := s.Person(ctx, p.ID)
	if again.EndDate != training.MustDate("2026-06-30") || again.Department != "Finance" {
		t.Errorf("update not stored: %+v", again)
	}
}

func TestPersonErrors(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a, err := s.CreatePerson(ctx, person(1))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreatePerson(ctx, person(2))
	if err != nil {
		t.Fatal(err)
	}

	dupNumber := person(3)
	dupNumber.EmployeeNumber = a.EmployeeNumber
	dupEmail := person(4)
	dupEmail.Email = "PERSON1@example.org" // same as a, other case
	stolenEmail := b
	stolenEmail.Email = a.Email

	tests := []struct {
		name string
		do   func() error
		want error
	}{
		{"duplicate employee number", func() error { _, err := s.CreatePerson(ctx, dupNumber); return err }, training.ErrConflict},
		{"duplicate e-mail in another case", func() error { _, err := s.CreatePerson(ctx, dupEmail); return err }, training.ErrConflict},
		{"update to someone else's e-mail", func() error { _, err := s.UpdatePerson(ctx, stolenEmail); return err }, training.ErrConflict},
		{"missing person", func() error { _, err := s.Person(ctx, "nobody"); return err }, training.ErrNotFound},
		{"missing e-mail", func() error { _, err := s.PersonByEmail(ctx, "nobody@example.org"); return err }, training.ErrNotFound},
		{"update missing person", func() error { p := person(9); p.ID = "nobody"; _, err := s.UpdatePerson(ctx, p); return err }, training.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.do(); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	got, _ := s.Person(ctx, b.ID)
	if got.Email != b.Email {
		t.Errorf("a refused update changed the stored e-mail to %q", got.Email)
	}
}

func TestListPeoplePagesByCursor(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	want := map[string]bool{}
	for i := 1; i <= 7; i++ {
		p := person(i)
		if i == 5 || i == 6 {
			p.FamilyName = "Same" // ties on the sort key are broken by ID
		}
		if i == 7 {
			p.Department = "Finance"
		}
		created, err := s.CreatePerson(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		want[created.ID] = true
	}

	seen := map[string]bool{}
	var order []string
	cursor := ""
	pages := 0
	for {
		page, err := s.ListPeople(ctx, mongodb.PeopleFilter{}, mongodb.PageRequest{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, p := range page.Items {
			if seen[p.ID] {
				t.Errorf("person %s listed twice", p.ID)
			}
			seen[p.ID] = true
			order = append(order, p.FamilyName+"/"+p.ID)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
	}
	if pages != 3 || len(seen) != 7 {
		t.Errorf("got %d people in %d pages, want 7 in 3", len(seen), pages)
	}
	for i := 1; i < len(order); i++ {
		if order[i-1] >= order[i] {
			t.Errorf("not in (family name, id) order: %q before %q", order[i-1], order[i])
		}
	}

	finance, err := s.ListPeople(ctx, mongodb.PeopleFilter{Department: "Finance"}, mongodb.PageRequest{})
	if err != nil || len(finance.Items) != 1 || finance.NextCursor != "" {
		t.Errorf("department filter: %d items, next %q, err %v", len(finance.Items), finance.NextCursor, err)
	}

	for _, bad := range []string{"%%%", "bm90IGpzb24", "e30"} {
		if _, err := s.ListPeople(ctx, mongodb.PeopleFilter{}, mongodb.PageRequest{Cursor: bad}); !errors.Is(err, training.ErrInvalid) {
			t.Errorf("cursor %q: got %v, want ErrInvalid", bad, err)
		}
	}
}

func TestCourses(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	c := training.Course{
		Code: "PREVENT", Title: "Prevent awareness", Delivery: training.DeliveryELearning,
		AppliesTo:      training.AppliesTo{Kinds: []training.Kind{training.KindStaff, training.KindMember}},
		NewStarterDays: 28, ValidityMonths: 36, DueSoonDays: 30, RenewWindowDays: 60,
		ExpiryBasis: training.ExpiryFromPreviousExpiry, EffectiveFrom: training.MustDate("2015-07-01"),
		Evidence: training.EvidenceCertificate, Verification: training.VerificationNone,
	}
	if err := s.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCourse(ctx, c); !errors.Is(err, training.ErrConflict) {
		t.Errorf("second create: %v, want ErrConflict", err)
	}
	got, err := s.Course(ctx, "PREVENT")
	if err != nil {
		t.Fatal(err)
	}
	if got.EffectiveFrom != c.EffectiveFrom || len(got.AppliesTo.Kinds) != 2 || got.ExpiryBasis != c.ExpiryBasis || got.ValidityMonths != 36 {
		t.Errorf("read back %+v", got)
	}
	c.ValidityMonths = 24
	if err := s.UpdateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	all, err := s.Courses(ctx)
	if err != nil || len(all) != 1 || all[0].ValidityMonths != 24 {
		t.Errorf("Courses = %+v, %v", all, err)
	}
	c.Code = "NONE"
	if err := s.UpdateCourse(ctx, c); !errors.Is(err, training.ErrNotFound) {
		t.Errorf("update missing course: %v", err)
	}
	if _, err := s.Course(ctx, "NONE"); !errors.Is(err, training.ErrNotFound) {
		t.Errorf("missing course: %v", err)
	}
}

func TestCompletionsAreAppendOnly(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	recorded := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c, err := s.InsertCompletion(ctx, training.Completion{
		PersonID: "p1", CourseCode: "PREVENT", CompletedOn: training.MustDate("2026-02-27"),
		Source: training.SourceSelf, RecordedBy: "p1", RecordedAt: recorded, NeedsVerification: true,
		Evidence: &training.EvidenceFile{FileID: "f1", SHA256: "abc", ContentType: "application/pdf", Size: 10, Filename: "cert.pdf"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Completion(ctx, c.ID); got.State() != training.StatePending {
		t.Errorf("new completion needing verification is %s, want pending", got.State())
	}

	verifiedAt := recorded.Add(time.Hour)
	if err := s.ReviewCompletion(ctx, c.ID, true, training.Decision{By: "m1", At: verifiedAt}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReviewCompletion(ctx, c.ID, false, training.Decision{By: "m2", Reason: "late"}); !errors.Is(err, training.ErrConflict) {
		t.Errorf("second review: %v, want ErrConflict", err)
	}
	revokedAt := recorded.Add(48 * time.Hour)
	if err := s.RevokeCompletion(ctx, c.ID, training.Decision{By: "hr", At: revokedAt, Reason: "certificate belongs to someone else"}); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeCompletion(ctx, c.ID, training.Decision{By: "hr", Reason: "again"}); !errors.Is(err, training.ErrConflict) {
		t.Errorf("second revocation: %v, want ErrConflict", err)
	}

	got, err := s.Completion(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State() != training.StateRevoked || got.Revocation.Reason != "certificate belongs to someone else" || got.Review.By != "m1" {
		t.Errorf("assembled completion: state %s, %+v", got.State(), got)
	}
	if st, _ := got.StateAt(verifiedAt.Add(time.Minute)); st != training.StateAccepted {
		t.Errorf("state between verification and revocation = %s, want accepted", st)
	}
	if got.Evidence == nil || got.Evidence.SHA256 != "abc" || !got.RecordedAt.Equal(recorded) {
		t.Errorf("evidence or recorded time lost: %+v", got)
	}

	if _, err := s.InsertCompletion(ctx, training.Completion{PersonID: "p1", CourseCode: "PREVENT", CompletedOn: training.MustDate("2026-03-02"), Source: training.SourceHR, RecordedBy: "hr"}); err != nil {
		t.Fatal(err)
	}
	list, err := s.CompletionsOf(ctx, "p1")
	if err != nil || len(list) != 2 || list[0].ID != c.ID || list[0].State() != training.StateRevoked || list[1].State() != training.StateAccepted {
		t.Errorf("CompletionsOf = %+v, %v", list, err)
	}
	count := 0
	if err := s.EachCompletion(ctx, func(c training.Completion) error {
		count++
		if c.ID == list[0].ID && c.Revocation == nil {
			t.Error("EachCompletion lost the revocation")
		}
		return nil
	}); err != nil || count != 2 {
		t.Errorf("EachCompletion saw %d, err %v", count, err)
	}
	same, err := s.CompletionsWithEvidence(ctx, "abc")
	if err != nil || len(same) != 1 {
		t.Errorf("CompletionsWithEvidence = %d, %v", len(same), err)
	}
	if _, err := s.Completion(ctx, "missing"); !errors.Is(err, training.ErrNotFound) {
		t.Errorf("missing completion: %v", err)
	}
}

func TestExemptions(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	e, err := s.InsertExemption(ctx, training.Exemption{PersonID: "p1", CourseCode: "PREVENT", Reason: "long-term sick leave", Until: training.MustDate("2027-01-31"), CreatedBy: "hr"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveExemption(ctx, e.ID, training.Decision{By: "hr", Reason: "returned to work"}); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveExemption(ctx, e.ID, training.Decision{By: "hr"}); !errors.Is(err, training.ErrConflict) {
		t.Errorf("second removal: %v, want ErrConflict", err)
	}
	list, err := s.ExemptionsOf(ctx, "p1")
	if err != nil || len(list) != 1 || list[0].Removal == nil || list[0].Until != training.MustDate("2027-01-31") {
		t.Fatalf("ExemptionsOf = %+v, %v", list, err)
	}
	n := 0
	if err := s.EachExemption(ctx, func(x training.Exemption) error {
		n++
		if x.Removal == nil {
			t.Error("EachExemption lost the removal")
		}
		return nil
	}); err != nil || n != 1 {
		t.Errorf("EachExemption saw %d, %v", n, err)
	}
}

func TestAuditNewestFirstWithCursor(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	for i := 0; i < 5; i++ {
		after, _ := json.Marshal(map[string]int{"n": i})
		if _, err := s.AppendAudit(ctx, training.AuditEntry{Actor: "hr", Action: "person.update", Entity: "person", EntityID: "p1", After: after}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AppendAudit(ctx, training.AuditEntry{Actor: "hr", Action: "person.create", Entity: "person", EntityID: "p2"}); err != nil {
		t.Fatal(err)
	}
	first, err := s.ListAudit(ctx, "p1", mongodb.PageRequest{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.ListAudit(ctx, "p1", mongodb.PageRequest{Limit: 3, Cursor: first.NextCursor})
	if err != nil {
		t.Fatal(err)
	}
	var ns []int
	for _, e := range append(first.Items, second.Items...) {
		var v struct{ N int }
		if err := json.Unmarshal(e.After, &v); err != nil {
			t.Fatalf("after %q: %v", e.After, err)
		}
		ns = append(ns, v.N)
	}
	if fmt.Sprint(ns) != "[4 3 2 1 0]" || second.NextCursor != "" {
		t.Errorf("audit order %v (next %q), want [4 3 2 1 0] and the end", ns, second.NextCursor)
	}
	all, _ := s.ListAudit(ctx, "", mongodb.PageRequest{})
	if len(all.Items) != 6 || all.Items[0].EntityID != "p2" {
		t.Errorf("unfiltered audit: %d items, first %+v", len(all.Items), all.Items[0])
	}
}

// The store never updates completions or audit entries in place: check
// that the documents are exactly what was inserted.
func TestAppendOnlyDocumentsKeepTheirFields(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	s := mongodb.New(db)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := s.InsertCompletion(ctx, training.Completion{PersonID: "p1", CourseCode: "PREVENT", CompletedOn: training.MustDate("2026-01-01"), Source: training.SourceHR, RecordedBy: "hr"})
	if err != nil {
		t.Fatal(err)
	}
	before, err := db.Collection("completions").FindOne(ctx, bson.D{{Key: "_id", Value: c.ID}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeCompletion(ctx, c.ID, training.Decision{By: "hr", Reason: "wrong person"}); err != nil {
		t.Fatal(err)
	}
	after, err := db.Collection("completions").FindOne(ctx, bson.D{{Key: "_id", Value: c.ID}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Error("revoking changed the completion document itself")
	}
}
