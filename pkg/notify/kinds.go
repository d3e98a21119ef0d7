package notify

// Kinds lists every Kind of message the system writes, in the order the
// constants are declared, for whatever must know them all (the outbox's
// filter and labels, the API's description, their tests). kinds_test.go
// fails when a Kind constant is missing here.
func Kinds() []Kind {
	return []Kind{
		KindInvitation, KindReminder, KindEscalation, KindManagerDigest, KindMonthlyReport, KindDuplicateFiles,
		KindSessionBooking, KindSessionChange, KindSessionCancelled, KindSessionReminder, KindSessionNoShow,
		KindManualReminder, KindPasswordReset,
	}
}
