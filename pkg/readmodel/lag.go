package readmodel

import "context"

// Lag returns how many change-log entries this process has not applied
// yet, for the metrics: other processes' writes, and for a moment its own
// (in memory already, passed over when applied). It reads the head
// hint and looks up the entries after the newest this process knows of, by
// _id: in a process that keeps up, two or three look-ups.
func (m *Model) Lag(ctx context.Context) (int64, error) {
	head, err := m.head(ctx)
	if err != nil {
		return 0, err
	}
	return max(head-m.Applied(), 0), nil
}
