package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const colSitePages = "site_pages"

// sitePageDoc is the text of one of the pages every footer links to
// (accessibility statement, privacy notice, contact), as HR last wrote it,
// keyed by the page's name so it is read by _id.
type sitePageDoc struct {
	Name      string    `bson:"_id"`
	Text      string    `bson:"text"`
	UpdatedBy string    `bson:"updated_by"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// SitePageText returns the text HR wrote for the page name; ok is false
// while nobody has written one, and the page shows its default text.
func (s *Store) SitePageText(ctx context.Context, name string) (text string, ok bool, err error) {
	var d sitePageDoc
	err = translate("read site page", s.db.Collection(colSitePages).FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&d))
	if isNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return d.Text, true, nil
}

// SaveSitePageText replaces the text of the page name; by is who wrote it.
func (s *Store) SaveSitePageText(ctx context.Context, name, text, by string) error {
	_, err := s.db.Collection(colSitePages).ReplaceOne(ctx, bson.D{{Key: "_id", Value: name}},
		sitePageDoc{Name: name, Text: text, UpdatedBy: by, UpdatedAt: s.now().Truncate(time.Millisecond)}, options.Replace().SetUpsert(true))
	return translate("save site page", err)
}
