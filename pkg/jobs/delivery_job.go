package jobs

import (
	"context"
	"fmt"
)

// deliver sends queued outbox e-mails (see notify.Deliverer: claims are
// keyed inserts, so several processes never send the same attempt).
func (d Deps) deliver(ctx context.Context, run Run) (Summary, error) {
	var sum Summary
	if err := run.Lease.Check(ctx); err != nil {
		return sum, err
	}
	res, err := d.Deliverer.DeliverPending(ctx)
	if err != nil {
		return sum, err
	}
	sum.Add("sent", res.Sent)
	sum.Add("retrying", res.Retrying)
	sum.Add("failed", res.Failed)
	sum.Message = fmt.Sprintf("%d sent, %d to retry, %d failed", res.Sent, res.Retrying, res.Failed)
	return sum, nil
}
