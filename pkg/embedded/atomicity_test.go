package embedded

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// These tests record what FerretDB v1.24.2 guarantees under concurrency, which
// differs from MongoDB; the store's design depends on the answers.

// TestConcurrentIncOnOneDocument: 8 clients × 100 {$inc: {n: 1}, $push: ...}
// on one _id. MongoDB applies each update atomically (800). FerretDB reads
// the document, applies the operators in Go and writes the whole document
// back in a separate statement, with nothing held in between, so concurrent
// updates of one document overwrite each other; the default case only
// reports the count. FerretDB serves the commands of one connection one after
// another, so a driver client limited to one connection (MaxPoolSize 1) gets
// every update applied: that case is asserted.
func TestConcurrentIncOnOneDocument(t *testing.T) {
	for _, tc := range []struct {
		name     string
		poolSize uint64 // 0: the driver's default (100)
		indexed  bool
	}{
		{"pool=default/indexed=false", 0, false},
		{"pool=default/indexed=true", 0, true},
		{"pool=1/indexed=true", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			e := startEngine(t, t.TempDir())
			coll := connectPool(t, e.URI(), tc.poolSize).Database("atomic").Collection("counters")
			if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "c"}, {Key: "n", Value: int64(0)}, {Key: "log", Value: bson.A{}}}); err != nil {
				t.Fatal(err)
			}
			if tc.indexed {
				if err := e.IndexIDs(ctx, "atomic"); err != nil {
					t.Fatal(err)
				}
			}

			const workers, each = 8, 100
			var modified atomic.Int64
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					for i := range each {
						res, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "c"}}, bson.D{
							{Key: "$inc", Value: bson.D{{Key: "n", Value: int64(1)}}},
							{Key: "$push", Value: bson.D{{Key: "log", Value: fmt.Sprintf("%d-%d", w, i)}}},
						})
						if err != nil {
							t.Errorf("update: %v", err)
							return
						}
						modified.Add(res.ModifiedCount)
					}
				})
			}
			wg.Wait()

			var got struct {
				N   int64    `bson:"n"`
				Log []string `bson:"log"`
			}
			if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "c"}}).Decode(&got); err != nil {
				t.Fatal(err)
			}
			t.Logf("8×100 concurrent $inc+$push on one _id: n = %d, len(log) = %d, driver reported %d modified; want 800",
				got.N, len(got.Log), modified.Load())
			if got.N > workers*each || int64(len(got.Log)) != got.N {
				t.Errorf("n = %d, len(log) = %d: impossible result", got.N, len(got.Log))
			}
			if tc.poolSize == 1 && got.N != workers*each {
				t.Errorf("with one connection n = %d, want %d", got.N, workers*each)
			}
		})
	}
}

// TestConcurrentDuplicateInsert: for one _id, 8 concurrent inserts; exactly one
// must succeed and every other must fail with a duplicate key error (11000).
// Repeated, because a race shows itself only now and then.
func TestConcurrentDuplicateInsert(t *testing.T) {
	ctx := context.Background()
	e := startEngine(t, t.TempDir())
	coll := connect(t, e.URI()).Database("dup").Collection("keys")
	// unique secondary index, as an idempotency key would have
	if _, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys: bson.D{{Key: "key", Value: 1}}, Options: options.Index().SetUnique(true),
	}); err != nil {
		t.Fatal(err)
	}

	const rounds, workers = 50, 8
	for r := range rounds {
		var ok, dup atomic.Int64
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				var doc bson.D
				if r%2 == 0 { // same _id
					doc = bson.D{{Key: "_id", Value: fmt.Sprintf("id-%d", r)}, {Key: "key", Value: fmt.Sprintf("k-%d-%d", r, w)}}
				} else { // same unique key, distinct _id
					doc = bson.D{{Key: "_id", Value: fmt.Sprintf("id-%d-%d", r, w)}, {Key: "key", Value: fmt.Sprintf("k-%d", r)}}
				}
				_, err := coll.InsertOne(ctx, doc)
				switch {
				case err == nil:
					ok.Add(1)
				case mongo.IsDuplicateKeyError(err) && hasCode(err, 11000):
					dup.Add(1)
				default:
					t.Errorf("round %d: insert failed with something other than a duplicate key error: %v", r, err)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 1 || dup.Load() != workers-1 {
			t.Errorf("round %d: %d inserts succeeded and %d got 11000, want 1 and %d", r, ok.Load(), dup.Load(), workers-1)
		}
	}
}

