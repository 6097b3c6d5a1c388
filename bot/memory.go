package bot

import (
	"context"
	"time"

	"klabot/bot/message"
	"klabot/store"
)

// NewMemory is a channel's memory in klabot's database (the WhatsApp
// adapter's; see message.Memory).
func NewMemory(db *store.DB, channel string) message.Memory {
	return memory{db: db, channel: channel}
}

type memory struct {
	db      *store.DB
	channel string
}

func (m memory) Parts(ctx context.Context, outboxID int64) ([]message.Part, error) {
	rows, err := m.db.WhatsAppParts(ctx, outboxID)
	parts := make([]message.Part, len(rows))
	for i, r := range rows {
		parts[i] = message.Part{N: r.Part, ID: r.MessageID, Message: r.Message, Sent: r.Sent}
	}
	return parts, err
}

func (m memory) SaveParts(ctx context.Context, outboxID int64, parts []message.Part) error {
	rows := make([]store.WhatsAppPart, len(parts))
	for i, p := range parts {
		rows[i] = store.WhatsAppPart{Part: p.N, MessageID: p.ID, Message: p.Message}
	}
	return m.db.SaveWhatsAppParts(ctx, outboxID, rows)
}

func (m memory) PartSent(ctx context.Context, outboxID int64, n int, at time.Time) error {
	return m.db.WhatsAppPartSent(ctx, outboxID, n, at)
}

func (m memory) Message(ctx context.Context, id string) ([]byte, error) {
	return m.db.WhatsAppMessage(ctx, id)
}

func (m memory) State(ctx context.Context, key string) (string, error) {
	return m.db.WhatsAppState(ctx, key)
}

func (m memory) SetState(ctx context.Context, key, value string, onlyNew bool) error {
	return m.db.SetWhatsAppState(ctx, key, value, onlyNew)
}

func (m memory) Notify(ctx context.Context, address string, out message.Outbound, now time.Time) error {
	return m.db.Tx(ctx, func(tx *store.Tx) error {
		return NotifyStaff(tx, map[string]bool{m.channel + ":" + address: true}, store.PriorityAlert, out, now)
	})
}
