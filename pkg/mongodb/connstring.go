package mongodb

import "net/url"

// connstringRedact returns uri with any password replaced by "xxxxx".
func connstringRedact(uri string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", err
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.String(), nil
}

// DatabaseName returns the database named in a connection string's path, or
// fallback when it names none.
func DatabaseName(uri, fallback string) string {
	u, err := url.Parse(uri)
	if err != nil || len(u.Path) <= 1 {
		return fallback
	}
	return u.Path[1:]
}
