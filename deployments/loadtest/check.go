package main

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Check is what the check after the run found.
type Check struct {
	People      int // people whose completions were read
	Completions int // completions stored for them
	// AuditEntries counts the log's "completion.record" entries.
	AuditEntries int
	// Missing lists stored completions with no audit entry.
	Missing []string
	// Lost lists completions the run was answered 201 for that are not
	// stored.
	Lost []string
	Took time.Duration
}

// OK reports whether every completion has its audit entry and every
// acknowledged one is stored.
func (c Check) OK() bool { return len(c.Missing) == 0 && len(c.Lost) == 0 && c.Completions > 0 }

// checkAudit reads, through the API as HR, every person's completions and
// then the whole audit log, and matches each completion to the audit
// entry that records it (action "completion.record", entity "completion",
// entity_id the completion's ID). The completions are read first: an
// entry is written with its completion, so one listed has its entry by
// the time the log is read.
func checkAudit(ctx context.Context, c *client, hr *session, workers int, recorded []string) (Check, error) {
	start := time.Now()
	var ch Check
	people, err := listPeople(ctx, c, hr)
	if err != nil {
		return ch, err
	}
	ch.People = len(people)
	var mu sync.Mutex
	stored := map[string]bool{}
	err = parallel(ctx, workers, len(people), func(i int) error {
		var list struct {
			Items []completion `json:"items"`
		}
		if err := c.call(ctx, "list-completions", http.StatusOK, "GET", "/api/v1/people/"+people[i].ID+"/completions", hr, nil, &list); err != nil {
			return err
		}
		mu.Lock()
		for _, it := range list.Items {
			stored[it.ID] = true
		}
		mu.Unlock()
		return nil
	})
	if err != nil {
		return ch, err
	}
	ch.Completions = len(stored)

	audited := map[string]bool{}
	cursor := ""
	for {
		var page struct {
			Items []struct {
				Action   string `json:"action"`
				Entity   string `json:"entity"`
				EntityID string `json:"entity_id"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		path := "/api/v1/audit?limit=500"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		if err := c.call(ctx, "audit", http.StatusOK, "GET", path, hr, nil, &page); err != nil {
			return ch, err
		}
		for _, e := range page.Items {
			if e.Entity == "completion" && e.Action == "completion.record" {
				audited[e.EntityID] = true
			}
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	ch.AuditEntries = len(audited)
	for id := range stored {
		if !audited[id] {
			ch.Missing = append(ch.Missing, id)
		}
	}
	for _, id := range recorded {
		if !stored[id] {
			ch.Lost = append(ch.Lost, id)
		}
	}
	slices.Sort(ch.Missing)
	slices.Sort(ch.Lost)
	ch.Took = time.Since(start)
	return ch, nil
}
