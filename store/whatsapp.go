package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// WhatsAppPart is one WhatsApp message an outbox row goes out as.
type WhatsAppPart struct {
	Part      int
	MessageID string
	Message   []byte // the encoded message, ready to send again
	Sent      bool
}

// WhatsAppParts lists the parts stored for an outbox row, in order; none
// before its first try.
func (db *DB) WhatsAppParts(ctx context.Context, outboxID int64) ([]WhatsAppPart, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT part, message_id, message, sent_at IS NOT NULL
		FROM whatsapp_parts WHERE outbox_id = ? ORDER BY part`, outboxID)
	if err != nil {
		return nil, fmt.Errorf("read whatsapp parts: %w", err)
	}
	defer rows.Close()
	var parts []WhatsAppPart
	for rows.Next() {
		var p WhatsAppPart
		if err := rows.Scan(&p.Part, &p.MessageID, &p.Message, &p.Sent); err != nil {
			return nil, fmt.Errorf("read whatsapp parts: %w", err)
		}
		parts = append(parts, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read whatsapp parts: %w", err)
	}
	return parts, nil
}

// SaveWhatsAppParts stores an outbox row's parts before their first try.
// Parts stored already are kept: their ids may have reached WhatsApp.
func (db *DB) SaveWhatsAppParts(ctx context.Context, outboxID int64, parts []WhatsAppPart) error {
	return db.Tx(ctx, func(tx *Tx) error {
		for _, p := range parts {
			_, err := tx.exec(`INSERT INTO whatsapp_parts(outbox_id, part, message_id, message)
				VALUES (?, ?, ?, ?) ON CONFLICT(outbox_id, part) DO NOTHING`, outboxID, p.Part, p.MessageID, p.Message)
			if err != nil {
				return fmt.Errorf("store whatsapp part: %w", err)
			}
		}
		return nil
	})
}

// WhatsAppPartSent notes that a part reached WhatsApp: a retry of its row
// skips it.
func (db *DB) WhatsAppPartSent(ctx context.Context, outboxID int64, part int, now time.Time) error {
	return db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.exec(`UPDATE whatsapp_parts SET sent_at = ? WHERE outbox_id = ? AND part = ?`,
			FormatTime(now), outboxID, part)
		if err != nil {
			return fmt.Errorf("mark whatsapp part sent: %w", err)
		}
		return nil
	})
}

// WhatsAppMessage is the stored message with a WhatsApp id, or nil.
func (db *DB) WhatsAppMessage(ctx context.Context, messageID string) ([]byte, error) {
	var msg []byte
	err := db.read.QueryRowContext(ctx, `SELECT message FROM whatsapp_parts WHERE message_id = ?`, messageID).Scan(&msg)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read whatsapp message: %w", err)
	}
	return msg, nil
}

// WhatsAppState reads a value the WhatsApp adapter keeps; "" if none.
func (db *DB) WhatsAppState(ctx context.Context, key string) (string, error) {
	var v string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM whatsapp_state WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read whatsapp state: %w", err)
	}
	return v, nil
}

// SetWhatsAppState keeps a value for the WhatsApp adapter; onlyNew keeps
// an existing value instead.
func (db *DB) SetWhatsAppState(ctx context.Context, key, value string, onlyNew bool) error {
	q := `INSERT INTO whatsapp_state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`
	if onlyNew {
		q = `INSERT INTO whatsapp_state(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING`
	}
	return db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(q, key, value); err != nil {
			return fmt.Errorf("store whatsapp state: %w", err)
		}
		return nil
	})
}

// NeverWrote lists, of the given contacts, those that never wrote to the
// bot: a first message to them could get the number banned, so nothing is
// sent to them until they write once.
func (db *DB) NeverWrote(ctx context.Context, contacts []Contact) ([]Contact, error) {
	var out []Contact
	for _, c := range contacts {
		wrote, err := db.HasWritten(ctx, c)
		if err != nil {
			return nil, err
		}
		if !wrote {
			out = append(out, c)
		}
	}
	return out, nil
}
