// Package peoplecsv reads an HR-system CSV export of people and plans what
// importing it would do: which people it creates, which it updates (and to
// what), which it leaves alone, and which lines it refuses and why.
//
// Reading and planning are separate so that the HTTP handler can stream the
// upload through Read in bounded memory, and the domain service can run
// PlanImport against the people it holds, for a dry run or before applying.
package peoplecsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/complytrack/complytrack/pkg/training"
)

// Limits on what Read accepts. They bound the memory one upload can use.
const (
	// MaxFieldChars is the longest cell Read accepts, in characters. Every
	// stored field is shorter (see training.Person.Validate), so a longer cell
	// is a wrong column or a broken file, not data.
	MaxFieldChars = 1000
	// MaxRecordBytes is about the longest row Read accepts, in bytes (a row
	// may span lines when a quoted cell holds a line break). Ten cells of
	// MaxFieldChars fit; an unclosed quote that swallows the rest of the file
	// does not.
	MaxRecordBytes = 64 << 10
)

// The columns the planner's own rules are about.
const (
	ColEmployeeNumber        = "employee_number"
	ColEmail                 = "email"
	ColManagerEmployeeNumber = "manager_employee_number"
)

// column is one column of the file: its name, as in the API; whether the
// header may leave it out (then that field is left as it is for people
// already stored, see PlanImport); and the field of an input it fills, as
// a *string, *training.Kind or *training.Date.
type column struct {
	name     string
	optional bool
	field    func(*training.PersonInput) any
}

// columns is every column in the order the API documents them: the one
// place the file's columns are spelled out, for reading a row and for
// keeping a stored field the file leaves out.
var columns = []column{
	{ColEmployeeNumber, false, func(in *training.PersonInput) any { return &in.EmployeeNumber }},
	{ColEmail, false, func(in *training.PersonInput) any { return &in.Email }},
	{"given_name", false, func(in *training.PersonInput) any { return &in.GivenName }},
	{"family_name", false, func(in *training.PersonInput) any { return &in.FamilyName }},
	{"kind", false, func(in *training.PersonInput) any { return &in.Kind }},
	{"job_title", true, func(in *training.PersonInput) any { return &in.JobTitle }},
	{"department", true, func(in *training.PersonInput) any { return &in.Department }},
	{ColManagerEmployeeNumber, true, func(in *training.PersonInput) any { return &in.ManagerEmployeeNumber }},
	{"start_date", false, func(in *training.PersonInput) any { return &in.StartDate }},
	{"end_date", true, func(in *training.PersonInput) any { return &in.EndDate }},
}

// Columns lists every column's name in the order the API documents them.
var Columns = func() []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.name
	}
	return out
}()

// OptionalColumns lists the columns a file may leave out, in the same
// order.
var OptionalColumns = func() []string {
	var out []string
	for _, c := range columns {
		if c.optional {
			out = append(out, c.name)
		}
	}
	return out
}()

// columnNamed finds a column by name.
var columnNamed = func() map[string]column {
	out := make(map[string]column, len(columns))
	for _, c := range columns {
		out[c.name] = c
	}
	return out
}()

func isColumn(name string) bool {
	_, ok := columnNamed[name]
	return ok
}

// read sets the column's field of in from a trimmed cell of a file in our
// own format.
func (c column) read(in *training.PersonInput, cell string) error {
	return c.readAs(in, cell, ownFormat)
}

// readAs sets the column's field of in from a trimmed cell of a file read
// as f says.
func (c column) readAs(in *training.PersonInput, cell string, f format) error {
	var err error
	switch fld := c.field(in).(type) {
	case *string:
		*fld = cell
	case *training.Kind:
		// A spreadsheet may capitalise it: fold the case first.
		if f.kindSynonyms {
			cell = kindSynonym(cell)
		}
		if *fld, err = training.ParseKind(c.name, strings.ToLower(cell)); err != nil {
			//lint:ignore ST1005 the message is a sentence shown to the person importing the file
			err = errors.New(training.KindProblem)
		}
	case *training.Date:
		*fld, err = parseDate(c.name, cell, f.dates)
	default:
		panic(fmt.Sprintf("peoplecsv: column %s has a field of type %T", c.name, fld))
	}
	return err
}

