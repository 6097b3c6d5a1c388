package store

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// ReportQuery selects a page of reports for the dashboard's list. Zero
// fields do not filter.
type ReportQuery struct {
	Status string
	// Assigned and Unassigned keep only reports with, or without, a
	// volunteer.
	Assigned, Unassigned bool
	Open                 bool // only reports not closed
	Urgent               bool
	Kec                  string
	Desa                 string
	Category             string
	From, To             time.Time // created in [From, To)
	// Words: a report code, or words that must all appear in the story.
	Words string
	// Overdue: still baru and created before NewBefore, or assigned, open
	// and not worked on since QuietBefore (the follow-up rules).
	Overdue                bool
	NewBefore, QuietBefore time.Time
	// AssignedTo limits the list to one volunteer's reports.
	AssignedTo int64
	Sort       string // created, updated, status, place; default created
	Asc        bool
	Offset     int
	Limit      int
}

// sortColumns are the orders the list offers, each ending on id so that
// pages never overlap.
var sortColumns = map[string]string{
	"created": "id",
	"updated": "updated_at",
	"status":  "status",
	"place":   "kec_code",
}

func (q ReportQuery) where() (string, []any) {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if q.Status != "" {
		add(`status = ?`, q.Status)
	}
	if q.Open {
		add(`closed_at IS NULL`)
	}
	if q.Assigned {
		add(`assigned_to IS NOT NULL`)
	}
	if q.Unassigned {
		add(`assigned_to IS NULL`)
	}
	if q.Urgent {
		add(`urgent = 1`)
	}
	if q.Kec != "" {
		add(`kec_code = ?`, q.Kec)
	}
	if q.Desa != "" {
		add(`desa_code = ?`, q.Desa)
	}
	if q.Category != "" {
		add(`category = ?`, q.Category)
	}
	if !q.From.IsZero() {
		add(`created_at >= ?`, FormatTime(q.From))
	}
	if !q.To.IsZero() {
		add(`created_at < ?`, FormatTime(q.To))
	}
	if q.AssignedTo != 0 {
		add(`assigned_to = ?`, q.AssignedTo)
	}
	if q.Overdue {
		add(`((status = ? AND created_at < ?) OR (assigned_to IS NOT NULL AND closed_at IS NULL AND
			COALESCE((SELECT max(e.at) FROM report_events e WHERE e.report_id = reports.id
			AND e.role IN ('staff', 'volunteer')), created_at) < ?))`,
			StatusNew, FormatTime(q.NewBefore), FormatTime(q.QuietBefore))
	}
	if w := strings.TrimSpace(q.Words); w != "" {
		if code, ok := ParseReportCode(w); ok {
			add(`code = ?`, code)
		} else {
			match := `id IN (SELECT docid FROM report_words WHERE report_words MATCH ?)`
			if part, ok := codePart(w); ok {
				// Half a code ("Z543", "WN86-K4") finds its report too.
				add(`(code LIKE ? OR `+match+`)`, "%"+part+"%", storyMatch(w))
			} else {
				add(match, storyMatch(w))
			}
		}
	}
	if len(where) == 0 {
		return "", nil
	}
	return ` WHERE ` + strings.Join(where, ` AND `), args
}

// codePart is typed text that may be part of a report code: 4 to 9
// letters and digits, with at most one dash, as written on a code.
func codePart(typed string) (string, bool) {
	t := strings.ToUpper(strings.TrimSpace(typed))
	if n := len(t); n < 4 || n > 9 || strings.Count(t, "-") > 1 {
		return "", false
	}
	for _, r := range t {
		if (r < '0' || r > '9') && (r < 'A' || r > 'Z') && r != '-' {
			return "", false
		}
	}
	return t, true
}

