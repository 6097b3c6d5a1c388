package store

import (
	"context"
	"fmt"
	"time"
)

// FirstSeen records an inbound message id and tells whether it is new. A
// platform that delivers the same message again gets false, and the message
// is not processed a second time.
func (tx *Tx) FirstSeen(channel, messageID string, now time.Time) (bool, error) {
	res, err := tx.exec(`INSERT INTO inbound(channel, message_id, received_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, channel, messageID, FormatTime(now))
	if err != nil {
		return false, fmt.Errorf("record inbound id: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record inbound id: %w", err)
	}
	return n == 1, nil
}

// PruneInbound forgets message ids older than the cutoff; platforms do not
// redeliver that late.
func (db *DB) PruneInbound(ctx context.Context, before time.Time) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM inbound WHERE received_at < ?`, FormatTime(before))
	if err != nil {
		return fmt.Errorf("prune inbound ids: %w", err)
	}
	return nil
}
