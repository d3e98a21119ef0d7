package problem_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/evidence"
	"github.com/complytrack/complytrack/pkg/jobs"
	"github.com/complytrack/complytrack/pkg/problem"
	"github.com/complytrack/complytrack/pkg/training"
	"github.com/complytrack/complytrack/pkg/upload"
)

func TestClassify(t *testing.T) {
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	invalid := &training.ValidationError{}
	invalid.Add("start_date", "Enter the start date.")
	invalid.Add("email", "Enter an email address in the correct format, like name@example.com.")
	noServer, noServerGone, closedClient := unreachableErrors(t)
	paused := &accounts.RateLimitError{RetryAfter: 1500 * time.Millisecond, Until: time.Date(2026, 11, 30, 9, 5, 0, 0, time.UTC),
		Email: "a@example.gov.uk", Failures: 5}

	tests := []struct {
		name       string
		ctx        context.Context
		err        error
		status     int
		detail     string // "" : not checked
		fields     []string
		retryAfter time.Duration
		public     bool
	}{
		{name: "no error", err: nil, status: http.StatusOK},
		{name: "invalid fields", err: fmt.Errorf("create person: %w", invalid), status: http.StatusUnprocessableEntity,
			detail: problem.InvalidFieldsMessage, fields: []string{"start_date", "email"}},
		{name: "one invalid field", err: training.Invalid("reason", "Enter the reason."), status: http.StatusUnprocessableEntity, fields: []string{"reason"}},
		{name: "invalid without fields", err: fmt.Errorf("cursor: %w", training.ErrInvalid), status: http.StatusBadRequest,
			detail: "The request could not be understood."},
		{name: "form cut off", err: fmt.Errorf("read form: %w", upload.ErrIncomplete), status: http.StatusBadRequest},
		{name: "body too large", err: fmt.Errorf("import: %w", problem.ErrTooLarge), status: http.StatusRequestEntityTooLarge},
		{name: "certificate too large", err: fmt.Errorf("certificate: %w", evidence.ErrTooLarge), status: http.StatusRequestEntityTooLarge},
		{name: "read past the limit", err: &http.MaxBytesError{Limit: 10}, status: http.StatusRequestEntityTooLarge},
		{name: "not JSON", err: problem.ErrUnsupportedMediaType, status: http.StatusUnsupportedMediaType},
		{name: "not signed in", err: training.ErrUnauthenticated, status: http.StatusUnauthorized, detail: "Sign in to do this."},
		{name: "role may not", err: fmt.Errorf("grant: %w", training.ErrForbidden), status: http.StatusForbidden},
		{name: "nothing there", err: fmt.Errorf("person p1: %w", training.ErrNotFound), status: http.StatusNotFound},
		{name: "conflict that says why", err: training.Conflict("Someone else already has the employee number %s.", "E123"),
			status: http.StatusConflict, detail: "Someone else already has the employee number E123.", public: true},
		{name: "conflict of the store", err: fmt.Errorf("insert: %w", training.ErrConflict), status: http.StatusConflict, detail: problem.ConflictMessage},
		{name: "job busy", err: jobs.ErrBusy, status: http.StatusConflict, detail: problem.ConflictMessage},
		{name: "sign-in paused", err: fmt.Errorf("login: %w", paused), status: http.StatusTooManyRequests,
			detail: paused.PublicMessage(), retryAfter: 1500 * time.Millisecond, public: true},
		{name: "sign-in paused for under a second", err: &accounts.RateLimitError{RetryAfter: time.Millisecond, Until: time.Now()},
			status: http.StatusTooManyRequests, retryAfter: time.Second, public: true},
		{name: "client went away", ctx: gone, err: fmt.Errorf("list: %w", context.Canceled), status: problem.StatusClientClosedRequest},
		{name: "cancelled while the client waits", err: context.Canceled, status: http.StatusInternalServerError, detail: problem.UnexpectedMessage},
		{name: "timed out", ctx: gone, err: context.DeadlineExceeded, status: http.StatusInternalServerError},
		// The text of a sentinel is not the sentinel: only types count.
		{name: "message text alone", err: errors.New("not found"), status: http.StatusInternalServerError, detail: problem.UnexpectedMessage},
		{name: "conflict text alone", err: errors.New("conflict: invitation used already"), status: http.StatusInternalServerError},
		// The database not answering is the driver's own errors, by type.
		{name: "no server answers", err: fmt.Errorf("person p1: %w", noServer), status: http.StatusServiceUnavailable,
			detail: problem.UnavailableMessage, retryAfter: time.Minute},
		{name: "connection cut mid-operation", err: fmt.Errorf("find: %w", mongo.CommandError{Message: "connection reset", Labels: []string{"NetworkError"}}),
			status: http.StatusServiceUnavailable, detail: problem.UnavailableMessage, retryAfter: time.Minute},
		{name: "client closed at shutdown", err: closedClient, status: http.StatusServiceUnavailable, retryAfter: time.Minute},
		{name: "client went away while no server answered", ctx: gone, err: noServerGone, status: problem.StatusClientClosedRequest},
		{name: "a command the server refused", err: mongo.CommandError{Code: 2, Message: "bad value"}, status: http.StatusInternalServerError},
		{name: "anything else", err: errors.New("connection refused: 10.0.0.7:27017"), status: http.StatusInternalServerError, detail: problem.UnexpectedMessage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			p := problem.Classify(ctx, tc.err)
			if p.Status != tc.status {
				t.Fatalf("status %d, want %d (%+v)", p.Status, tc.status, p)
			}
			if tc.detail != "" && p.Detail != tc.detail {
				t.Errorf("detail %q, want %q", p.Detail, tc.detail)
			}
			if p.Status != http.StatusOK && p.Status != problem.StatusClientClosedRequest && !strings.HasSuffix(p.Detail, ".") {
				t.Errorf("detail %q is not a sentence", p.Detail)
			}
			var fields []string
			for _, f := range p.Fields {
				fields = append(fields, f.Field)
			}
			if !slices.Equal(fields, tc.fields) {
				t.Errorf("fields %v, want %v", fields, tc.fields)
			}
			if p.RetryAfter != tc.retryAfter {
				t.Errorf("retry after %v, want %v", p.RetryAfter, tc.retryAfter)
			}
			if p.Public != tc.public {
				t.Errorf("public %v, want %v", p.Public, tc.public)
			}
			if p.Unexpected() != (tc.status >= 500) {
				t.Errorf("unexpected %v for status %d", p.Unexpected(), p.Status)
			}
			if p.Unexpected() && tc.err != nil && strings.Contains(p.Detail, tc.err.Error()) {
				t.Errorf("a failure of ours shows its internals: %q", p.Detail)
			}
		})
	}
}

// unreachableErrors are the driver's real answers when no server listens:
// a ping that found no server in time, the same cut short by its caller
// going away, and a command on a client that was closed.
func unreachableErrors(t *testing.T) (noServer, noServerGone, closedClient error) {
	t.Helper()
	// Port 1 refuses every connection.
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1/").SetServerSelectionTimeout(200 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	noServer = client.Ping(context.Background(), nil)
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	noServerGone = client.Ping(gone, nil)
	if err := client.Disconnect(context.Background()); err != nil {
		t.Fatal(err)
	}
	closedClient = client.Ping(context.Background(), nil)
	if noServer == nil || noServerGone == nil || closedClient == nil {
		t.Fatalf("a client with no server answered: %v, %v, %v", noServer, noServerGone, closedClient)
	}
	return noServer, noServerGone, closedClient
}
