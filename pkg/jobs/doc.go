// Package jobs runs complytrack's scheduled jobs (the compliance scan,
// reminders and digests, the monthly report, e-mail delivery) on a gocron
// scheduler, once per scheduled time across every process that runs them,
// and on demand through the API.
//
// # Jobs
//
// A Job is a name, a cron schedule in the organisation's time zone and a
// plain function: Run(ctx, Run) (Summary, error). Tests call the function
// directly with a Run whose Lease is nil. The Scheduler adds what every job
// needs: the schedule from configuration, no overlapping runs in one process
// (singleton mode: a scheduled time that comes while the job's previous run
// is still going is skipped), a recovered panic reported as the run's error,
// the lease described below, and a graceful Shutdown.
//
// # The lease lock
//
// Each job has a lease in MongoDB, a chain of documents numbered by epoch:
//
//	{_id: "<job>/<epoch>", job, epoch, holder, run_at, acquired_at, expires_at}
//
// The current lease is the one with the highest epoch; it is held while
// expires_at is in the future. To run the job for the scheduled time T a
// process reads the highest epoch N. If that lease is held, another process
// is running the job and this one stands by (below). Otherwise it checks that
// the run for T has not finished already, and inserts epoch N+1. The _id is
// unique, so when several processes insert N+1 at once exactly one succeeds;
// the others get a duplicate key and stand by. The epoch is the fencing
// token: a holder whose lease expired (a long GC pause, a lost network) and
// was taken over sees a higher epoch when it checks (Lease.Check,
// Lease.Fenced) and must stop writing. While the job runs the holder renews
// its lease on a ticker by moving its own document's expires_at; if it finds
// its lease lost, the job's context is cancelled. When the job succeeds the
// holder inserts the run's record,
//
//	{_id: "<job>/run/<T in UTC, RFC 3339>", ...}  (collection job_runs)
//
// and then releases its lease (expires_at = now). A process that finds the
// lease free reads that record first, so a finished run is not repeated. A
// run that failed, or whose process was killed midway, has no record, so the
// next holder runs it again: jobs are written to be idempotent (every effect
// of theirs has a unique key), which makes a repeat harmless.
//
// A scheduled run that finds the lease held stands by: it waits, on the
// scheduler's clock, until the holder's expiry or one renewal interval,
// whichever is sooner, and tries again. It stops when the run is recorded as
// finished (the usual case: the other process ran it) or when it takes the
// lease (the other process failed, released without finishing, or died and
// let the lease expire). So a run whose process is killed is taken over by
// another process within one lease period. An on-demand run (RunNow) does not
// stand by: it answers ErrBusy or ErrAlreadyRan at once.
//
// Why only inserts: the embedded engine (FerretDB on SQLite) has no
// transactions and no atomic read-modify-write. Two concurrent updates of
// one document can both "succeed" and one be lost, and so can conditional
// updates and FindOneAndUpdate claims, so a lock taken by updating a shared
// document would let two processes win. An insert under a unique _id is
// atomic on both engines: exactly one of several concurrent inserters
// succeeds. After its insert, a lease document is written only by its
// holder (renewal, release), one write at a time, so no two writers ever
// race on it. Expiry is a time compared by the readers, not a TTL index
// (which the embedded engine lacks): the holder keeps the last few epochs
// and deletes older ones when it takes the lease, and prunes old run records
// now and then, so both collections stay small.
//
// The fencing is as good as the checks: a holder that checks and then
// writes can still overlap, for the duration of one batch, with a new
// holder that took over in between. Expiry is compared across processes'
// clocks, so clocks must be synchronised (NTP) to well within the lease's
// length. Both are why jobs must be idempotent; the lease makes double runs
// rare and short, it cannot make them impossible without atomic writes.
//
// This package declares the store it needs (LeaseStore), which pkg/mongodb
// implements; it does not import pkg/mongodb.
package jobs
