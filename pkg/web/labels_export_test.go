package web

// The label helpers, for the table tests in the web_test package.
var (
	AuditActionLabel  = auditActionLabel
	AuditActionLabels = auditActionLabels
	ChangedFields     = changedFields
)