// storyMatch is the full-text query for words typed into the search: each
// word, as the start of a word of the story ("sawit" finds "sawitnya"),
// all of them. Only letters and digits pass, so nothing typed is read as
// query syntax; with none, nothing matches.
func storyMatch(typed string) string {
	var terms []string
	for _, w := range strings.FieldsFunc(typed, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		terms = append(terms, strings.ToLower(w)+"*") // lower case: "OR" is no operator
	}
	if len(terms) == 0 {
		return `""`
	}
	return strings.Join(terms, " ")
}

// QueryReports returns one page of reports and how many match in all.
func (tx *Tx) QueryReports(q ReportQuery) ([]Report, int, error) {
	where, args := q.where()
	var total int
	if err := tx.queryRow(`SELECT count(*) FROM reports`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count reports: %w", err)
	}
	col, ok := sortColumns[q.Sort]
	if !ok {
		col = "id"
	}
	dir := " DESC"
	if q.Asc {
		dir = " ASC"
	}
	order := col + dir
	if col != "id" {
		order += ", id" + dir
	}
	if q.Limit <= 0 {
		q.Limit = 25
	}
	rows, err := tx.query(`SELECT `+reportColumns+` FROM reports`+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list reports: %w", err)
	}
	list, err := scanAll(rows, "scan report", scanReport)
	return list, total, err
}

// CountAssigned is the key ReportStatusCounts counts accepted reports
// with a volunteer under: everywhere they are shown they are "with the
// volunteer", not merely accepted.
const CountAssigned = "ditugaskan"

// ReportStatusCounts counts reports per status (one volunteer's, if
// assignedTo is set), accepted ones with a volunteer apart.
func (tx *Tx) ReportStatusCounts(assignedTo int64) (map[string]int, error) {
	q := `SELECT CASE WHEN status = '` + StatusAccepted + `' AND assigned_to IS NOT NULL THEN '` + CountAssigned +
		`' ELSE status END AS s, count(*) FROM reports`
	var args []any
	if assignedTo != 0 {
		q += ` WHERE assigned_to = ?`
		args = append(args, assignedTo)
	}
	rows, err := tx.query(q+` GROUP BY s`, args...)
	if err != nil {
		return nil, fmt.Errorf("count reports per status: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("scan status count: %w", err)
		}
		out[s] = n
	}
	return out, rows.Err()
}

// PlaceCount is how many reports a kecamatan or desa has, open and closed.
type PlaceCount struct {
	Kec, Desa    string
	Open, Closed int
}

// ReportPlaceCounts counts reports per kecamatan and desa.
func (tx *Tx) ReportPlaceCounts() ([]PlaceCount, error) {
	rows, err := tx.query(`SELECT kec_code, desa_code, sum(closed_at IS NULL), sum(closed_at IS NOT NULL)
		FROM reports GROUP BY kec_code, desa_code ORDER BY kec_code, desa_code`)
	if err != nil {
		return nil, fmt.Errorf("count reports per place: %w", err)
	}
	return scanAll(rows, "scan place count", func(row rowScanner) (PlaceCount, error) {
		var p PlaceCount
		err := row.Scan(&p.Kec, &p.Desa, &p.Open, &p.Closed)
		return p, err
	})
}

// ReportsVersion changes whenever reports are added, removed or change
// status (each change adds an event): a cheap key for caching counts.
func (tx *Tx) ReportsVersion() (string, error) {
	var n, maxID, maxEvent int64
	var updated string
	// Separate subqueries: SQLite answers each from an index alone, but
	// not several aggregates in one query.
	err := tx.queryRow(`SELECT (SELECT count(*) FROM reports), (SELECT COALESCE(max(id), 0) FROM reports),
		(SELECT COALESCE(max(updated_at), '') FROM reports), (SELECT COALESCE(max(id), 0) FROM report_events)`).
		Scan(&n, &maxID, &updated, &maxEvent)
	if err != nil {
		return "", fmt.Errorf("read reports version: %w", err)
	}
	return fmt.Sprint(n, "/", maxID, "/", updated, "/", maxEvent), nil
}
