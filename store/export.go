package store

import (
	"errors"
	"fmt"
	"time"
)

// Rows for the staff exports (package store/export turns them into CSV or
// XLSX files). They are read in one transaction, usually a View.

// ExportReport is a report with what an export shows beside it.
type ExportReport struct {
	Report
	VerifiedAt    time.Time // first verified; zero if never
	ReferredAt    time.Time // first referred; zero if never
	Evidence      int       // evidence files received
	VolunteerName string
	// ReporterErased: the reporter's identity was removed (they erased
	// their data, or the retention rule detached it).
	ReporterErased bool
	// Purged: the retention rule removed the story, place details and files.
	Purged bool
	// QuestionsAsked and QuestionsAnswered count the questions put to the
	// reporter and those they answered.
	QuestionsAsked, QuestionsAnswered int
}

// ReportsCreatedBetween lists the reports made in [from, to), oldest first.
func (tx *Tx) ReportsCreatedBetween(from, to time.Time) ([]ExportReport, error) {
	rows, err := tx.query(`SELECT `+reportColumns+`,
		COALESCE((SELECT MIN(e.at) FROM report_events e WHERE e.report_id = reports.id AND e.kind = 'status'
			AND e.to_status = 'diverifikasi'), ''),
		COALESCE((SELECT MIN(e.at) FROM report_events e WHERE e.report_id = reports.id AND e.kind = 'status'
			AND e.to_status = 'ditindaklanjuti'), ''),
		(SELECT count(*) FROM report_media m WHERE m.report_id = reports.id),
		COALESCE((SELECT u.name FROM users u WHERE u.id = reports.assigned_to), ''),
		reporter_erased_at IS NOT NULL, purged_at IS NOT NULL,
		(SELECT count(*) FROM report_questions q WHERE q.report_id = reports.id),
		(SELECT count(*) FROM report_questions q WHERE q.report_id = reports.id AND q.answered_at IS NOT NULL)
		FROM reports WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id`,
		FormatTime(from), FormatTime(to))
	if err != nil {
		return nil, fmt.Errorf("list reports to export: %w", err)
	}
	defer rows.Close()
	var out []ExportReport
	for rows.Next() {
		var e ExportReport
		var verified, referred string
		e.Report, err = scanReport(extraScanner{rows, []any{&verified, &referred, &e.Evidence, &e.VolunteerName,
			&e.ReporterErased, &e.Purged, &e.QuestionsAsked, &e.QuestionsAnswered}})
		if err != nil {
			return nil, fmt.Errorf("scan report to export: %w", err)
		}
		e.VerifiedAt, e.ReferredAt = ParseTime(verified), ParseTime(referred)
		out = append(out, e)
	}
	return out, rows.Err()
}

// ExportRegistration is a registration with its training.
type ExportRegistration struct {
	Registration
	Training    Training
	CancelledAt time.Time
	Purged      bool // name, phone and answers removed
}

// RegistrationsOfTrainings lists every registration (any status) of the
// trainings that start in [from, to), by training and then in the order
// people registered.
func (tx *Tx) RegistrationsOfTrainings(from, to time.Time) ([]ExportRegistration, error) {
	rows, err := tx.query(`SELECT `+registrationColumns+`, COALESCE(r.cancelled_at, ''), r.purged_at IS NOT NULL,
		`+trainingColumns+`
		FROM registrations r JOIN trainings t ON t.id = r.training_id
		WHERE t.starts_at >= ? AND t.starts_at < ?
		ORDER BY t.starts_at, t.id, r.created_at, r.id`, FormatTime(from), FormatTime(to))
	if err != nil {
		return nil, fmt.Errorf("list registrations to export: %w", err)
	}
	out, err := scanAll(rows, "scan registration to export", scanExportRegistration)
	for i := range out {
		out[i].Training.AttendanceCode = "" // the check-in secret has no place in a file that travels
	}
	return out, err
}

// scanExportRegistration reads registrationColumns, the time of
// cancellation, whether the details were purged, and trainingColumns.
func scanExportRegistration(row rowScanner) (ExportRegistration, error) {
	var s registrationScanner
	var e ExportRegistration
	var cancelled string
	t := &e.Training
	var starts, ends, created, updated string
	dest := append(s.dest(), &cancelled, &e.Purged, &t.ID, &t.Program, &t.Title, &t.Description, &t.KecCode,
		&t.Place, &starts, &ends, &t.Capacity, &t.AttendanceCode, &t.Status, &t.CreatedBy, &created, &updated,
		&t.Registered, &t.Waitlisted)
	if err := row.Scan(dest...); err != nil {
		return ExportRegistration{}, err
	}
	t.StartsAt, t.EndsAt, t.CreatedAt, t.UpdatedAt = ParseTime(starts), ParseTime(ends), ParseTime(created), ParseTime(updated)
	e.Registration, e.CancelledAt = s.done(), ParseTime(cancelled)
	return e, nil
}

// ErrNoBroadcasts: this database has no broadcasts (the feature's tables
// are not there).
var ErrNoBroadcasts = errors.New("no broadcasts stored")

// hasTable tells whether a table exists.
func (tx *Tx) hasTable(name string) (bool, error) {
	var n int
	err := tx.queryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look for table %s: %w", name, err)
	}
	return n > 0, nil
}