// copy sets the column's field of dst to src's.
func (c column) copy(dst, src *training.PersonInput) {
	switch f := c.field(dst).(type) {
	case *string:
		*f = *c.field(src).(*string)
	case *training.Kind:
		*f = *c.field(src).(*training.Kind)
	case *training.Date:
		*f = *c.field(src).(*training.Date)
	default:
		panic(fmt.Sprintf("peoplecsv: column %s has a field of type %T", c.name, f))
	}
}

// Row is one data line of the file, as read.
type Row struct {
	// Line is the 1-based line number in the file where the row starts (the
	// header is line 1), as a text editor shows it: a quoted cell holding a
	// line break makes the row take more than one line.
	Line  int
	Input training.PersonInput
	// Omitted lists the optional columns the file does not have. For people
	// already stored those fields are left as they are; new people get them
	// empty. Nil means the file has every column. Rows from one file share
	// the slice: do not modify it.
	Omitted []string
}

// LineError is one problem on one line. Line is where the row starts, as in
// Row. Field is the column it concerns, or empty when the whole line is at
// fault (for example a wrong number of cells).
type LineError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
	// EmployeeNumber is the employee number on the refused line, when
	// it can be read, so that a person whose line is refused is still
	// known to be in the file (see PossibleLeavers).
	EmployeeNumber string `json:"-"`
}

// errRecordTooLong is what the limiting reader returns once a row grows past
// MaxRecordBytes. It never escapes Read: Read turns it into a file error.
var errRecordTooLong = errors.New("row too long")

// Read streams the CSV from r and calls fn with each data row that parses.
// Rows that do not parse are not passed to fn; their problems are returned
// as lineErrors, with every problem Read can find on that line.
//
// The file is UTF-8 (a byte-order mark is skipped) with a header row naming
// the columns (see Columns), in any order, matched ignoring case and
// surrounding spaces. Cells are trimmed of surrounding spaces; kind is
// matched ignoring case; dates are YYYY-MM-DD or empty. Rows whose cells are
// all empty (spreadsheets export them) are skipped.
//
// Read holds one row at a time, so memory does not grow with the file
// (apart from the line errors, which maxRows bounds). It
// returns an error wrapping training.ErrInvalid (field "file") when the file
// as a whole is unusable: empty, no usable header, unknown, repeated or
// missing columns, a row longer than MaxRecordBytes, or more than maxRows
// data rows (maxRows <= 0 means no limit). It returns fn's error, unchanged,
// if fn fails, and a read error from r wrapped. The line errors found before
// any error are returned with it.
func Read(r io.Reader, maxRows int, fn func(Row) error) (lineErrors []LineError, err error) {
	return readFile(r, maxRows, nil, fn)
}

// ReadMapped is Read for a file with its own headers and date format, as m
// says (see Mapping): each header m maps is read as that column, the other
// headers are ignored, and dates are read in m.DateFormat. m must be valid
// (Mapping.Validate).
func ReadMapped(r io.Reader, maxRows int, m Mapping, fn func(Row) error) (lineErrors []LineError, err error) {
	return readFile(r, maxRows, &m, fn)
}

