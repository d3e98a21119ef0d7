package peoplecsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/complytrack/complytrack/pkg/training"
)

// DateFormat is how a file writes its dates.
type DateFormat string

// The date formats a file may use. Month-first dates (04/03/2026 for 3
// April, as in the United States) are not read: a UK HR system never
// writes them, and taking one for the other would move dates silently.
const (
	DateISO DateFormat = "YYYY-MM-DD"
	DateUK  DateFormat = "DD/MM/YYYY"
)

// DateFormats lists every DateFormat.
var DateFormats = []DateFormat{DateISO, DateUK}

// Valid reports whether f is one of DateFormats.
func (f DateFormat) Valid() bool { return slices.Contains(DateFormats, f) }

// format is how the cells of a file are read.
type format struct {
	dates DateFormat
	// kindSynonyms: the kind column holds an HR system's words for it
	// ("Employee", "Councillor"), read as our kinds.
	kindSynonyms bool
}

// ownFormat is the file in our own columns.
var ownFormat = format{dates: DateISO}

// Mapping says how to read an HR system's export: which of its columns
// holds which of ours, and how its dates are written.
type Mapping struct {
	// Columns maps a header of the file, matched ignoring case, spaces and
	// punctuation, to a column name (see Columns). Headers it leaves out
	// are not imported.
	Columns    map[string]string
	DateFormat DateFormat
}

// Limits of a mapping: the longest header it may name, and how many.
const (
	MaxHeaderChars    = 200
	MaxMappingHeaders = 50
)

// Validate lists what is wrong with m, on the fields "columns" and
// "date_format"; nil when it can be used.
func (m Mapping) Validate() []training.FieldError {
	var errs []training.FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, training.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	headers := make([]string, 0, len(m.Columns))
	for h := range m.Columns {
		headers = append(headers, h)
	}
	slices.Sort(headers)
	if len(headers) == 0 {
		add("columns", "Choose which column of the file holds each field.")
	}
	if len(headers) > MaxMappingHeaders {
		// Each field is read from one header at most, so this many cannot
		// be right, and a message for each would be a wall of text.
		add("columns", "A mapping can name at most %d columns of the file: name only the columns to import.", MaxMappingHeaders)
		headers = nil
	}
	byKey := map[string]string{}    // normalised header -> header
	mappedBy := map[string]string{} // column -> header
	for _, h := range headers {
		col := m.Columns[h]
		key := NormaliseHeader(h)
		switch {
		case key == "":
			add("columns", "A column name must have a letter or a digit in it: %q has none.", shorten(h, 40))
			continue
		case utf8.RuneCountInString(h) > MaxHeaderChars:
			add("columns", "A column name must be %d characters or fewer: %q is longer.", MaxHeaderChars, shorten(h, 40))
			continue
		case !isColumn(col):
			add("columns", "The column %q is matched to %q, which is not a field complytrack imports. Choose one of: %s.", shorten(h, 40), shorten(col, 40), strings.Join(Columns, ", "))
			continue
		}
		if other, dup := byKey[key]; dup {
			add("columns", "The columns %q and %q are the same column written two ways: name it once.", other, shorten(h, 40))
			continue
		}
		byKey[key] = h
		if other, dup := mappedBy[col]; dup {
			add("columns", "The columns %q and %q are both matched to %s: choose one column for each field.", other, shorten(h, 40), Label(col))
			continue
		}
		mappedBy[col] = h
	}
	var missing []string
	for _, c := range columns {
		if _, ok := mappedBy[c.name]; !ok && !c.optional {
			missing = append(missing, Label(c.name))
		}
	}
	if len(headers) > 0 && len(missing) > 0 {
		add("columns", "Choose a column of the file for each required field: %s.", joinAnd(missing))
	}
	if !m.DateFormat.Valid() {
		add("date_format", "Choose how the file writes dates: %s or %s.", DateISO, DateUK)
	}
	return errs
}

// Label names a column as the pages and messages do: "first name" for
// given_name.
func Label(col string) string { return training.Label(col) }

