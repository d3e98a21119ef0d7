package training

import "context"

// Touch records that data was written straight through the store,
// bypassing the service (a bulk load of past records such as the demo
// data): it bumps this process's change stamp, so other processes load
// again at their next read, and marks this process's own roster stale,
// because a load only looks at other processes' stamps. Call Refresh
// afterwards to load at once.
func (s *Service) Touch(ctx context.Context) error {
	// Holding loadMu waits for a load in progress (which may have read
	// before the writes), so it cannot mark the roster fresh after this.
	s.roster.loadMu.Lock()
	s.roster.mu.Lock()
	s.roster.loaded = false
	s.roster.mu.Unlock()
	s.roster.loadMu.Unlock()
	s.stampMu.Lock()
	defer s.stampMu.Unlock()
	s.stampSeq++
	return s.store.SetStamp(ctx, s.process, s.stampSeq)
}