// readFile is Read with m, or without a mapping when m is nil.
func readFile(r io.Reader, maxRows int, m *Mapping, fn func(Row) error) (lineErrors []LineError, err error) {
	f := ownFormat
	if m != nil {
		f = format{dates: m.DateFormat, kindSynonyms: true}
	}
	lim := &limitedReader{r: r, limit: MaxRecordBytes}
	br := bufio.NewReader(lim)
	// A spreadsheet saving "CSV UTF-8" starts the file with a byte-order mark.
	// Skip it here rather than in the first cell, so a quoted first header
	// name still parses.
	bom := 0
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\ufeff")) {
		bom, _ = br.Discard(3)
	}
	if start, _ := br.Peek(512); !looksLikeText(start) {
		return nil, training.Invalid("file", "The file must be a CSV file. Save the spreadsheet as \"CSV UTF-8\" and choose that file.")
	}
	// The CSV reader reads ahead at most one buffer beyond the row it is
	// parsing, so allowing that much past the row limit never refuses a row
	// that is within it.
	readAhead := int64(br.Size())
	lim.limit = MaxRecordBytes + readAhead

	cr := csv.NewReader(br) // reuses br: it is a large enough *bufio.Reader
	cr.FieldsPerRecord = -1 // a wrong count is a line error, checked below
	cr.ReuseRecord = true

	// nextRecord reads one record and moves the row limit on past it.
	nextRecord := func() ([]string, error) {
		rec, err := cr.Read()
		lim.limit = int64(bom) + cr.InputOffset() + MaxRecordBytes + readAhead
		if errors.Is(err, errRecordTooLong) {
			return nil, training.Invalid("file", "Line %d of the file is too long: a row can be at most %d KiB. Check that no closing quote is missing.", lim.tooLongLine, MaxRecordBytes>>10)
		}
		var pe *csv.ParseError
		if err != nil && err != io.EOF && !errors.As(err, &pe) {
			return nil, fmt.Errorf("read people CSV: %w", err)
		}
		return rec, err
	}

	header, err := nextRecord()
	if err == io.EOF {
		return nil, training.Invalid("file", "The file is empty. Its first line must be a header naming the columns: %s.", strings.Join(Columns, ","))
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, training.Invalid("file", "The file's header row, on line %d, is not valid CSV: %s.", pe.Line, csvProblem(pe.Err))
	}
	if err != nil {
		return nil, err
	}
	var cols, omitted []string
	if m == nil {
		cols, omitted, err = parseHeader(header)
	} else {
		cols, omitted, err = m.parseHeader(header)
	}
	if err != nil {
		return nil, err
	}

	rows := 0
	for {
		rec, err := nextRecord()
		if err == io.EOF {
			return lineErrors, nil
		}
		if err != nil && !errors.As(err, &pe) {
			return lineErrors, err
		}
		if err == nil && allBlank(rec) {
			continue
		}
		rows++
		if maxRows > 0 && rows > maxRows {
			return lineErrors, training.Invalid("file", "The file has more than %s rows. Split it into smaller files.", Thousands(maxRows))
		}
		if err != nil { // a *csv.ParseError: the row is cut short
			lineErrors = append(lineErrors, LineError{Line: pe.StartLine, Message: training.Sentence("This line is not valid CSV: " + csvProblem(pe.Err))})
			continue
		}
		line, _ := cr.FieldPos(0)
		row, errs := parseRow(line, rec, cols, omitted, f)
		if len(errs) > 0 {
			if i := slices.Index(cols, ColEmployeeNumber); i >= 0 && i < len(rec) && utf8.ValidString(rec[i]) {
				for k := range errs {
					errs[k].EmployeeNumber = training.TrimText(rec[i])
				}
			}
			lineErrors = append(lineErrors, errs...)
			continue
		}
		if err := fn(row); err != nil {
			return lineErrors, err
		}
	}
}

