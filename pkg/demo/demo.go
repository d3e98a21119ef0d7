// Package demo fills an empty install with demo data, so that a newcomer
// sees a living system in one command (go run ./api -demo): Eastmoor
// District Council, a fictional English district council of about 400
// staff in ten departments under line managers, 50 elected Members, a few
// contractors, volunteers and leavers, three courses (Prevent awareness,
// Channel awareness and the WRAP workshop) and years of training records
// with a realistic spread around today: most people compliant, some
// expiring, expired or overdue, new starters in their first four weeks, a
// few workshop attendances awaiting their manager's verification, two
// exemptions, and face-to-face WRAP sessions past and upcoming, booked by
// staff and partner organisations (sessions.go). Demo accounts, all with
// the password Password, let a newcomer sign in as each role.
//
// Fill only ever writes to an empty install: one that holds nobody but the
// first HR administrator. Anywhere else it does nothing and says why, so
// it can never mix made-up people into real records.
//
// Everything is fictional: the council, its domain (under the reserved
// example.org) and its people, whose names are common British given and
// family names paired at random. The data is the same on every run (fixed
// seeds); only its dates move with today.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/training"
)

const (
	// Council is the fictional organisation's name.
	Council = "Eastmoor District Council"
	// Domain is its people's e-mail domain, under the reserved example.org
	// (RFC 2606): no message to it can reach anyone.
	Domain = "eastmoor.example.org"
	// Password is every demo account's password. It is published: an
	// install filled with demo data is for trying complytrack, never for
	// real records.
	Password = "eastmoor-demo-password"
)

// ChannelCourse is the demo's Channel awareness e-learning: staff only,
// valid three years, certificate required.
func ChannelCourse() training.Course {
	return training.Course{
		Code:            "CHANNEL",
		Title:           "Channel awareness",
		Provider:        "Home Office",
		URL:             "https://www.gov.uk/guidance/prevent-duty-training",
		Delivery:        training.DeliveryELearning,
		AppliesTo:       training.AppliesTo{Kinds: []training.Kind{training.KindStaff}},
		NewStarterDays:  training.DefaultNewStarterDays,
		ValidityMonths:  36,
		DueSoonDays:     training.DefaultDueSoonDays,
		RenewWindowDays: training.DefaultRenewWindowDays,
		ExpiryBasis:     training.ExpiryFromPreviousExpiry,
		EffectiveFrom:   training.NewDate(2016, time.April, 1),
		Evidence:        training.EvidenceCertificate,
		Verification:    training.VerificationNone,
	}
}

// WRAPCourse is the demo's Workshop to Raise Awareness of Prevent: a
// classroom session for the front-line departments, valid three years,
// attendance verified by the line manager. New starters have 90 days (the
// workshops run every few weeks).
func WRAPCourse() training.Course {
	return training.Course{
		Code:     "WRAP",
		Title:    "Workshop to Raise Awareness of Prevent (WRAP)",
		Provider: Council + " Community Safety team",
		Delivery: training.DeliveryClassroom,
		AppliesTo: training.AppliesTo{
			Kinds:       []training.Kind{training.KindStaff},
			Departments: []string{deptHousing, deptCustomer, deptLeisure},
		},
		NewStarterDays:  90,
		ValidityMonths:  36,
		DueSoonDays:     training.DefaultDueSoonDays,
		RenewWindowDays: training.DefaultRenewWindowDays,
		ExpiryBasis:     training.ExpiryFromPreviousExpiry,
		EffectiveFrom:   training.NewDate(2018, time.April, 1),
		Evidence:        training.EvidenceNone,
		Verification:    training.VerificationManager,
	}
}

// Account is a demo account a newcomer can sign in with (password Password).
type Account struct {
	Part     string // "chief executive", "team leader", "employee", "auditor", "hr", "trainer"
	Name     string
	Email    string
	JobTitle string
	Roles    []string // granted roles; manager comes from the reporting line
}

// Result says what Fill did.
type Result struct {
	Filled bool
	Reason string // why not, when !Filled

	Staff, Members, Contractors, Volunteers, Leavers int
	NewStarters                                      int
	Imported                                         int // past completions written as imports
	Pending                                          int // self-certifications awaiting verification
	Exemptions                                       int
	Sessions, Bookings                               int // face-to-face sessions and their bookings
	CoursesCreated                                   []string
	Accounts                                         []Account
	Prevent                                          training.Tally // the PREVENT report today
	Took                                             time.Duration
}

