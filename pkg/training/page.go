package training

import (
	"encoding/base64"
	"slices"
	"strings"
	"unicode/utf8"
)

// Page limits for every list.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 500
)

// PageRequest asks for one page of a list: at most Limit items after
// Cursor (opaque, from the previous page; empty for the first).
type PageRequest struct {
	Limit  int
	Cursor string
}

// Size is the number of items to return: the default for 0, at most the maximum.
func (p PageRequest) Size() int {
	switch {
	case p.Limit <= 0:
		return DefaultPageLimit
	case p.Limit > MaxPageLimit:
		return MaxPageLimit
	default:
		return p.Limit
	}
}

// Page is one page of a list; NextCursor is empty at the end.
type Page[T any] struct {
	Items      []T
	NextCursor string
}

// In-memory lists (people, team, flags) page by the sort key of the last
// item shown, never by position: an item added meanwhile shifts nothing.

// DecodeCursor reads a cursor given out by Paginate.
func DecodeCursor(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	if len(s) > 2048 {
		return "", Invalid("cursor", "The cursor is not one this server gave out: start again from the first page.")
	}
	// Every key Paginate gives out is text (names and IDs), so bytes that
	// are not UTF-8 can only be a cursor someone made up.
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 || !utf8.Valid(b) {
		return "", Invalid("cursor", "The cursor is not one this server gave out: start again from the first page.")
	}
	return string(b), nil
}

// Paginate returns the items after the cursor key, at most size of them.
// items must be sorted so that key is strictly increasing.
func Paginate[T any](items []T, after string, size int, key func(T) string) Page[T] {
	start := 0
	if after != "" {
		start, _ = slices.BinarySearchFunc(items, after, func(it T, k string) int {
			if c := strings.Compare(key(it), k); c != 0 {
				return c
			}
			return 0
		})
		if start < len(items) && key(items[start]) == after {
			start++
		}
	}
	end := min(start+size, len(items))
	out := Page[T]{Items: items[start:end]}
	if end < len(items) && end > start {
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(key(items[end-1])))
	}
	return out
}
