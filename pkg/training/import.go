package training

// ImportCreate is a new person from line Line of an import file.
type ImportCreate struct {
	Line  int
	Input PersonInput
}

// ImportUpdate changes person ID as line Line of an import file says.
type ImportUpdate struct {
	Line  int
	ID    string
	Patch PersonPatch
}

// LineError is a problem with one line of an import file.
type LineError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created int
	Updated int
	Errors  []LineError
}