// LogValue shows the result in one log line.
func (r Result) LogValue() slog.Value {
	if !r.Filled {
		return slog.GroupValue(slog.Bool("filled", false), slog.String("reason", r.Reason))
	}
	return slog.GroupValue(
		slog.Bool("filled", true),
		slog.String("council", Council),
		slog.Int("staff", r.Staff), slog.Int("members", r.Members), slog.Int("contractors", r.Contractors),
		slog.Int("volunteers", r.Volunteers), slog.Int("leavers", r.Leavers), slog.Int("new_starters", r.NewStarters),
		slog.Int("completions_imported", r.Imported), slog.Int("pending_verification", r.Pending),
		slog.Int("exemptions", r.Exemptions), slog.Int("sessions", r.Sessions), slog.Int("bookings", r.Bookings),
		slog.String("courses_created", strings.Join(r.CoursesCreated, ",")),
		slog.Group("prevent", "compliant", r.Prevent.Compliant, "expiring", r.Prevent.Expiring, "expired", r.Prevent.Expired,
			"due", r.Prevent.Due, "overdue", r.Prevent.Overdue, "exempt", r.Prevent.Exempt, "pct", r.Prevent.Pct()),
		slog.Int("accounts", len(r.Accounts)),
		slog.String("took", r.Took.Round(time.Millisecond).String()),
	)
}

// Fill puts the demo council into a, when a is an empty install: nobody on
// record but the first HR administrator. Otherwise it writes nothing and
// returns a Result saying why. It logs what it did (each demo account
// with its password) or why it did nothing.
//
// People and their past completions are written in bulk straight through
// the store, as records loaded from an earlier system: each person from
// their start date, each completion as recorded at the end of the day it
// was done (source "import"), so that reports for past days show what was
// known then. The courses, exemptions and the recent self-certifications
// go through the domain service like any other change. Every write is in
// the audit log, with one "demo.fill" entry summing it up.
func Fill(ctx context.Context, a *app.App, log *slog.Logger) (Result, error) {
	started := time.Now()
	svc := a.Training
	system := training.SystemActorFor()

	existing, err := svc.PeopleForImport(ctx, system)
	if err != nil {
		return Result{}, fmt.Errorf("demo data: %w", err)
	}
	if reason, err := notEmpty(ctx, a.Store, existing); err != nil || reason != "" {
		if err != nil {
			return Result{}, fmt.Errorf("demo data: %w", err)
		}
		log.Warn("demo data not loaded: it goes only into an empty install", "reason", reason)
		return Result{Reason: reason}, nil
	}

	courses, created, err := ensureCourses(ctx, svc, system)
	if err != nil {
		return Result{}, fmt.Errorf("demo data: courses: %w", err)
	}
	taken := map[string]bool{}
	for _, p := range existing {
		taken[training.NormaliseEmail(p.Email)] = true
		taken[strings.ToLower(p.EmployeeNumber)] = true
	}
	now := svc.Now()
	pl := makePlan(svc.Today(), now, svc.Location(), courses, taken, mongodb.NewID)

	// Past records, in bulk.
	refused, err := a.Store.InsertPeople(ctx, pl.people)
	if err != nil {
		return Result{}, fmt.Errorf("demo data: people: %w", err)
	}
	if len(refused) > 0 {
		for i, e := range refused {
			return Result{}, fmt.Errorf("demo data: %d people refused, for example %s: %w", len(refused), pl.people[i].EmployeeNumber, e)
		}
	}
	if err := a.Store.InsertCompletions(ctx, pl.completions); err != nil {
		return Result{}, fmt.Errorf("demo data: completions: %w", err)
	}
	if err := a.Store.AppendAudits(ctx, importAudits(pl, now)); err != nil {
		return Result{}, fmt.Errorf("demo data: audit: %w", err)
	}
	// The writes bypassed the read model: announce a bulk change, so every
	// process loads again (this one now, the others in the background).
	if err := a.Model.Bulk(ctx); err != nil {
		return Result{}, fmt.Errorf("demo data: load: %w", err)
	}

	// Today's changes, through the service.
	exemptions := 0
	for _, e := range pl.exemptions {
		p, err := svc.Person(ctx, system, e.personID)
		if err != nil {
			return Result{}, fmt.Errorf("demo data: %w", err)
		}
		for _, c := range courses {
			if !c.Applies(p) {
				continue
			}
			if _, err := svc.GrantExemption(ctx, system, e.personID, training.ExemptionInput{CourseCode: c.Code, Reason: e.reason, Until: e.until}); err != nil {
				return Result{}, fmt.Errorf("demo data: exemption: %w", err)
			}
			exemptions++
		}
	}
	for _, pc := range pl.pending {
		in := training.CompletionInput{CourseCode: pc.courseCode, CompletedOn: pc.on, CertificateRef: "attendance register, session of " + pc.on.String()}
		if _, err := svc.SelfCertify(ctx, training.Actor{PersonID: pc.personID}, in); err != nil {
			return Result{}, fmt.Errorf("demo data: self-certification: %w", err)
		}
	}
	accts, err := createAccounts(ctx, a, svc, pl)
	if err != nil {
		return Result{}, fmt.Errorf("demo data: accounts: %w", err)
	}
	// After the accounts: the sessions need the trainer's role.
	booked, err := fillSessions(ctx, a, pl)
	if err != nil {
		return Result{}, fmt.Errorf("demo data: sessions: %w", err)
	}

	if _, err := keepMonthlyReports(ctx, a, courses); err != nil { // monthly.go
		return Result{}, fmt.Errorf("demo data: monthly reports: %w", err)
	}
	rep, err := svc.ComplianceReport(ctx, system, training.ReportRequest{CourseCode: "PREVENT"})
	if err != nil {
		return Result{}, fmt.Errorf("demo data: report: %w", err)
	}
	res := Result{
		Filled: true, Staff: pl.staff, Members: pl.members, Contractors: pl.contractors, Volunteers: pl.volunteers,
		Leavers: pl.leavers, NewStarters: pl.newStarters, Imported: len(pl.completions), Pending: len(pl.pending),
		Exemptions: exemptions, Sessions: booked.sessions, Bookings: booked.bookings, CoursesCreated: created, Accounts: accts, Prevent: rep.Totals,
	}
	summary := map[string]any{
		"council": Council, "people": len(pl.people), "staff": res.Staff, "members": res.Members,
		"contractors": res.Contractors, "volunteers": res.Volunteers, "leavers": res.Leavers,
		"completions_imported": res.Imported, "pending_verification": res.Pending, "exemptions": res.Exemptions,
		"courses_created": created, "accounts": len(accts), "sessions": res.Sessions, "bookings": res.Bookings,
	}
	if err := svc.Audit(ctx, system, "demo.fill", "organisation", "demo", nil, summary); err != nil {
		return Result{}, fmt.Errorf("demo data: %w", err)
	}
	for _, acc := range accts {
		log.Warn("demo account: sign in with this e-mail and password (demo data only: the password is published)",
			"part", acc.Part, "name", acc.Name, "job_title", acc.JobTitle, "email", acc.Email, "password", Password)
	}
	res.Took = time.Since(started)
	log.Info("demo data loaded", "result", res)
	return res, nil
}

