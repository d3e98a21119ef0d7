package training

// ImportCreate is a new person from line Line of an import file.
type ImportCreate struct {
	Line  int
	Input PersonInput
}

// ImportUpdate changes person ID to what line Line of an import file
// says: the whole input, with the columns the file left out filled in
// from the person as they were when the import was planned.
type ImportUpdate struct {
	Line  int
	ID    string
	Input PersonInput
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
	// CreatedIDs are the IDs of the people added, so that whoever imported
	// them can invite them next.
	CreatedIDs []string
	Errors     []LineError
}
