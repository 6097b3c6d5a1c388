package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// HasWritten tells whether a contact has ever written to the bot. Bulk
// messages on WhatsApp go only to such people: writing first to strangers
// is what gets a number banned.
func (db *DB) HasWritten(ctx context.Context, c Contact) (bool, error) {
	var wrote bool
	err := db.read.QueryRowContext(ctx, `SELECT last_inbound_at IS NOT NULL FROM contacts
		WHERE channel = ? AND address = ?`, c.Channel, c.Address).Scan(&wrote)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read contact: %w", err)
	}
	return wrote, nil
}

// OptedOut tells whether the person with this contact said "berhenti"
// (and not "mulai" since). Broadcasts are checked again just before they
// go: a paced one can reach its last people hours or days after it began.
func (db *DB) OptedOut(ctx context.Context, c Contact) (bool, error) {
	var out bool
	err := db.read.QueryRowContext(ctx, `SELECT u.opted_out_at IS NOT NULL FROM contacts c
		JOIN users u ON u.id = c.user_id WHERE c.channel = ? AND c.address = ?`, c.Channel, c.Address).Scan(&out)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read opt-out: %w", err)
	}
	return out, nil
}

// SentSince counts a channel's messages of at least minPriority sent since
// a time, for a daily cap that holds across restarts. A sent row's
// not_before is the time it was sent (RecordDeliveries sets it).
func (db *DB) SentSince(ctx context.Context, channel string, minPriority int, since time.Time) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM outbox
		WHERE channel = ? AND state = 'sent' AND priority >= ? AND not_before >= ?`,
		channel, minPriority, FormatTime(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count sent messages: %w", err)
	}
	return n, nil
}
