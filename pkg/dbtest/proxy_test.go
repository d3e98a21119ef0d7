package dbtest_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/dbtest"
)

// A client through the proxy reads the test's database; Stop cuts it off,
// open connections included; Start on the same address lets the same
// client read again, with nothing done to it.
func TestProxyStopsAndStartsTheDatabase(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	if _, err := db.Collection("things").InsertOne(ctx, bson.D{{Key: "_id", Value: "one"}}); err != nil {
		t.Fatal(err)
	}
	proxy := dbtest.NewProxy(t)
	client, err := mongo.Connect(options.Client().ApplyURI(proxy.URIFor(db.Name())).SetServerSelectionTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Disconnect(ctx) }()
	count := func() (int64, error) {
		return client.Database(db.Name()).Collection("things").CountDocuments(ctx, bson.D{})
	}
	if n, err := count(); err != nil || n != 1 {
		t.Fatalf("through the proxy: %d, %v", n, err)
	}
	addr := proxy.Addr()

	proxy.Stop()
	if n, err := count(); err == nil {
		t.Fatalf("read %d documents with the proxy stopped", n)
	}

	proxy.Start()
	if proxy.Addr() != addr {
		t.Errorf("started again on %s, was %s", proxy.Addr(), addr)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := count()
		if err == nil && n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after Start: %d, %v", n, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