// parseHeader maps each column position of the file to the column it is
// read as ("" for a column the mapping leaves out), and lists the optional
// columns nothing is read as.
func (m Mapping) parseHeader(header []string) (cols []string, omitted []string, err error) {
	if !utf8.ValidString(strings.Join(header, "")) {
		return nil, nil, training.Invalid("file", "The file is not UTF-8 text. Save it from the spreadsheet as \"CSV UTF-8\".")
	}
	byKey := make(map[string]string, len(m.Columns))
	for h, col := range m.Columns {
		byKey[NormaliseHeader(h)] = col
	}
	seen := make(map[string]string, len(header)) // column -> the file's header read as it
	for _, name := range header {
		col := byKey[NormaliseHeader(name)]
		if col != "" {
			if other, dup := seen[col]; dup {
				return nil, nil, training.Invalid("file", "The file's header has two columns read as the %s: %q and %q. Remove one from the file.",
					Label(col), shorten(other, 40), shorten(strings.TrimSpace(name), 40))
			}
			seen[col] = strings.TrimSpace(name)
		}
		cols = append(cols, col)
	}
	var missing []string
	for _, c := range columns {
		switch _, ok := seen[c.name]; {
		case ok:
		case c.optional:
			omitted = append(omitted, c.name)
		default:
			missing = append(missing, fmt.Sprintf("%q (%s)", shorten(m.headerFor(c.name), 40), Label(c.name)))
		}
	}
	if len(missing) > 0 {
		return nil, nil, training.Invalid("file", "The file's header does not have these columns the mapping reads: %s.", joinAnd(missing))
	}
	return cols, omitted, nil
}

// headerFor is the header m reads as col.
func (m Mapping) headerFor(col string) string {
	for h, c := range m.Columns {
		if c == col {
			return h
		}
	}
	return col
}

// HeaderFor is the header of the file that m reads as col, or col itself
// when m does not read it, so that a message about a column can name the
// column the way the file does.
func (m Mapping) HeaderFor(col string) string { return m.headerFor(col) }

