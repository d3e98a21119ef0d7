package readmodel_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/readmodel"
	"github.com/complytrack/complytrack/pkg/training"
)

// benchProcesses returns two processes on one database of n people.
func benchProcesses(b *testing.B, n int) (a, other *process, people []training.Person) {
	db := dbtest.New(b)
	a = newProcess(b, db.Name(), readmodel.Options{})
	people = seedPeople(b, a, n)
	if e := dbtest.Engine(b); e != nil {
		if err := e.IndexIDs(context.Background(), db.Name()); err != nil {
			b.Fatal(err)
		}
	}
	return a, newProcess(b, db.Name(), readmodel.Options{}), people
}

// BenchmarkReadWhenCurrent is what following the log adds to a request
// when nothing has changed: one look-up of the next entry.
func BenchmarkReadWhenCurrent(b *testing.B) {
	a, _, _ := benchProcesses(b, 200)
	ctx := context.Background()
	for b.Loop() {
		if err := a.model.Read(ctx, func(compliance.Org) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCatchUpOneChange is a read in one process right after another
// process changed one person: two entries, the person read again, and the
// look-up that finds no more.
func BenchmarkCatchUpOneChange(b *testing.B) {
	for _, n := range []int{200, 2000} {
		b.Run(fmt.Sprintf("people-%d", n), func(b *testing.B) {
			a, other, people := benchProcesses(b, n)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				b.StopTimer()
				i++
				title := fmt.Sprintf("Officer %d", i)
				if _, err := other.svc.UpdatePerson(ctx, hr, people[i%len(people)].ID, func(in *training.PersonInput) error { in.JobTitle = title; return nil }); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := a.model.Read(ctx, func(compliance.Org) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUpdatePerson compares a person's update through the read model
// (with its two log entries) with the same update straight to the store.
func BenchmarkUpdatePerson(b *testing.B) {
	a, _, people := benchProcesses(b, 200)
	ctx := context.Background()
	for _, via := range []struct {
		name  string
		store interface {
			UpdatePerson(context.Context, training.Person) (training.Person, error)
		}
	}{{"store", a.store}, {"read-model", a.model}} {
		b.Run(via.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				p := people[i%len(people)]
				p.JobTitle = fmt.Sprintf("Officer %d", i)
				if _, err := via.store.UpdatePerson(ctx, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