// notEmpty says why the install is not empty ("" when it is): anyone on
// record other than the first HR administrator.
func notEmpty(ctx context.Context, store *mongodb.Store, people []training.Person) (string, error) {
	switch len(people) {
	case 0:
		return "", nil
	case 1:
		acct, err := store.Account(ctx, people[0].ID)
		if errors.Is(err, training.ErrNotFound) || (err == nil && !acct.Roles.Has(auth.RoleHR)) {
			return fmt.Sprintf("the install holds a person (employee number %s) who is not the first HR administrator", people[0].EmployeeNumber), nil
		}
		return "", err
	default:
		return fmt.Sprintf("the install holds %d people already", len(people)), nil
	}
}

// ensureCourses returns the three demo courses by code, creating those the
// install does not have (an existing course of the same code is kept as
// HR set it), and the codes it created.
func ensureCourses(ctx context.Context, svc *compliance.Service, actor training.Actor) (map[string]training.Course, []string, error) {
	out := map[string]training.Course{}
	var created []string
	for _, c := range []training.Course{training.PreventCourse(), ChannelCourse(), WRAPCourse()} {
		got, err := svc.Course(ctx, c.Code)
		switch {
		case err == nil:
		case errors.Is(err, training.ErrNotFound):
			if got, err = svc.CreateCourse(ctx, actor, c); err != nil {
				return nil, nil, err
			}
			created = append(created, c.Code)
		default:
			return nil, nil, err
		}
		out[c.Code] = got
	}
	return out, created, nil
}

// createAccounts gives the demo cast their accounts, each password hashed
// on its own (argon2id, the production parameters).
func createAccounts(ctx context.Context, a *app.App, svc *compliance.Service, pl plan) ([]Account, error) {
	hasher, err := auth.NewHasher(auth.DefaultParams, 0)
	if err != nil {
		return nil, err
	}
	now := svc.Now().UTC()
	var out []Account
	for _, ap := range pl.accounts {
		p, err := svc.PersonByID(ctx, ap.personID)
		if err != nil {
			return nil, err
		}
		h, err := hasher.Hash(ctx, Password)
		if err != nil {
			return nil, err
		}
		if err := a.Store.CreateAccount(ctx, accounts.Account{PersonID: p.ID, PasswordHash: h, Roles: ap.roles, CreatedAt: now, UpdatedAt: now}); err != nil {
			return nil, err
		}
		roles := []string{}
		for _, r := range ap.roles.Slice() {
			roles = append(roles, string(r))
		}
		if err := svc.Audit(ctx, training.SystemActorFor(), "account.create_demo", "person", p.ID, nil, map[string]any{"roles": roles}); err != nil {
			return nil, err
		}
		out = append(out, Account{Part: ap.part, Name: p.FullName(), Email: p.Email, JobTitle: p.JobTitle, Roles: roles})
	}
	return out, nil
}

// importAudits are the audit entries of the bulk writes: one per person
// and per completion, at the time they were written (now).
func importAudits(pl plan, now time.Time) []training.AuditEntry {
	out := make([]training.AuditEntry, 0, len(pl.people)+len(pl.completions))
	entry := func(action, entity, id string, after any) {
		raw, _ := json.Marshal(after)
		out = append(out, training.AuditEntry{At: now.UTC(), Actor: training.SystemActor, Action: action, Entity: entity, EntityID: id, After: raw})
	}
	for _, p := range pl.people {
		entry("person.import_create", "person", p.ID, training.PersonForAudit(p))
	}
	for _, c := range pl.completions {
		entry("completion.import", "completion", c.ID, training.CompletionForAudit(c))
	}
	return out
}
