package web

import (
	"fmt"
	"net/url"
	"strconv"
)

// pagination is the GOV.UK pagination component for a list shown a page
// at a time by number, with the count above the list ("Showing 1–100 of
// 1,234 people").
type pagination struct {
	// Showing is the count sentence; empty when the list is empty.
	Showing            string
	PrevHref, NextHref string
	Items              []pageLink
}

// pageLink is one numbered link, or an ellipsis between numbers.
type pageLink struct {
	Number   int
	Href     string
	Current  bool
	Ellipsis bool
}

// paginate works out which items of a list of total make page number
// (1-based), and the links to the others. A page number out of range
// (typed in, or the list shrank) shows the nearest page that exists.
// href makes a page's address; noun names the items ("people").
func paginate(total, size, number int, noun string, href func(page int) string) (from, to int, p pagination) {
	pages := max(1, (total+size-1)/size)
	number = min(max(number, 1), pages)
	from, to = (number-1)*size, min(number*size, total)
	if total > 0 {
		p.Showing = fmt.Sprintf("Showing %s–%s of %s %s", thousands(from+1), thousands(to), thousands(total), noun)
	}
	if pages == 1 {
		return from, to, p
	}
	if number > 1 {
		p.PrevHref = href(number - 1)
	}
	if number < pages {
		p.NextHref = href(number + 1)
	}
	// The first, the last, and the current page with its neighbours; gaps
	// become an ellipsis, as the GOV.UK component does.
	last := 0
	for n := 1; n <= pages; n++ {
		if n != 1 && n != pages && (n < number-1 || n > number+1) {
			continue
		}
		if last != 0 && n > last+1 {
			p.Items = append(p.Items, pageLink{Ellipsis: true})
		}
		p.Items = append(p.Items, pageLink{Number: n, Href: href(n), Current: n == number})
		last = n
	}
	return from, to, p
}

// pageNumber reads a ?page= number; anything else is the first page.
func pageNumber(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// thousands writes n with commas between thousands, as GOV.UK writes
// numbers: 1,234.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// listHref is path with the query values that are not empty.
func listHref(path string, values map[string]string) string {
	v := url.Values{}
	for k, x := range values {
		if x != "" {
			v.Set(k, x)
		}
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}