// TestConcurrentUpsert: 8 concurrent upserts of one missing _id. MongoDB
// (4.2+) retries an upsert that hits a duplicate key on _id, so all succeed
// and the count ends at 8; the test reports what FerretDB does.
func TestConcurrentUpsert(t *testing.T) {
	ctx := context.Background()
	e := startEngine(t, t.TempDir())
	coll := connect(t, e.URI()).Database("upsert").Collection("counters")

	const rounds, workers = 20, 8
	var dupErrs, otherErrs, lost int
	for r := range rounds {
		var dup, other atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("u-%d", r)}},
					bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: int64(1)}}}}, options.UpdateOne().SetUpsert(true))
				switch {
				case err == nil:
				case mongo.IsDuplicateKeyError(err):
					dup.Add(1)
				default:
					other.Add(1)
					t.Logf("round %d: upsert error: %v", r, err)
				}
			})
		}
		wg.Wait()
		var got struct {
			N int64 `bson:"n"`
		}
		if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("u-%d", r)}}).Decode(&got); err != nil {
			t.Fatal(err)
		}
		dupErrs += int(dup.Load())
		otherErrs += int(other.Load())
		lost += workers - int(dup.Load()) - int(other.Load()) - int(got.N)
	}
	t.Logf("%d rounds of %d concurrent upserts: %d duplicate key errors, %d other errors, %d successful upserts lost",
		rounds, workers, dupErrs, otherErrs, lost)
	if otherErrs > 0 {
		t.Errorf("%d upserts failed with something other than a duplicate key error", otherErrs)
	}
}

// TestUpdateIntoUniqueConflict: an update that would make two documents share
// a unique key. MongoDB refuses it with 11000; the test records FerretDB's
// answer, which the store's error translation must expect.
func TestUpdateIntoUniqueConflict(t *testing.T) {
	ctx := context.Background()
	e := startEngine(t, t.TempDir())
	coll := connect(t, e.URI()).Database("uniq").Collection("people")
	if _, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys: bson.D{{Key: "email_lower", Value: 1}}, Options: options.Index().SetUnique(true),
	}); err != nil {
		t.Fatal(err)
	}
	seed(t, coll, 2)
	_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: personID(1)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "email_lower", Value: "alex.smith0@example.org"}}}})
	t.Logf("update into a unique conflict: IsDuplicateKeyError=%v, err=%v", mongo.IsDuplicateKeyError(err), err)
	if err == nil {
		t.Fatal("update into a unique conflict succeeded")
	}
	var d struct {
		Email string `bson:"email_lower"`
	}
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: personID(1)}}).Decode(&d); err != nil || d.Email != "alex.smith1@example.org" {
		t.Errorf("after the refused update: %q, %v", d.Email, err)
	}
}

// TestConditionalUpdateRace: the optimistic-concurrency pattern, 8 clients ×
// 100 increments each done as "read version v, UpdateOne({_id, version: v},
// {$set: {version: v+1}}), retry when nothing matched". On MongoDB the filter
// and the write are one atomic step, so every increment lands exactly once.
// FerretDB evaluates the filter on a copy read before it writes, and its
// UPDATE's WHERE clause has only the _id, so two clients can both match the
// same version. The test reports how many increments were lost.
func TestConditionalUpdateRace(t *testing.T) {
	ctx := context.Background()
	e := startEngine(t, t.TempDir())
	coll := connect(t, e.URI()).Database("cas").Collection("docs")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "d"}, {Key: "version", Value: int64(0)}}); err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 100
	var wins, retries atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				for {
					var d struct {
						Version int64 `bson:"version"`
					}
					if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "d"}}).Decode(&d); err != nil {
						t.Error(err)
						return
					}
					res, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "d"}, {Key: "version", Value: d.Version}},
						bson.D{{Key: "$set", Value: bson.D{{Key: "version", Value: d.Version + 1}}}})
					if err != nil {
						t.Error(err)
						return
					}
					if res.ModifiedCount == 1 {
						wins.Add(1)
						break
					}
					retries.Add(1)
				}
			}
		})
	}
	wg.Wait()
	var d struct {
		Version int64 `bson:"version"`
	}
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "d"}}).Decode(&d); err != nil {
		t.Fatal(err)
	}
	t.Logf("compare-and-set by version: %d clients believe they won %d times (retried %d times); final version %d, want %d",
		workers, wins.Load(), retries.Load(), d.Version, workers*each)
}

