package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Priorities of outbox messages: lower goes first, so a person chatting is
// answered ahead of bulk traffic.
const (
	PriorityReply     = 0
	PriorityAlert     = 1
	PriorityReminder  = 2
	PriorityBroadcast = 3
)

// OutboxMessage is one message the bot owes someone.
type OutboxMessage struct {
	ID       int64
	Channel  string
	Address  string
	Priority int
	Payload  []byte // the message itself, encoded by the bot package
	// Subject is what the message is about ("report:LPR-...",
	// "broadcast:3", "reminder:5"), to find it without reading Payload.
	Subject   string
	NotBefore time.Time
	Attempts  int
}

// Enqueue adds a message to the outbox as part of this transaction.
func (tx *Tx) Enqueue(m OutboxMessage, now time.Time) error {
	notBefore := m.NotBefore
	if notBefore.IsZero() {
		notBefore = now
	}
	res, err := tx.exec(`INSERT INTO outbox(channel, address, priority, payload, subject, created_at, not_before)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, m.Channel, m.Address, m.Priority, string(m.Payload), m.Subject, FormatTime(now), FormatTime(notBefore))
	if err != nil {
		return fmt.Errorf("enqueue message: %w", err)
	}
	if m.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("enqueue message: %w", err)
	}
	m.NotBefore, m.Attempts = ParseTime(FormatTime(notBefore)), 0
	tx.queued = append(tx.queued, m)
	return nil
}

// PendingOutbox lists up to limit undelivered messages of a channel, in the
// order they should go: by priority, then oldest first. Messages not yet due
// are included so the sender keeps each chat's order; it checks NotBefore.
// Payloads are left out (the sender looks at many more rows than it sends);
// OutboxPayload loads one.
func (db *DB) PendingOutbox(ctx context.Context, channel string, limit int) ([]OutboxMessage, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, address, priority, not_before, attempts
		FROM outbox WHERE channel = ? AND state = 'pending' ORDER BY priority, id LIMIT ?`, channel, limit)
	if err != nil {
		return nil, fmt.Errorf("list pending outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		m := OutboxMessage{Channel: channel}
		var notBefore string
		if err := rows.Scan(&m.ID, &m.Address, &m.Priority, &notBefore, &m.Attempts); err != nil {
			return nil, fmt.Errorf("scan outbox row: %w", err)
		}
		m.NotBefore = ParseTime(notBefore)
		out = append(out, m)
	}
	return out, rows.Err()
}

// ErrNotPending: the outbox row is no longer waiting to be sent (its
// broadcast was paused or cancelled after the sender read it).
var ErrNotPending = errors.New("outbox message is not pending")

// OutboxPayload loads the message of an outbox row that is still pending;
// ErrNotPending if it is not.
func (db *DB) OutboxPayload(ctx context.Context, id int64) ([]byte, error) {
	var payload, state string
	err := db.read.QueryRowContext(ctx, `SELECT payload, state FROM outbox WHERE id = ?`, id).Scan(&payload, &state)
	if err != nil {
		return nil, fmt.Errorf("load outbox message %d: %w", id, err)
	}
	if state != "pending" {
		return nil, ErrNotPending
	}
	return []byte(payload), nil
}

// Delivery is what became of one send attempt.
type Delivery struct {
	ID          int64
	Address     string
	Sent        bool
	Failed      bool      // permanent failure: do not try again
	RetryAt     time.Time // when neither: try again then
	Error       string
	Unreachable *Contact // the recipient blocked the bot
	// Ref is the platform's id of the message sent, where the channel
	// tells it (for editing the message later).
	Ref string
}

// RecordDeliveries stores the outcome of several sends in one transaction.
func (db *DB) RecordDeliveries(ctx context.Context, ds []Delivery, now time.Time) error {
	return db.Tx(ctx, func(tx *Tx) error {
		for _, d := range ds {
			var err error
			switch {
			case d.Sent:
				_, err = tx.exec(`UPDATE outbox SET state = 'sent', attempts = attempts + 1, not_before = ?, sent_ref = ? WHERE id = ?`,
					FormatTime(now), d.Ref, d.ID)
			case d.Failed:
				_, err = tx.exec(`UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?`,
					d.Error, d.ID)
			default:
				_, err = tx.exec(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, not_before = ? WHERE id = ?`,
					d.Error, FormatTime(d.RetryAt), d.ID)
			}
			if err != nil {
				return fmt.Errorf("record delivery %d: %w", d.ID, err)
			}
			if d.Unreachable != nil {
				if err := tx.MarkUnreachable(*d.Unreachable, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// OutboxCounts returns how many messages of a channel are pending, sent and failed.
func (db *DB) OutboxCounts(ctx context.Context, channel string) (pending, sent, failed int, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(state = 'pending'), 0), COALESCE(SUM(state = 'sent'), 0), COALESCE(SUM(state = 'failed'), 0)
		FROM outbox WHERE channel = ?`, channel).Scan(&pending, &sent, &failed)
	if err != nil {
		err = fmt.Errorf("count outbox: %w", err)
	}
	return
}
