package training

// The Parse functions turn what a person or a program sent into the
// domain's closed types, at the edge: past them a Kind, a Status, a
// FlagKind or a GroupBy is always one of its values. Each takes the name
// of the field it reads, for its error: a *ValidationError with the
// sentence the domain uses for that value everywhere. The values are
// exact: a reader that forgives case or space (a spreadsheet's) folds them
// first.

// ParseKind reads a kind of person.
func ParseKind(field, s string) (Kind, error) {
	return parseClosed(field, s, KindProblem, Kinds...)
}

// StatusProblem is the message for a status that is not one of Statuses.
const StatusProblem = "Choose a status: compliant, expiring, expired, due, overdue or exempt."

// ParseStatus reads a status; empty means none (no filter).
func ParseStatus(field, s string) (Status, error) {
	return parseOptional(field, s, StatusProblem, Statuses...)
}

// FlagKindProblem is the message for a kind of flag that is not one of
// FlagKinds.
const FlagKindProblem = "Choose a kind of flag: new_starter, due_soon, overdue, expired or duplicate_evidence."

// ParseFlagKind reads a kind of flag; empty means none (no filter).
func ParseFlagKind(field, s string) (FlagKind, error) {
	return parseOptional(field, s, FlagKindProblem, FlagKinds...)
}

// GroupByProblem is the message for a grouping a report does not offer.
const GroupByProblem = "Choose how to group the report: department, manager or kind."

// ParseGroupBy reads how to group a report; empty means the default.
func ParseGroupBy(field, s string) (GroupBy, error) {
	return parseOptional(field, s, GroupByProblem, GroupByDepartment, GroupByManager, GroupByKind)
}

// parseOptional is parseClosed where empty means none.
func parseOptional[T ~string](field, s, problem string, values ...T) (T, error) {
	if s == "" {
		return "", nil
	}
	return parseClosed(field, s, problem, values...)
}

// parseClosed returns s as one of values, if it is one.
func parseClosed[T ~string](field, s, problem string, values ...T) (T, error) {
	for _, v := range values {
		if T(s) == v {
			return v, nil
		}
	}
	return "", Invalid(field, "%s", problem)
}

// The sentences for a course's closed values that are not one of them.
const (
	DeliveryProblem     = "Choose how the course is delivered: e-learning, classroom or either."
	ExpiryBasisProblem  = "Choose what a renewal's validity runs from: completion or previous_expiry."
	EvidenceProblem     = "Choose the evidence a completion needs: none or certificate."
	VerificationProblem = "Choose who verifies a completion: none, manager or hr."
)

// ParseDelivery reads how a course is delivered.
func ParseDelivery(field, s string) (Delivery, error) {
	return parseClosed(field, s, DeliveryProblem, DeliveryELearning, DeliveryClassroom, DeliveryEither)
}

// ParseExpiryBasis reads what a renewal's validity runs from.
func ParseExpiryBasis(field, s string) (ExpiryBasis, error) {
	return parseClosed(field, s, ExpiryBasisProblem, ExpiryFromCompletion, ExpiryFromPreviousExpiry)
}

// ParseEvidence reads the evidence a completion needs.
func ParseEvidence(field, s string) (Evidence, error) {
	return parseClosed(field, s, EvidenceProblem, EvidenceNone, EvidenceCertificate)
}

// ParseVerification reads who verifies a completion.
func ParseVerification(field, s string) (Verification, error) {
	return parseClosed(field, s, VerificationProblem, VerificationNone, VerificationManager, VerificationHR)
}
