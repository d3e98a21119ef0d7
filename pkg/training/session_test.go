package training_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

func TestTimeOfDay(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"09:30", "09:30", false},
		{"00:00", "00:00", false},
		{"23:59", "23:59", false},
		{" 14:00 ", "14:00", false},
		{"9:30", "", true},
		{"24:00", "", true},
		{"12:60", "", true},
		{"12.30", "", true},
		{"", "", true},
		{"12:30:00", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := training.ParseTimeOfDay(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseTimeOfDay(%q) error %v, want error %v", tt.in, err, tt.wantErr)
			}
			if got.String() != tt.want || got.Valid() == tt.wantErr {
				t.Errorf("ParseTimeOfDay(%q) = %q (valid %v), want %q", tt.in, got, got.Valid(), tt.want)
			}
		})
	}
	if (training.TimeOfDay{}).Valid() || (training.TimeOfDay{}).String() != "" {
		t.Error("the zero TimeOfDay is valid")
	}
	if !training.NewTimeOfDay(9, 59).Before(training.NewTimeOfDay(10, 0)) || training.NewTimeOfDay(10, 0).Before(training.NewTimeOfDay(10, 0)) {
		t.Error("Before is wrong")
	}
	// On is wall-clock time in the zone, across the clocks changing.
	london, _ := time.LoadLocation("Europe/London")
	for _, tt := range []struct{ day, want string }{
		{"2026-01-15", "2026-01-15T10:00:00Z"}, // GMT
		{"2026-07-15", "2026-07-15T09:00:00Z"}, // BST
	} {
		got := training.NewTimeOfDay(10, 0).On(training.MustDate(tt.day), london).UTC().Format(time.RFC3339)
		if got != tt.want {
			t.Errorf("10:00 on %s in London = %s, want %s", tt.day, got, tt.want)
		}
	}
	b, _ := training.NewTimeOfDay(7, 5).MarshalJSON()
	if string(b) != `"07:05"` {
		t.Errorf("JSON %s", b)
	}
}

func TestSessionInputValidate(t *testing.T) {
	today := training.MustDate("2026-12-01")
	valid := func() training.SessionInput {
		return training.SessionInput{CourseCode: "WRAP", Date: today, Start: training.NewTimeOfDay(10, 0), End: training.NewTimeOfDay(12, 0),
			Location: "Civic Centre", Capacity: 12, TrainerID: "t1"}
	}
	tests := []struct {
		name string
		edit func(*training.SessionInput)
		want []string
	}{
		{"valid, today", func(*training.SessionInput) {}, nil},
		{"notes over several lines", func(in *training.SessionInput) { in.Notes = "Bring a pen.\nRoom 2 is upstairs." }, nil},
		{"the most places", func(in *training.SessionInput) { in.Capacity = training.MaxSessionCapacity }, nil},
		{"nothing", func(in *training.SessionInput) { *in = training.SessionInput{} },
			[]string{"course_code", "date", "start_time", "end_time", "location", "capacity", "trainer_id"}},
		{"yesterday", func(in *training.SessionInput) { in.Date = today.AddDays(-1) }, []string{"date"}},
		{"ends when it starts", func(in *training.SessionInput) { in.End = in.Start }, []string{"end_time"}},
		{"ends before it starts", func(in *training.SessionInput) { in.End = training.NewTimeOfDay(9, 0) }, []string{"end_time"}},
		{"no places", func(in *training.SessionInput) { in.Capacity = 0 }, []string{"capacity"}},
		{"too many places", func(in *training.SessionInput) { in.Capacity = training.MaxSessionCapacity + 1 }, []string{"capacity"}},
		{"location of spaces", func(in *training.SessionInput) { in.Location = "   " }, []string{"location"}},
		{"location over two lines", func(in *training.SessionInput) { in.Location = "Civic\nCentre" }, []string{"location"}},
		{"notes too long", func(in *training.SessionInput) { in.Notes = strings.Repeat("a", 2001) }, []string{"notes"}},
		{"a parse problem wins", func(in *training.SessionInput) {
			in.Start = training.TimeOfDay{}
			in.Problems = []training.FieldError{{Field: "start_time", Message: "Enter the start time as HH:MM, like 09:30."}}
		}, []string{"start_time"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := valid()
			tt.edit(&in)
			got := fieldsOf(t, in.Validate(today))
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("fields %v, want %v", got, want)
			}
		})
	}
}