// parseHeader maps each column position to its column name, and lists the
// optional columns the header leaves out.
func parseHeader(header []string) (cols []string, omitted []string, err error) {
	if !utf8.ValidString(strings.Join(header, "")) {
		return nil, nil, training.Invalid("file", "The file is not UTF-8 text. Save it from the spreadsheet as \"CSV UTF-8\".")
	}
	seen := make(map[string]bool, len(header))
	var unknown []string
	for i, name := range header {
		key := strings.ToLower(strings.TrimSpace(name))
		switch {
		case key == "":
			unknown = append(unknown, fmt.Sprintf("an unnamed column %d", i+1))
		case !isColumn(key):
			unknown = append(unknown, fmt.Sprintf("%q", shorten(key, 40)))
		case seen[key]:
			return nil, nil, training.Invalid("file", "The file's header names the column %s twice.", key)
		}
		seen[key] = true
		cols = append(cols, key)
	}
	if len(unknown) > 0 {
		if len(unknown) > 5 {
			unknown = append(unknown[:5], "…")
		}
		return nil, nil, training.Invalid("file", "The file's header has columns we do not recognise: %s. The columns are %s.",
			strings.Join(unknown, ", "), strings.Join(Columns, ", "))
	}
	var missing []string
	for _, c := range columns {
		switch {
		case seen[c.name]:
		case c.optional:
			omitted = append(omitted, c.name)
		default:
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		return nil, nil, training.Invalid("file", "The file's header does not have these required columns: %s.", strings.Join(missing, ", "))
	}
	return cols, omitted, nil
}

// parseRow turns one record into a Row, or into every problem Read can see
// on its line.
// A column name "" is a column the mapping ignores.
func parseRow(line int, rec []string, cols []string, omitted []string, f format) (Row, []LineError) {
	var errs []LineError
	add := func(field, format string, args ...any) {
		errs = append(errs, LineError{Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if len(rec) != len(cols) {
		add("", "This line has %d cells but the header has %d columns.", len(rec), len(cols))
		return Row{}, errs
	}
	row := Row{Line: line, Omitted: omitted}
	in := &row.Input
	bad := make(map[string]bool) // columns with a problem already reported
	for i, raw := range rec {
		col := cols[i]
		if col == "" {
			continue
		}
		if !utf8.ValidString(raw) {
			add(col, "The %s is not UTF-8 text. Save the file from the spreadsheet as \"CSV UTF-8\".", training.Label(col))
			bad[col] = true
			continue
		}
		if len(raw) > MaxFieldChars && utf8.RuneCountInString(raw) > MaxFieldChars {
			add(col, "The %s is longer than %d characters.", training.Label(col), MaxFieldChars)
			bad[col] = true
			continue
		}
		if err := columnNamed[col].readAs(in, training.TrimText(raw), f); err != nil {
			add(col, "%s", err.Error())
			bad[col] = true
		}
	}
	if len(errs) == 0 {
		return row, nil
	}
	// The line is refused anyway: also report what PlanImport would find in
	// the cells that did parse, so that one round of fixes is enough.
	for _, fe := range validate(row.Input, "") {
		if !bad[fe.Field] {
			add(fe.Field, "%s", fe.Message)
		}
	}
	// In field order, as PlanImport sorts its errors.
	slices.SortStableFunc(errs, func(a, b LineError) int { return strings.Compare(a.Field, b.Field) })
	return Row{}, errs
}

// parseDate reads an optional date cell of column col, written as df
// says: empty means no date.
func parseDate(col, s string, df DateFormat) (training.Date, error) {
	if s == "" {
		return training.Date{}, nil
	}
	if df == DateUK {
		return parseUKDate(col, s)
	}
	d, err := training.ParseDate(s)
	if err != nil {
		return training.Date{}, errors.New(training.DateProblem(col, s))
	}
	return d, nil
}

// csvProblem says in plain English what a CSV syntax error means.
func csvProblem(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return `a cell that does not start with " contains one: put the whole cell in double quotes and double each " inside it`
	case errors.Is(err, csv.ErrQuote):
		return `a quoted cell has a stray " or is not closed: double each " inside a quoted cell`
	default:
		return err.Error()
	}
}

func allBlank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// shorten keeps messages that quote the file readable, and small when the
// file is not a people file at all.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// limitedReader hands out bytes up to limit and then fails, so the CSV
// reader never buffers an overlong row (the CSV reader itself would grow
// its buffers without bound). Read moves limit on after every row. Once it
// has failed it keeps failing, so that the rest of an overlong row is never
// read as if it were a new one.
type limitedReader struct {
	r           io.Reader
	read        int64 // bytes handed out
	limit       int64 // hand out no byte at or beyond this offset
	lines       int   // line breaks handed out, to name the overlong line
	tooLongLine int   // the line where the limit was hit; 0 until then
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.tooLongLine > 0 {
		return 0, errRecordTooLong
	}
	if l.read >= l.limit {
		l.tooLongLine = l.lines + 1
		return 0, errRecordTooLong
	}
	if room := l.limit - l.read; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	l.lines += bytes.Count(p[:n], []byte{'\n'})
	return n, err
}

// looksLikeText reports whether the start of a file can be a CSV file:
// not the start of a PDF, a zip (an .xlsx workbook) or an older Office
// file, which people upload instead of the CSV export. (Text in another
// encoding is told apart later, with its own message.)
func looksLikeText(start []byte) bool {
	for _, sig := range [][]byte{[]byte("%PDF"), []byte("PK\x03\x04"), {0xD0, 0xCF, 0x11, 0xE0}} {
		if bytes.HasPrefix(start, sig) {
			return false
		}
	}
	return true
}

// Thousands writes n with commas between thousands, as GOV.UK writes
// numbers: 50,000.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + Thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
