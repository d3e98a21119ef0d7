package compliance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/complytrack/complytrack/pkg/training"
)

// RecordAttendance records that a person attended a face-to-face session
// of a course on day on, as its register says: an accepted completion
// with source trainer, since whoever keeps the register (the session's
// trainer or HR) vouches for it. Nobody records their own attendance.
//
// key names the attendance (the booking): the completion's ID is made
// from it, so a register submitted twice, or retried after a failure,
// finds the completion the first one made instead of adding another.
func (s *Completions) RecordAttendance(ctx context.Context, actor training.Actor, personID, courseCode string, on training.Date, key string) (training.Completion, error) {
	if !actor.HR && !actor.Trainer {
		return training.Completion{}, fmt.Errorf("record attendance: %w", training.ErrForbidden)
	}
	if personID == actor.PersonID {
		return training.Completion{}, fmt.Errorf("record own attendance: %w", training.ErrForbidden)
	}
	if key == "" {
		return training.Completion{}, fmt.Errorf("record attendance: no key: %w", training.ErrInvalid)
	}
	var person training.Person
	var course training.Course
	var pok, cok bool
	if err := s.read(ctx, func(o Org) error {
		person, pok = o.Person(personID)
		course, cok = o.Course(courseCode)
		return nil
	}); err != nil {
		return training.Completion{}, err
	}
	switch {
	case !pok:
		return training.Completion{}, fmt.Errorf("person %s: %w", personID, training.ErrNotFound)
	case !cok:
		return training.Completion{}, training.Invalid("course_code", "There is no course with code %s.", courseCode)
	}
	if err := training.CheckCompletedOn(on, s.Today()); err != nil {
		return training.Completion{}, err
	}
	c := training.Completion{
		ID: attendanceID(key), PersonID: person.ID, CourseCode: course.Code, CompletedOn: on, Source: training.SourceTrainer,
		RecordedBy: actor.PersonID, RecordedAt: s.now().UTC(),
	}
	stored, err := s.store.InsertCompletion(ctx, c)
	if errors.Is(err, training.ErrConflict) {
		// Recorded already, by an earlier submission of the register.
		prev, perr := s.store.Completion(ctx, c.ID)
		if perr != nil {
			return training.Completion{}, perr
		}
		if prev.PersonID != c.PersonID || prev.CourseCode != c.CourseCode {
			return training.Completion{}, fmt.Errorf("attendance %s recorded for someone else: %w", key, training.ErrConflict)
		}
		return prev, nil
	}
	return stored, err
}

// attendanceID is the completion ID for the attendance key: ObjectID-shaped
// like every other, and the same for the same key.
func attendanceID(key string) string {
	sum := sha256.Sum256([]byte("attendance\x00" + key))
	return hex.EncodeToString(sum[:12])
}

// Attendance says whether a trainer runs a session of a course that a
// person is booked on (sessions.Service).
type Attendance interface {
	Teaches(ctx context.Context, trainerID, personID, courseCode string) (bool, error)
}

// UseAttendance makes RecordCompletion accept a trainer's record only for
// people booked on a session of the course that the trainer runs. The
// sessions service is built on this one, so it is set after both exist,
// before the first request.
func (s *core) UseAttendance(a Attendance) { s.attendance = a }

// checkTaught adds a problem when a trainer records a classroom course for
// someone not booked on a session of it that they run. relevant is false
// when the course or person is already refused for another reason. The
// message names the course only: a trainer may not read the person's
// records.
func (s *Completions) checkTaught(ctx context.Context, v *training.ValidationError, actor training.Actor, personID string, source training.Source,
	course training.Course, relevant bool) error {
	if s.attendance == nil || source != training.SourceTrainer || !relevant || course.Delivery == training.DeliveryELearning {
		return nil
	}
	ok, err := s.attendance.Teaches(ctx, actor.PersonID, personID, course.Code)
	if err != nil {
		return err
	}
	if !ok {
		v.Add("course_code", "You can record course %s only for people booked on a session of it that you run.", course.Code)
	}
	return nil
}
