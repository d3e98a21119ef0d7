package training

// MayReview is who may verify or reject a completion awaiting
// verification: HR, or someone above the person in the reporting line
// when the course is verified by the line manager; never the person
// themself. Being an auditor grants nothing: auditors read and never
// decide. above says whether the actor is above the person, or looks
// after them as a line manager does (Member Services for a Member).
func MayReview(actor Actor, personID string, course Course, above bool) bool {
	if actor.PersonID == personID {
		return false
	}
	return actor.HR || (course.Verification == VerificationManager && above)
}
