package store

import (
	"fmt"
	"time"
)

// ExportBroadcast is a broadcast with its delivery counts, for exports.
type ExportBroadcast struct {
	ID                                        int64
	CreatedAt, ScheduledAt, StartedAt, Ended  time.Time
	SenderID                                  int64
	SenderName                                string
	State                                     string
	Text                                      string
	Photo                                     bool
	Audience                                  string // as stored: JSON {"kind": ..., "value": ...}
	Recipients, Sent, Failed, Waiting, Cancel int
	SkippedOptedOut, SkippedUnreachable       int
	SkippedNoConsent                          int
}

// BroadcastsCreatedBetween lists the broadcasts made in [from, to), with
// what became of them; ErrNoBroadcasts when this database has no
// broadcasts table.
func (tx *Tx) BroadcastsCreatedBetween(from, to time.Time) ([]ExportBroadcast, error) {
	ok, err := tx.hasTable("broadcasts")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNoBroadcasts
	}
	rows, err := tx.query(`SELECT b.id, b.created_at, b.scheduled_at, COALESCE(b.started_at, ''), COALESCE(b.finished_at, ''),
		COALESCE(b.created_by, 0), COALESCE(u.name, ''), b.state, b.text, b.photo_ref <> '' OR b.photo_path <> '', b.audience,
		COALESCE(d.total, 0), COALESCE(d.sent, 0), COALESCE(d.failed, 0),
		COALESCE(d.waiting + d.queued, 0), COALESCE(d.cancelled, 0),
		b.skipped_opted_out, b.skipped_unreachable, b.skipped_no_consent
		FROM broadcasts b LEFT JOIN users u ON u.id = b.created_by
		LEFT JOIN delivery_counts d ON d.subject = 'broadcast:' || b.id
		WHERE b.created_at >= ? AND b.created_at < ? ORDER BY b.created_at, b.id`,
		FormatTime(from), FormatTime(to))
	if err != nil {
		return nil, fmt.Errorf("list broadcasts to export: %w", err)
	}
	return scanAll(rows, "scan broadcast to export", func(row rowScanner) (ExportBroadcast, error) {
		var b ExportBroadcast
		var created, scheduled, started, ended string
		err := row.Scan(&b.ID, &created, &scheduled, &started, &ended, &b.SenderID, &b.SenderName, &b.State, &b.Text,
			&b.Photo, &b.Audience, &b.Recipients, &b.Sent, &b.Failed, &b.Waiting, &b.Cancel, &b.SkippedOptedOut,
			&b.SkippedUnreachable, &b.SkippedNoConsent)
		b.CreatedAt, b.ScheduledAt, b.StartedAt, b.Ended = ParseTime(created), ParseTime(scheduled), ParseTime(started), ParseTime(ended)
		return b, err
	})
}
