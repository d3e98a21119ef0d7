package training

// Actor is who is asking: a signed-in person and the roles their account
// holds. Whether they manage someone is worked out from the reporting line,
// never stored.
type Actor struct {
	PersonID string
	HR       bool
	Auditor  bool
	Trainer  bool
	// MemberServices sees every elected Member (kind member) as their
	// line manager would: Members have no line manager of their own.
	MemberServices bool
	system         bool
}

// SystemActorFor returns the actor the scheduled jobs and start-up act as:
// it may do what HR may.
func SystemActorFor() Actor { return Actor{PersonID: SystemActor, HR: true, system: true} }

// ReadsAll reports whether the actor may read every person's records.
func (a Actor) ReadsAll() bool { return a.HR || a.Auditor || a.system }

// PersonForAudit, CompletionForAudit, CourseForAudit and ExemptionForAudit
// are how each appears in the audit log (its "before" and "after").
func PersonForAudit(p Person) any         { return p }
func CompletionForAudit(c Completion) any { return completionForAudit(c) }
func CourseForAudit(c Course) any         { return courseForAudit(c) }
func ExemptionForAudit(e Exemption) any   { return exemptionForAudit(e) }
