package training

// PreventCourse is the course a fresh install holds: the Home Office
// Prevent awareness e-learning, statutory for staff and elected Members
// under the Prevent duty (Counter-Terrorism and Security Act 2015, s.26),
// in force from 1 July 2015. Existing staff with no record show as overdue
// until their completions are imported; HR can move the date.
func PreventCourse() Course {
	return Course{
		Code:            "PREVENT",
		Title:           "Prevent awareness",
		Provider:        "Home Office",
		URL:             "https://www.gov.uk/guidance/prevent-duty-training",
		Delivery:        DeliveryELearning,
		AppliesTo:       AppliesTo{Kinds: []Kind{KindStaff, KindMember}},
		NewStarterDays:  DefaultNewStarterDays,
		ValidityMonths:  DefaultValidityMonths,
		DueSoonDays:     DefaultDueSoonDays,
		RenewWindowDays: DefaultRenewWindowDays,
		ExpiryBasis:     ExpiryFromPreviousExpiry,
		EffectiveFrom:   NewDate(2015, 7, 1),
		Evidence:        EvidenceCertificate,
		Verification:    VerificationNone,
	}
}

// courseAudit is how a course appears in the audit log.
type courseAudit struct {
	Code            string   `json:"code"`
	Title           string   `json:"title"`
	Provider        string   `json:"provider"`
	URL             string   `json:"url"`
	Delivery        Delivery `json:"delivery"`
	Kinds           []Kind   `json:"applies_to_kinds"`
	Departments     []string `json:"applies_to_departments"`
	JobTitles       []string `json:"applies_to_job_titles"`
	NewStarterDays  int      `json:"new_starter_days"`
	ValidityMonths  int      `json:"validity_months"`
	DueSoonDays     int      `json:"due_soon_days"`
	RenewWindowDays int      `json:"renew_window_days"`
	ExpiryBasis     string   `json:"expiry_basis"`
	EffectiveFrom   Date     `json:"effective_from"`
	Evidence        string   `json:"evidence"`
	Verification    string   `json:"verification"`
	TargetPct       int      `json:"target_pct"`
}

func courseForAudit(c Course) courseAudit {
	return courseAudit{c.Code, c.Title, c.Provider, c.URL, c.Delivery, c.AppliesTo.Kinds, c.AppliesTo.Departments, c.AppliesTo.JobTitles,
		c.NewStarterDays, c.ValidityMonths, c.DueSoonDays, c.RenewWindowDays, string(c.ExpiryBasis), c.EffectiveFrom, string(c.Evidence), string(c.Verification), c.Target()}
}
