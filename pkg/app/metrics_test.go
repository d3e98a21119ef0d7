package app_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/apptest"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/jobs"
	"github.com/complytrack/complytrack/pkg/mailtest"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	dbtest.Main(m)
}

const hrEmail = "hr@metrics.test"

// TestMetricsAfterAScanAndRequests scrapes /metrics through the real router
// on the real engine: before and after the compliance scan and the mail
// delivery, and after a few requests.
func TestMetricsAfterAScanAndRequests(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// Every message is accepted except those to refused@..., refused for
	// good (550).
	mail := mailtest.Start(t, mailtest.RefuseRecipients(func(to string) bool { return strings.HasPrefix(to, "refused@") })).Addr
	cfg, _ := apptest.Config(t,
		"COMPLYTRACK_ADMIN_EMAIL="+hrEmail,
		"COMPLYTRACK_ADMIN_PASSWORD=admin-password-for-tests",
		"COMPLYTRACK_SMTP_URL=smtp://"+mail,
	)
	a, err := app.New(ctx, cfg, dbtest.New(t), slog.New(slog.DiscardHandler), app.Options{HasherParams: auth.MinParams})
	if err != nil {
		t.Fatal(err)
	}
	router := a.Router()

	// The cast: HR and one more person up to date, two overdue (one whose
	// mail server refuses mail for good), one expired, one leaver (not
	// counted).
	hr, err := a.Training.PersonByEmail(ctx, hrEmail)
	if err != nil {
		t.Fatal(err)
	}
	actor := training.Actor{PersonID: hr.ID, HR: true}
	today := a.Training.Today()
	long := today.AddMonths(-60)
	complete := func(id string, on training.Date) {
		t.Helper()
		if _, err := a.Training.RecordCompletion(ctx, actor, id, training.CompletionInput{CourseCode: "PREVENT", CompletedOn: on, CertificateRef: "CERT-" + id}); err != nil {
			t.Fatal(err)
		}
	}
	complete(hr.ID, today)
	for i, c := range []struct {
		email       string
		start, end  training.Date
		completedOn training.Date
	}{
		{email: "carys@metrics.test", start: long, completedOn: today.AddDays(-100)},
		{email: "olive@metrics.test", start: today.AddDays(-60)},
		{email: "refused@metrics.test", start: today.AddDays(-60)},
		{email: "ed@metrics.test", start: long, completedOn: today.AddDays(-2).AddMonths(-36)},
		{email: "lewis@metrics.test", start: long, end: today.AddDays(-10)},
	} {
		p, err := a.Training.CreatePerson(ctx, actor, training.PersonInput{Person: training.Person{
			EmployeeNumber: "M" + string(rune('1'+i)), Email: c.email, GivenName: "Person", FamilyName: c.email[:3],
			Kind: training.KindStaff, StartDate: c.start, EndDate: c.end,
		}})
		if err != nil {
			t.Fatalf("create %s: %v", c.email, err)
		}
		if !c.completedOn.IsZero() {
			complete(p.ID, c.completedOn)
		}
	}

	scan, err := a.Jobs.RunNow(ctx, jobs.JobComplianceScan)
	if err != nil {
		t.Fatal(err)
	}
	if n := scan.Counts["reminders_queued"]; n != 3 {
		t.Fatalf("the scan queued %d reminders, want 3 (two overdue, one expired): %+v", n, scan)
	}
	// The reminders and HR's escalation, as the outbox lists them.
	listed, err := a.Outbox.List(ctx, actor, notify.Filter{}, training.PageRequest{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	queued := 0
	for _, m := range listed.Items {
		if m.State == notify.StateQueued {
			queued++
		}
	}
	if queued < 3 {
		t.Fatalf("%d messages queued, want the 3 reminders at least", queued)
	}

	got := scrape(t, router)
	for _, c := range []struct {
		status string
		want   float64
	}{{"applicable", 5}, {"compliant", 2}, {"overdue", 2}, {"expired", 1}} {
		if v := value(t, got, "complytrack_course_people", map[string]string{"course": "PREVENT", "status": c.status}); v != c.want {
			t.Errorf("PREVENT %s: %v, want %v", c.status, v, c.want)
		}
	}
	if v := value(t, got, "complytrack_compliance_scan_timestamp_seconds", nil); v < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("scan timestamp %v is not now", v)
	}
	if v := value(t, got, "complytrack_job_runs_total", map[string]string{"job": jobs.JobComplianceScan}); v != 1 {
		t.Errorf("compliance-scan runs: %v, want 1", v)
	}
	if v := value(t, got, "complytrack_job_failures_total", map[string]string{"job": jobs.JobComplianceScan}); v != 0 {
		t.Errorf("compliance-scan failures: %v, want 0", v)
	}
	if h := histogram(t, got, "complytrack_job_duration_seconds", map[string]string{"job": jobs.JobComplianceScan}); h.GetSampleCount() != 1 || h.GetSampleSum() <= 0 {
		t.Errorf("compliance-scan duration: %d runs taking %vs, want 1 run taking some time", h.GetSampleCount(), h.GetSampleSum())
	}
	if v := value(t, got, "complytrack_outbox_waiting_messages", nil); v != float64(queued) {
		t.Errorf("outbox waiting: %v, want %d", v, queued)
	}
	if v := value(t, got, "complytrack_outbox_oldest_waiting_seconds", nil); v < 0 || v > 180 {
		t.Errorf("oldest waiting: %vs, want the few seconds since the scan", v)
	}

	if _, err := a.Jobs.RunNow(ctx, jobs.JobDelivery); err != nil {
		t.Fatal(err)
	}
	// A few requests: a page, an API route with an ID in it, and an
	// address nothing serves.
	for _, path := range []string{"/sign-in", "/api/v1/people/" + hr.ID, "/api/v1/people/someone-else", "/no-such-page/12345"} {
		router.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	if err := a.Model.Step(ctx); err != nil {
		t.Fatal(err)
	}

	got = scrape(t, router)
	if v := value(t, got, "complytrack_emails_total", map[string]string{"result": "sent"}); v != float64(queued-1) {
		t.Errorf("e-mails sent: %v, want %d", v, queued-1)
	}
	if v := value(t, got, "complytrack_emails_total", map[string]string{"result": "refused_permanent"}); v != 1 {
		t.Errorf("e-mails refused for good: %v, want 1", v)
	}
	if v := value(t, got, "complytrack_outbox_waiting_messages", nil); v != 0 {
		t.Errorf("outbox waiting after delivery: %v, want 0", v)
	}
	if v := value(t, got, "complytrack_outbox_oldest_waiting_seconds", nil); v != 0 {
		t.Errorf("oldest waiting with none waiting: %v, want 0", v)
	}
	if v := value(t, got, "complytrack_job_runs_total", map[string]string{"job": jobs.JobDelivery}); v != 1 {
		t.Errorf("delivery runs: %v, want 1", v)
	}
	for _, c := range []struct {
		route, status string
		want          float64
	}{
		{"/sign-in", "200", 1},
		{"/api/v1/people/:id", "401", 2}, // both IDs under one pattern
		{"unmatched", "404", 1},
		{"/metrics", "200", 1}, // the first scrape
	} {
		labels := map[string]string{"route": c.route, "method": "GET", "status": c.status}
		if v := value(t, got, "complytrack_http_requests_total", labels); v != c.want {
			t.Errorf("requests %v: %v, want %v", labels, v, c.want)
		}
		if h := histogram(t, got, "complytrack_http_request_duration_seconds", map[string]string{"route": c.route, "method": "GET"}); h.GetSampleCount() != uint64(c.want) {
			t.Errorf("latency of %s: %d observations, want %v", c.route, h.GetSampleCount(), c.want)
		}
	}
	for _, m := range got["complytrack_http_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "route" && (strings.Contains(l.GetValue(), hr.ID) || strings.Contains(l.GetValue(), "12345")) {
				t.Errorf("a route label holds an address asked for: %q", l.GetValue())
			}
		}
	}
	if v := value(t, got, "complytrack_readmodel_lag_entries", nil); v != 0 {
		t.Errorf("read model lag after catching up: %v, want 0", v)
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "process_start_time_seconds"} {
		if v := value(t, got, name, nil); v <= 0 {
			t.Errorf("%s: %v, want more than 0", name, v)
		}
	}
}