// NormaliseHeader is the key headers are matched on: letters and digits
// only, in lower case, so "Work E-mail", "work_email" and "WORK EMAIL "
// match.
func NormaliseHeader(h string) string {
	var b strings.Builder
	for _, r := range h {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// synonyms are the headers HR systems (iTrent, ResourceLink, ESR,
// BambooHR and spreadsheets kept by hand) use for each column, normalised.
// "Title" is left out on purpose: it is Mr or Ms as often as a job title.
var synonyms = map[string][]string{
	ColEmployeeNumber: {"employeenumber", "employeeno", "employeenum", "empno", "employeeid", "empid", "employee", "eeid",
		"staffnumber", "staffno", "staffid", "payrollnumber", "payrollno", "payrollid", "personnumber", "personid",
		"assignmentnumber", "employeecode", "employeereference", "employeeref"},
	ColEmail: {"email", "emailaddress", "workemail", "workemailaddress", "businessemail", "officeemail", "emailwork",
		"primaryemail", "companyemail"},
	"given_name":  {"givenname", "forename", "forenames", "firstname", "first", "firstnames"},
	"family_name": {"familyname", "surname", "lastname", "last"},
	"kind": {"kind", "persontype", "employeetype", "employmenttype", "workertype", "stafftype", "assignmentcategory",
		"employmentstatus", "contracttype"},
	"job_title": {"jobtitle", "position", "positiontitle", "positionname", "role", "jobrole", "post", "posttitle", "job",
		"jobname", "occupation"},
	"department": {"department", "dept", "departmentname", "costcentre", "costcenter", "costcentrename", "division",
		"directorate", "service", "team", "organisation", "organization", "orgunit", "unit", "section", "businessunit"},
	ColManagerEmployeeNumber: {"manageremployeenumber", "reportsto", "reportingto", "managernumber", "managerno", "managerid",
		"linemanagernumber", "linemanagerno", "linemanagerid", "linemanageremployeenumber", "supervisoremployeenumber",
		"supervisornumber", "supervisorid", "reportstoemployeenumber"},
	"start_date": {"startdate", "hiredate", "dateofhire", "datejoined", "joindate", "joiningdate", "dateofjoining",
		"employmentstartdate", "commencementdate", "assignmentstartdate", "servicestartdate", "originalhiredate", "started"},
	"end_date": {"enddate", "leavingdate", "leavedate", "dateleft", "dateofleaving", "terminationdate", "leaverdate",
		"employmentenddate", "assignmentenddate", "finishdate", "lastworkingday", "lastdayofservice", "left"},
}

// columnOfHeader is synonyms the other way round.
var columnOfHeader = func() map[string]string {
	out := map[string]string{}
	for col, keys := range synonyms {
		if !isColumn(col) {
			panic("peoplecsv: synonyms for an unknown column " + col)
		}
		for _, k := range append(keys, NormaliseHeader(col)) {
			if other, dup := out[k]; dup && other != col {
				panic(fmt.Sprintf("peoplecsv: the header %q is a synonym of both %s and %s", k, other, col))
			}
			out[k] = col
		}
	}
	return out
}()

// kindWords are an HR system's words for our kinds of person, normalised.
var kindWords = map[string]training.Kind{
	"employee": training.KindStaff, "permanent": training.KindStaff, "fixedterm": training.KindStaff,
	"temporary": training.KindStaff, "casual": training.KindStaff, "fulltime": training.KindStaff,
	"parttime": training.KindStaff, "bank": training.KindStaff,
	"councillor": training.KindMember, "electedmember": training.KindMember, "cllr": training.KindMember,
	"agency": training.KindContractor, "agencyworker": training.KindContractor, "consultant": training.KindContractor,
	"interim": training.KindContractor, "contract": training.KindContractor,
	"volunteers": training.KindVolunteer,
}

// kindSynonym is cell as one of our kinds when it is an HR system's word
// for one, else cell unchanged.
func kindSynonym(cell string) string {
	if k, ok := kindWords[NormaliseHeader(cell)]; ok {
		return string(k)
	}
	return cell
}

var (
	isoDate = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})-([0-9]{2})$`)
	ukDate  = regexp.MustCompile(`^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$`)
)

// parseUKDate reads a date written day first, 23/11/2026 (or 3/4/2026);
// a date written 2026-11-23 cannot be misread, so it is taken too.
func parseUKDate(col, s string) (training.Date, error) {
	if isoDate.MatchString(s) {
		if d, err := training.ParseDate(s); err == nil {
			return d, nil
		}
	}
	m := ukDate.FindStringSubmatch(s)
	if m != nil {
		day, _ := strconv.Atoi(m[1])
		month, _ := strconv.Atoi(m[2])
		year, _ := strconv.Atoi(m[3])
		t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
		if t.Day() == day && int(t.Month()) == month && t.Year() == year {
			if year < 1900 || year > 2999 {
				return training.Date{}, fmt.Errorf("%s", training.Sentence(fmt.Sprintf("The %s must be between the years 1900 and 2999", Label(col))))
			}
			return training.DateOf(t), nil
		}
	}
	return training.Date{}, fmt.Errorf("%s", training.Sentence(fmt.Sprintf("Enter the %s as a real date in the form DD/MM/YYYY, like 23/11/2026", Label(col))))
}

// DetectDateFormat says how the date cells of a file are written: DateISO
// when every one is 2026-11-23; DateUK when they are all written with
// slashes and at least one has a day over 12 first (23/11/2026), so that
// the day must come first; "" (not known) when there is no date, the
// formats are mixed, or every slashed date could be read either way
// (03/04/2026): then the person importing is asked, never guessed for.
// Empty cells, and cells that are no date at all, are passed over.
func DetectDateFormat(cells []string) DateFormat {
	var iso, slashed int
	dayFirst, monthFirst := false, false
	for _, c := range cells {
		c = strings.TrimSpace(c)
		if isoDate.MatchString(c) {
			iso++
			continue
		}
		m := ukDate.FindStringSubmatch(c)
		if m == nil {
			continue
		}
		slashed++
		first, _ := strconv.Atoi(m[1])
		second, _ := strconv.Atoi(m[2])
		if first > 12 {
			dayFirst = true
		}
		if second > 12 {
			monthFirst = true
		}
	}
	switch {
	case iso > 0 && slashed == 0:
		return DateISO
	case slashed > 0 && iso == 0 && dayFirst && !monthFirst:
		return DateUK
	default:
		return ""
	}
}

// Suggestion is a proposed mapping for a file.
type Suggestion struct {
	// Headers are the file's headers, in order, trimmed.
	Headers []string
	// Examples are, for each header, the first cell under it that is not
	// empty ("" when there is none), to show what the column holds.
	Examples []string
	// Columns maps each header recognised to its column.
	Columns map[string]string
	// DateFormat is how the dates are written; "" when that cannot be
	// told from the file (see DetectDateFormat).
	DateFormat DateFormat
	// Unmatched are the headers not recognised, in order. Never nil.
	Unmatched []string
}

// Mapping is the suggestion as a mapping, with date format df when the
// suggestion has none.
func (s Suggestion) Mapping(df DateFormat) Mapping {
	if s.DateFormat != "" {
		df = s.DateFormat
	}
	return Mapping{Columns: s.Columns, DateFormat: df}
}

// Limits of Suggest: it reads the start of a file only.
const (
	SuggestBytes = 1 << 20
	SuggestRows  = 500
)

// Suggest proposes a mapping for the CSV file r (or its first lines): each
// header is matched to a column on common synonyms, ignoring case, spaces
// and punctuation, the first header for a column winning; the date format
// is worked out from the cells of the date columns (DetectDateFormat). A
// header that is already our column name matches it, so a file in our own
// format is suggested as it is. It reads at most SuggestBytes and
// SuggestRows rows; a line cut off at the end is left out. The error wraps
// training.ErrInvalid (field "file") when there is no usable header.
func Suggest(r io.Reader) (Suggestion, error) {
	br := bufio.NewReader(io.LimitReader(r, SuggestBytes))
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\ufeff")) {
		_, _ = br.Discard(3)
	}
	if start, _ := br.Peek(512); !looksLikeText(start) {
		return Suggestion{}, training.Invalid("file", "The file must be a CSV file. Save the spreadsheet as \"CSV UTF-8\" and choose that file.")
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF || err == nil && allBlank(header) {
		return Suggestion{}, training.Invalid("file", "The file is empty. Its first line must be a header naming the columns.")
	}
	if err != nil {
		return Suggestion{}, training.Invalid("file", "The file's header row is not valid CSV. Save the spreadsheet as \"CSV UTF-8\" and choose that file again.")
	}
	if !utf8.ValidString(strings.Join(header, "")) {
		return Suggestion{}, training.Invalid("file", "The file is not UTF-8 text. Save it from the spreadsheet as \"CSV UTF-8\".")
	}
	s := Suggestion{Columns: map[string]string{}, Unmatched: []string{}, Examples: make([]string, len(header))}
	taken := map[string]bool{}
	dateAt := map[int]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		s.Headers = append(s.Headers, h)
		col, ok := columnOfHeader[NormaliseHeader(h)]
		_, repeated := s.Columns[h]
		if !ok || taken[col] || repeated || h == "" {
			s.Unmatched = append(s.Unmatched, h)
			continue
		}
		taken[col] = true
		s.Columns[h] = col
		if _, isDate := columnNamed[col].field(&training.PersonInput{}).(*training.Date); isDate {
			dateAt[i] = true
		}
	}
	var dates []string
	for range SuggestRows {
		rec, err := cr.Read()
		if err != nil {
			break // the end, or a line cut off where the sample ends
		}
		for i, cell := range rec {
			if dateAt[i] {
				dates = append(dates, cell)
			}
			if i < len(s.Examples) && s.Examples[i] == "" && utf8.ValidString(cell) {
				s.Examples[i] = shorten(training.TrimText(cell), 60)
			}
		}
	}
	s.DateFormat = DetectDateFormat(dates)
	return s, nil
}

// joinAnd writes a list as a sentence does: "a, b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
