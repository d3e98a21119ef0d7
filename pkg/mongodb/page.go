package mongodb

import (
	"encoding/base64"
	"encoding/json"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/complytrack/complytrack/pkg/training"
)

// PageRequest and Page are the domain's: at most Limit items after an
// opaque Cursor.
type (
	PageRequest = training.PageRequest
	Page[T any] = training.Page[T]
)

// cursor is the position after the last item of a page: its sort key and
// _id. Pages are found by range on (key, _id), never by skipping, so a page
// costs the same wherever it is and no item is shown twice or missed when
// others are added meanwhile.
type cursor struct {
	Key string `json:"k"`
	ID  string `json:"i"`
}

// ParseCursor decodes a cursor string from a request; a malformed one is
// training.ErrInvalid naming the cursor field.
func parseCursor(s string) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	if len(s) > 1024 {
		return nil, training.Invalid("cursor", "The cursor is not one this server gave out: start again from the first page.")
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, training.Invalid("cursor", "The cursor is not one this server gave out: start again from the first page.")
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.ID == "" {
		return nil, training.Invalid("cursor", "The cursor is not one this server gave out: start again from the first page.")
	}
	return &c, nil
}

func (c cursor) String() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// after returns the filter "(key, _id) after c" for ascending order, or
// "before c" when descending.
func (c *cursor) after(key string, descending bool) bson.D {
	if c == nil {
		return nil
	}
	op := "$gt"
	if descending {
		op = "$lt"
	}
	if key == "_id" {
		return bson.D{{Key: "_id", Value: bson.D{{Key: op, Value: c.ID}}}}
	}
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: key, Value: bson.D{{Key: op, Value: c.Key}}}},
		bson.D{{Key: key, Value: c.Key}, {Key: "_id", Value: bson.D{{Key: op, Value: c.ID}}}},
	}}}
}

// and joins filter clauses, skipping empty ones.
func and(clauses ...bson.D) bson.D {
	var parts bson.A
	for _, c := range clauses {
		if len(c) > 0 {
			parts = append(parts, c)
		}
	}
	switch len(parts) {
	case 0:
		return bson.D{}
	case 1:
		return parts[0].(bson.D)
	default:
		return bson.D{{Key: "$and", Value: parts}}
	}
}
