package jobs

import (
	"context"
	"fmt"
	"strings"

	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// PartnerReports counts the month's face-to-face sessions and partner
// organisations' attendance at them (sessions.Service).
type PartnerReports interface {
	PartnerReport(ctx context.Context, actor training.Actor, from, to training.Date) (sessions.PartnerReport, error)
}

// partnerSection is the month's face-to-face sessions for the monthly
// report: how many went ahead, the places offered and filled, and who came
// from each partner organisation, which a community safety partnership
// reads beside the compliance figure. Sessions of every course are
// counted, so each course's report carries the same section. It is ""
// when sessions are not run here (no Partners).
func (d Deps) partnerSection(ctx context.Context, asOf training.Date) (string, error) {
	if d.Partners == nil {
		return "", nil
	}
	from := training.NewDate(asOf.Year(), asOf.Month(), 1)
	rep, err := d.Partners.PartnerReport(ctx, training.SystemActorFor(), from, asOf)
	if err != nil {
		return "", fmt.Errorf("partner report: %w", err)
	}
	return partnerBody(rep), nil
}

func partnerBody(r sessions.PartnerReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Face-to-face sessions from %s to %s (every course; sessions cancelled beforehand are not counted)\n", longDate(r.From), longDate(r.To))
	if r.Sessions == 0 {
		b.WriteString("No face-to-face session was held.\n")
	} else {
		fmt.Fprintf(&b, "Sessions held: %d\nPlaces offered: %d\nPlaces filled: %d\n", r.Sessions, r.PlacesOffered, r.PlacesFilled)
	}
	if len(r.Organisations) == 0 {
		b.WriteString("Nobody from a partner organisation attended or was missed.\n")
	} else {
		b.WriteString("Partner organisations:\n")
		for _, o := range r.Organisations {
			fmt.Fprintf(&b, "- %s: %d attended, %d did not come\n", o.Name, o.Attended, o.NoShow)
		}
	}
	return b.String()
}
