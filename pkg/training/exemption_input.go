package training

type exemptionAudit struct {
	ID         string `json:"id"`
	PersonID   string `json:"person_id"`
	CourseCode string `json:"course_code"`
	Reason     string `json:"reason"`
	Until      Date   `json:"until"`
	Removed    bool   `json:"removed"`
}

func exemptionForAudit(e Exemption) exemptionAudit {
	return exemptionAudit{e.ID, e.PersonID, e.CourseCode, e.Reason, e.Until, e.Removal != nil}
}

// ExemptionInput is an exemption as HR enters it.
type ExemptionInput struct {
	Problems   []FieldError // found while reading the request
	CourseCode string
	Reason     string
	Until      Date // zero: no end date
}

// FlagFilter narrows ListFlags; empty fields do not filter.
type FlagFilter struct {
	Kind       FlagKind
	CourseCode string
	// Department is the flagged person's department, ignoring case.
	Department string
	State      FlagState
}