// TestConcurrentClaim: the "claim a job" pattern, 8 clients race
// FindOneAndUpdate({_id: X, owner: null}, {$set: {owner: me}}) on each of 50
// documents. On MongoDB exactly one client gets each document.
func TestConcurrentClaim(t *testing.T) {
	for _, poolSize := range []uint64{0, 1} {
		t.Run(fmt.Sprintf("pool=%d", poolSize), func(t *testing.T) { testConcurrentClaim(t, poolSize) })
	}
}

func testConcurrentClaim(t *testing.T, poolSize uint64) {
	ctx := context.Background()
	e := startEngine(t, t.TempDir())
	coll := connectPool(t, e.URI(), poolSize).Database("claim").Collection("jobs")
	const jobs, workers = 50, 8
	docs := make([]any, jobs)
	for i := range docs {
		docs[i] = bson.D{{Key: "_id", Value: fmt.Sprintf("job-%d", i)}, {Key: "owner", Value: nil}}
	}
	if _, err := coll.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	var doubleClaims int
	for i := range jobs {
		var winners atomic.Int64
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				err := coll.FindOneAndUpdate(ctx,
					bson.D{{Key: "_id", Value: fmt.Sprintf("job-%d", i)}, {Key: "owner", Value: nil}},
					bson.D{{Key: "$set", Value: bson.D{{Key: "owner", Value: w}}}}).Err()
				switch {
				case err == nil:
					winners.Add(1)
				case errors.Is(err, mongo.ErrNoDocuments):
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if winners.Load() != 1 {
			doubleClaims++
		}
	}
	t.Logf("FindOneAndUpdate claim: %d of %d jobs were claimed by more than one client (MongoDB: 0)", doubleClaims, jobs)
	if poolSize == 1 && doubleClaims > 0 {
		t.Errorf("with one connection %d jobs were claimed twice", doubleClaims)
	}
}

// TestConcurrentDeleteOnce: 8 clients delete the same document; the SQL
// DELETE is a single statement, so exactly one should see DeletedCount 1.
func TestConcurrentDeleteOnce(t *testing.T) {
	ctx := context.Background()
	e := startEngine(t, t.TempDir())
	coll := connect(t, e.URI()).Database("del").Collection("tokens")
	const rounds, workers = 50, 8
	var bad int
	for r := range rounds {
		if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("t-%d", r)}}); err != nil {
			t.Fatal(err)
		}
		var deleted atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				res, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("t-%d", r)}})
				if err != nil {
					t.Error(err)
					return
				}
				deleted.Add(res.DeletedCount)
			})
		}
		wg.Wait()
		if deleted.Load() != 1 {
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d rounds: the deletes did not report exactly one deletion", bad, rounds)
	}
}

// connectPool is connect with a connection pool of the given size (0: the
// driver's default).
func connectPool(t *testing.T, uri string, size uint64) *mongo.Client {
	t.Helper()
	if size == 0 {
		return connect(t, uri)
	}
	c, err := mongo.Connect(options.Client().ApplyURI(uri).SetMaxPoolSize(size))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

func hasCode(err error, code int) bool {
	var we mongo.WriteException
	if errors.As(err, &we) {
		for _, e := range we.WriteErrors {
			if e.Code == code {
				return true
			}
		}
	}
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorCode(code)
}
