package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// States of an evidence file.
const (
	MediaPending = "pending" // known by its channel reference, not downloaded yet
	MediaSaved   = "saved"
	MediaFailed  = "failed" // gave up: the report goes on without the file
)

// Media is one evidence file of a report.
type Media struct {
	ID         int64
	ReportID   int64
	ReportCode string
	Kind       string // photo, voice, video, document
	Channel    string
	Ref        string // the channel's file id
	Mime       string
	Size       int64
	SHA256     string
	Path       string
	State      string
	Attempts   int
	CreatedAt  time.Time
}

// AddReportMedia records an evidence file by its channel reference; the
// media saver downloads it after the transaction.
func (tx *Tx) AddReportMedia(reportID int64, m Media, addedBy int64, now time.Time) (int64, error) {
	var by any
	if addedBy != 0 {
		by = addedBy
	}
	res, err := tx.exec(`INSERT INTO report_media(report_id, kind, channel, ref, mime, size, state, next_try_at,
		added_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		reportID, m.Kind, m.Channel, m.Ref, m.Mime, m.Size, MediaPending, FormatTime(now), by, FormatTime(now))
	if err != nil {
		return 0, fmt.Errorf("record evidence: %w", err)
	}
	id, _ := res.LastInsertId()
	return id, nil
}

const mediaColumns = `m.id, m.report_id, r.code, m.kind, m.channel, m.ref, m.mime, m.size, m.sha256, m.path,
	m.state, m.attempts, m.created_at`

func scanMedia(row interface{ Scan(...any) error }) (Media, error) {
	var m Media
	var created string
	err := row.Scan(&m.ID, &m.ReportID, &m.ReportCode, &m.Kind, &m.Channel, &m.Ref, &m.Mime, &m.Size, &m.SHA256,
		&m.Path, &m.State, &m.Attempts, &created)
	m.CreatedAt = ParseTime(created)
	return m, err
}

// ReportMedia lists a report's evidence files in the order they came.
func (tx *Tx) ReportMedia(reportID int64) ([]Media, error) {
	rows, err := tx.query(`SELECT `+mediaColumns+` FROM report_media m JOIN reports r ON r.id = m.report_id
		WHERE m.report_id = ? ORDER BY m.id`, reportID)
	if err != nil {
		return nil, fmt.Errorf("list evidence: %w", err)
	}
	return scanAll(rows, "scan evidence", scanMedia)
}

// DueMedia lists evidence files waiting to be downloaded from one of the
// given channels whose next try is due.
func (db *DB) DueMedia(ctx context.Context, channels []string, now time.Time, limit int) ([]Media, error) {
	if len(channels) == 0 {
		return nil, nil
	}
	args := []any{MediaPending, FormatTime(now)}
	for _, c := range channels {
		args = append(args, c)
	}
	args = append(args, limit)
	rows, err := db.read.QueryContext(ctx, `SELECT `+mediaColumns+` FROM report_media m JOIN reports r ON r.id = m.report_id
		WHERE m.state = ? AND m.next_try_at <= ? AND m.channel IN (?`+strings.Repeat(`, ?`, len(channels)-1)+`)
		ORDER BY m.next_try_at, m.id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list evidence to download: %w", err)
	}
	return scanAll(rows, "scan evidence", scanMedia)
}

// NextMediaTry is when the earliest pending download of these channels is
// due; zero if there is none.
func (db *DB) NextMediaTry(ctx context.Context, channels []string) (time.Time, error) {
	if len(channels) == 0 {
		return time.Time{}, nil
	}
	args := []any{MediaPending}
	for _, c := range channels {
		args = append(args, c)
	}
	var next string
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MIN(next_try_at), '') FROM report_media
		WHERE state = ? AND channel IN (?`+strings.Repeat(`, ?`, len(channels)-1)+`)`, args...).Scan(&next)
	if err != nil {
		return time.Time{}, fmt.Errorf("next evidence download: %w", err)
	}
	return ParseTime(next), nil
}

// MediaSaved records a downloaded evidence file.
func (tx *Tx) MediaSaved(id int64, sha256 string, size int64, path string) error {
	_, err := tx.exec(`UPDATE report_media SET state = ?, sha256 = ?, size = ?, path = ?, attempts = attempts + 1,
		last_error = '' WHERE id = ?`, MediaSaved, sha256, size, path, id)
	if err != nil {
		return fmt.Errorf("record saved evidence: %w", err)
	}
	return nil
}

// MediaRetry records a failed download to try again at next; a zero next
// means giving up for good.
func (tx *Tx) MediaRetry(id int64, why string, next time.Time) error {
	state, nextAt := MediaPending, FormatTime(next)
	if next.IsZero() {
		state, nextAt = MediaFailed, ""
	}
	_, err := tx.exec(`UPDATE report_media SET state = ?, attempts = attempts + 1, last_error = ?,
		next_try_at = CASE WHEN ? = '' THEN next_try_at ELSE ? END WHERE id = ?`, state, why, nextAt, nextAt, id)
	if err != nil {
		return fmt.Errorf("record failed evidence download: %w", err)
	}
	return nil
}