func TestExternalAttendeeValidate(t *testing.T) {
	tests := []struct {
		name string
		in   training.ExternalAttendee
		want []string
	}{
		{"valid", training.ExternalAttendee{Name: "Pat Partner", Email: "pat@police.example.org", Organisation: "Police"}, nil},
		{"empty", training.ExternalAttendee{}, []string{"external.name", "external.organisation", "external.email"}},
		{"e-mail with no domain dot", training.ExternalAttendee{Name: "Pat", Email: "pat@police", Organisation: "Police"}, []string{"external.email"}},
		{"e-mail with a display name", training.ExternalAttendee{Name: "Pat", Email: "Pat <pat@police.example.org>", Organisation: "Police"}, []string{"external.email"}},
		{"name too long", training.ExternalAttendee{Name: strings.Repeat("a", 101), Email: "pat@police.example.org", Organisation: "Police"}, []string{"external.name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			got := fieldsOf(t, err)
			if !slices.Equal(got, tt.want) {
				t.Errorf("fields %v, want %v", got, tt.want)
			}
			if tt.name == "empty" && !strings.Contains(err.Error(), "Enter the attendee's name.") {
				t.Errorf("message names the field by its API name: %v", err)
			}
		})
	}
}

func TestPlaces(t *testing.T) {
	at := func(m int) time.Time { return time.Date(2026, 12, 1, 9, m, 0, 0, time.UTC) }
	b := func(id string, m int, st training.BookingState) training.Booking {
		return training.Booking{ID: id, Queued: at(m), State: st}
	}
	const (
		booked    = training.BookingBooked
		cancelled = training.BookingCancelled
		attended  = training.BookingAttended
		noShow    = training.BookingNoShow
	)
	tests := []struct {
		name             string
		capacity         int
		in               []training.Booking
		want             string // id:state[:position] in queue order
		booked, waitingN int
	}{
		{"empty", 3, nil, "", 0, 0},
		{"under capacity", 3, []training.Booking{b("a", 1, booked), b("b", 2, booked)}, "a:booked b:booked", 2, 0},
		{"queue order is by time, not by input", 1, []training.Booking{b("late", 5, booked), b("early", 1, booked)},
			"early:booked late:waiting:1", 1, 1},
		{"same time: by ID", 1, []training.Booking{b("b", 1, booked), b("a", 1, booked)}, "a:booked b:waiting:1", 1, 1},
		{"a cancellation promotes the first waiting", 2,
			[]training.Booking{b("a", 1, cancelled), b("b", 2, booked), b("c", 3, booked), b("d", 4, booked)},
			"a:cancelled b:booked c:booked d:waiting:1", 2, 1},
		{"register entries hold places", 2,
			[]training.Booking{b("a", 1, attended), b("b", 2, noShow), b("c", 3, booked), b("d", 4, booked)},
			"a:attended b:no_show c:waiting:1 d:waiting:2", 2, 2},
		{"register entries of late bookings still count first", 1,
			[]training.Booking{b("a", 1, booked), b("b", 2, attended)},
			"a:waiting:1 b:attended", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, booked, waiting := training.Places(tt.capacity, tt.in)
			var got []string
			for _, p := range out {
				s := p.ID + ":" + string(p.State)
				if p.Position > 0 {
					s += fmt.Sprintf(":%d", p.Position)
				}
				got = append(got, s)
			}
			if strings.Join(got, " ") != tt.want || booked != tt.booked || waiting != tt.waitingN {
				t.Errorf("Places = %v (%d booked, %d waiting), want %s (%d, %d)", got, booked, waiting, tt.want, tt.booked, tt.waitingN)
			}
		})
	}
}