// The read model's lag counts the change-log entries another process wrote
// that this one has not applied yet.
func TestMetricsReadModelLag(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, _ := apptest.Config(t, "COMPLYTRACK_ADMIN_EMAIL="+hrEmail, "COMPLYTRACK_ADMIN_PASSWORD=admin-password-for-tests")
	db := dbtest.New(t)
	quiet := slog.New(slog.DiscardHandler)
	reader, err := app.New(ctx, cfg, db, quiet, app.Options{HasherParams: auth.MinParams})
	if err != nil {
		t.Fatal(err)
	}
	writer, err := app.New(ctx, cfg, db, quiet, app.Options{HasherParams: auth.MinParams})
	if err != nil {
		t.Fatal(err)
	}
	if err := reader.Model.Step(ctx); err != nil {
		t.Fatal(err)
	}
	hr, err := writer.Training.PersonByEmail(ctx, hrEmail)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := writer.Training.RecordCompletion(ctx, training.Actor{PersonID: hr.ID, HR: true}, hr.ID, training.CompletionInput{
		CourseCode: "PREVENT", CompletedOn: writer.Training.Today(), CertificateRef: "CERT-LAG",
	}); err != nil {
		t.Fatal(err)
	}
	// The scrape itself must not catch up: it goes round the router's
	// per-request catch-up by using the handler directly.
	lag := value(t, scrape(t, reader.Metrics.Handler()), "complytrack_readmodel_lag_entries", nil)
	if lag < 1 {
		t.Errorf("lag after another process's write: %v, want at least 1", lag)
	}
	if err := reader.Model.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if lag := value(t, scrape(t, reader.Metrics.Handler()), "complytrack_readmodel_lag_entries", nil); lag != 0 {
		t.Errorf("lag after catching up: %v, want 0", lag)
	}
}

func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want the text format", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return families
}

// find returns the sample of family name whose labels include want.
func find(t *testing.T, families map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	t.Helper()
	f, ok := families[name]
	if !ok {
		t.Fatalf("no metric %s", name)
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		return m
	}
	t.Fatalf("no sample of %s with labels %v", name, want)
	return nil
}

func value(t *testing.T, families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	m := find(t, families, name, labels)
	switch {
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Untyped != nil:
		return m.GetUntyped().GetValue()
	}
	t.Fatalf("%s is neither a counter nor a gauge", name)
	return 0
}

func histogram(t *testing.T, families map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Histogram {
	t.Helper()
	h := find(t, families, name, labels).GetHistogram()
	if h == nil {
		t.Fatalf("%s is not a histogram", name)
	}
	return h
}
