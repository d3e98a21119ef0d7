package application_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

// door is one front door's completion form: how to build it around a
// certificate, how to post it, and how the door answers.
type door struct {
	name   string
	person training.Person // whose form it is
	form   func(cert []byte) (contentType string, body []byte)
	post   func(t *testing.T, contentType string, body []byte) answer
	// recorded and tooLarge recognise the door's answers.
	recorded, tooLarge func(a answer) bool
}

func (d door) send(t *testing.T, cert []byte) answer {
	ct, body := d.form(cert)
	return d.post(t, ct, body)
}

// cutOff sends the form without its closing "--", as a dropped
// connection leaves it.
func (d door) cutOff(t *testing.T, cert []byte) answer {
	ct, body := d.form(cert)
	return d.post(t, ct, body[:bytes.LastIndex(body, []byte("--\r\n"))])
}

func doors(t *testing.T, e *env) []door {
	apiPerson, token := e.employee("Api")
	webPerson, _ := e.employee("Web")
	web := e.signIn(webPerson.Email)
	post := func(client *http.Client, path string, header http.Header) func(t *testing.T, ct string, body []byte) answer {
		return func(t *testing.T, ct string, body []byte) answer {
			req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header = header.Clone()
			req.Header.Set("Content-Type", ct)
			return do(t, client, req)
		}
	}
	return []door{{
		name:   "API",
		person: apiPerson,
		form: func(cert []byte) (string, []byte) {
			return multipartBody(t, field("course_code", "PREVENT"), field("completed_on", "2026-10-01"), file("certificate", "cert.pdf", cert))
		},
		post:     post(http.DefaultClient, "/api/v1/me/completions", http.Header{"Authorization": {"Bearer " + token}}),
		recorded: func(a answer) bool { return a.Status == http.StatusCreated },
		tooLarge: func(a answer) bool {
			return a.Status == http.StatusRequestEntityTooLarge && a.Header.Get("Content-Type") == "application/problem+json"
		},
	}, {
		name:   "web page",
		person: webPerson,
		form: func(cert []byte) (string, []byte) {
			web.get("/my-training/PREVENT/record")
			return multipartBody(t, field("csrf_token", web.csrf), field("completed-on-day", "1"), field("completed-on-month", "10"),
				field("completed-on-year", "2026"), file("certificate", "cert.pdf", cert))
		},
		post:     post(web.client, "/my-training/PREVENT/record", http.Header{}),
		recorded: func(a answer) bool { return a.Status == http.StatusSeeOther },
		tooLarge: func(a answer) bool {
			return a.Status == http.StatusUnprocessableEntity &&
				strings.Contains(a.Body, `<a href="#certificate">The certificate must be 5 MB or smaller.</a>`)
		},
	}}
}

// The certificate's size limit is one rule, read by one reader: a file of
// exactly training.MaxEvidenceBytes is recorded through either door, one
// byte more is refused by both and nothing is recorded, however far over
// it is, and a form cut off before its end is refused by both.
func TestUploadLimitIsTheSameThroughBothDoors(t *testing.T) {
	e := newEnv(t)
	for _, d := range doors(t, e) {
		t.Run(d.name, func(t *testing.T) {
			me := d.person
			for _, tc := range []struct {
				name   string
				size   int
				record bool
			}{
				{"far over the limit", 40 << 20, false},
				{"just over the limit", training.MaxEvidenceBytes + 1, false},
				{"exactly the limit", training.MaxEvidenceBytes, true},
			} {
				t.Run(tc.name, func(t *testing.T) {
					before := len(e.completions(me))
					a := d.send(t, paddedPDF(tc.size))
					switch {
					case tc.record && !d.recorded(a):
						t.Fatalf("status %d, want it recorded\n%.600s", a.Status, a.Body)
					case !tc.record && !d.tooLarge(a):
						t.Fatalf("status %d, want the door's answer to a certificate too large\n%.600s", a.Status, a.Body)
					}
					want := before
					if tc.record {
						want++
					}
					if got := len(e.completions(me)); got != want {
						t.Errorf("%d completions recorded, want %d", got, want)
					}
				})
			}
			t.Run("cut off before its end", func(t *testing.T) {
				before := len(e.completions(me))
				if a := d.cutOff(t, tinyPDF("cut")); a.Status != http.StatusBadRequest {
					t.Errorf("status %d, want 400\n%.600s", a.Status, a.Body)
				}
				if got := len(e.completions(me)); got != before {
					t.Errorf("a form cut off was recorded")
				}
			})
		})
	}
}
