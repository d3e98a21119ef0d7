package training

// mayReview is who may verify or reject a completion awaiting
// verification: HR, or someone above the person in the reporting line
// when the course is verified by the line manager; never the person
// themself. Being an auditor grants nothing: auditors read and never
// decide. above says whether the actor is above the person.
func mayReview(actor Actor, personID string, course Course, above bool) bool {
	if actor.PersonID == personID {
		return false
	}
	return actor.HR || (course.Verification == VerificationManager && above)
}

// MayReview reports whether Review would let the actor decide this
// pending item, so that pages offer the verify and reject forms only
// where they would be accepted.
func (s *Service) MayReview(actor Actor, item PendingItem) bool {
	s.roster.mu.RLock()
	above := s.roster.isAbove(actor.PersonID, item.Person.ID)
	s.roster.mu.RUnlock()
	return mayReview(actor, item.Person.ID, item.Course, above)
}
