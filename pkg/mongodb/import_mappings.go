package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/importmap"
	"github.com/complytrack/complytrack/pkg/peoplecsv"
)

const colImportMappings = "import_mappings"

// importMappingDoc is a stored import mapping. Its columns are a list of
// pairs, not a document keyed by header: an HR system's header may hold a
// dot or start with a dollar ("Emp. No."), which a field name may not.
type importMappingDoc struct {
	ID         string             `bson:"_id"`
	Name       string             `bson:"name"`
	Columns    []importMappingCol `bson:"columns"`
	DateFormat string             `bson:"date_format"`
	CreatedBy  string             `bson:"created_by"`
	CreatedAt  time.Time          `bson:"created_at"`
}

type importMappingCol struct {
	Header string `bson:"header"`
	Column string `bson:"column"`
}

func (d importMappingDoc) mapping() importmap.Mapping {
	m := importmap.Mapping{ID: d.ID, Name: d.Name, Columns: make(map[string]string, len(d.Columns)),
		DateFormat: peoplecsv.DateFormat(d.DateFormat), CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt.UTC()}
	for _, c := range d.Columns {
		m.Columns[c.Header] = c.Column
	}
	return m
}

// InsertImportMapping stores a new mapping under a new ID, stamped with
// the store's clock, and returns it as stored.
func (s *Store) InsertImportMapping(ctx context.Context, m importmap.Mapping) (importmap.Mapping, error) {
	m.ID, m.CreatedAt = NewID(), s.now().Truncate(time.Millisecond)
	d := importMappingDoc{ID: m.ID, Name: m.Name, DateFormat: string(m.DateFormat), CreatedBy: m.CreatedBy, CreatedAt: m.CreatedAt}
	for _, col := range peoplecsv.Columns { // in a stable order
		for h, c := range m.Columns {
			if c == col {
				d.Columns = append(d.Columns, importMappingCol{Header: h, Column: c})
			}
		}
	}
	if _, err := s.db.Collection(colImportMappings).InsertOne(ctx, d); err != nil {
		return importmap.Mapping{}, translate("insert import mapping", err)
	}
	return m, nil
}

// ImportMappings returns every mapping, oldest first. There are a few per
// HR system an organisation uses, so the collection is read whole.
func (s *Store) ImportMappings(ctx context.Context) ([]importmap.Mapping, error) {
	docs, err := findAll[importMappingDoc](ctx, s.db.Collection(colImportMappings), bson.D{},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, translate("list import mappings", err)
	}
	out := make([]importmap.Mapping, len(docs))
	for i, d := range docs {
		out[i] = d.mapping()
	}
	return out, nil
}

// ImportMapping returns the mapping with this ID, by _id.
func (s *Store) ImportMapping(ctx context.Context, id string) (importmap.Mapping, error) {
	var d importMappingDoc
	err := s.db.Collection(colImportMappings).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if err != nil {
		return importmap.Mapping{}, translate("read import mapping", err)
	}
	return d.mapping(), nil
}
