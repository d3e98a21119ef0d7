package embedded

import (
	"context"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The benchmarks run through the real driver against the embedded engine, on
// small (11-field) documents with string _ids, seeded with InsertMany in
// batches of 1,000. Each size is measured first as FerretDB leaves it
// ("plain"), then after IndexIDs ("IndexIDs"), on the same database.
//
//	go test ./pkg/embedded -run XXX -bench ByID -benchtime 200x
//
// The target: with IndexIDs, an update at 20,000 documents costs at most 3x
// the same update at 100 documents.

var benchSizes = []int{100, 20000}

// BenchmarkUpdateByID: UpdateOne({_id: X}, {$set: {...}}).
func BenchmarkUpdateByID(b *testing.B) {
	benchByID(b, []namedOp{{"", updateOne}})
}

// BenchmarkOpsByID: the other operations by _id the store relies on.
func BenchmarkOpsByID(b *testing.B) {
	benchByID(b, []namedOp{
		{"findOne", findOne},
		{"replaceOne", replaceOne},
		{"findOneAndUpdate", findOneAndUpdate},
	})
}

type byIDOp func(ctx context.Context, coll *mongo.Collection, i, id int) error

type namedOp struct {
	name string
	op   byIDOp
}

func updateOne(ctx context.Context, coll *mongo.Collection, i, id int) error {
	res, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: personID(id)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: "compliant"}, {Key: "version", Value: int64(i)}}}})
	if err == nil && res.MatchedCount != 1 {
		err = fmt.Errorf("matched %d", res.MatchedCount)
	}
	return err
}

func findOne(ctx context.Context, coll *mongo.Collection, _, id int) error {
	var d bson.Raw
	return coll.FindOne(ctx, bson.D{{Key: "_id", Value: personID(id)}}).Decode(&d)
}

func replaceOne(ctx context.Context, coll *mongo.Collection, i, id int) error {
	doc := smallDoc(id)
	doc[len(doc)-1].Value = int64(i)
	res, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: personID(id)}}, doc)
	if err == nil && res.MatchedCount != 1 {
		err = fmt.Errorf("matched %d", res.MatchedCount)
	}
	return err
}

func findOneAndUpdate(ctx context.Context, coll *mongo.Collection, _, id int) error {
	var d bson.Raw
	return coll.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: personID(id)}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "version", Value: int64(1)}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
}

func benchByID(b *testing.B, ops []namedOp) {
	ctx := context.Background()
	e := startEngine(b, b.TempDir())
	client := connect(b, e.URI())

	for _, n := range benchSizes {
		dbName := fmt.Sprintf("bench_%d", n)
		coll := client.Database(dbName).Collection("people")
		seed(b, coll, n)

		run := func(variant string) {
			for _, o := range ops {
				op := o.op
				sub := fmt.Sprintf("docs=%d/%s", n, variant)
				if o.name != "" {
					sub += "/" + o.name
				}
				b.Run(sub, func(b *testing.B) {
					for i := 0; b.Loop(); i++ {
						// spread over the collection, not only its first rows
						if err := op(ctx, coll, i, (i*7919)%n); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}

		run("plain")
		if err := e.IndexIDs(ctx, dbName); err != nil {
			b.Fatal(err)
		}
		run("IndexIDs")
	}
}
