package training

// PendingItem is one completion awaiting verification, with the person and
// course it is about.
type PendingItem struct {
	Completion Completion
	Person     Person
	Course     Course
}
