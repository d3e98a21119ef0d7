package peoplecsv

import (
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

// Each column reads into a field of its own, of a type read and copy
// know, and copies exactly that field.
func TestColumnsFillOneFieldEach(t *testing.T) {
	seen := map[training.PersonInput]string{}
	for _, c := range columns {
		var probe training.PersonInput
		cell := ""
		switch c.field(&probe).(type) {
		case *string:
			cell = "x"
		case *training.Kind:
			cell = "Volunteer"
		case *training.Date:
			cell = "2020-01-06"
		default:
			t.Fatalf("column %s: a field of type %T", c.name, c.field(&probe))
		}
		var in training.PersonInput
		if err := c.read(&in, cell); err != nil {
			t.Fatalf("column %s: %v", c.name, err)
		}
		if in == (training.PersonInput{}) {
			t.Errorf("column %s: reading %q set nothing", c.name, cell)
		}
		if other, ok := seen[in]; ok {
			t.Errorf("columns %s and %s fill the same field", other, c.name)
		}
		seen[in] = c.name

		var out training.PersonInput
		c.copy(&out, &in)
		if out != in {
			t.Errorf("column %s: copied %+v, want %+v", c.name, out, in)
		}
		full := training.PersonInput{Person: training.Person{EmployeeNumber: "E1", Email: "e1@example.org", GivenName: "G", FamilyName: "F",
			Kind: training.KindStaff, JobTitle: "J", Department: "D", StartDate: training.MustDate("2019-01-01"), EndDate: training.MustDate("2030-01-01")},
			ManagerEmployeeNumber: "M"}
		// Copying the field in, then back out, gives the input as it was
		// only if nothing else was touched.
		mixed := full
		c.copy(&mixed, &in)
		if mixed == full {
			t.Errorf("column %s: copying changed nothing", c.name)
		}
		c.copy(&mixed, &full)
		if mixed != full {
			t.Errorf("column %s: copying changed more than its field: %+v", c.name, mixed)
		}
	}
}
