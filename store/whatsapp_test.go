package store_test

import (
	"context"
	"testing"
	"time"

	"klabot/store"
)

// A row's WhatsApp parts are stored once (the first ids stay: they may
// have reached WhatsApp), found by message id, and go with their row.
func TestWhatsAppPartsKeptOnceAndDeletedWithTheirRow(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	var id int64
	q, err := db.TxQueued(ctx, func(tx *store.Tx) error {
		return tx.Enqueue(store.OutboxMessage{Channel: "whatsapp", Address: "62811", Priority: store.PriorityReply, Payload: []byte(`{}`)}, now)
	})
	if err != nil || len(q.Messages) != 1 {
		t.Fatal(err)
	}
	id = q.Messages[0].ID
	first := []store.WhatsAppPart{{Part: 0, MessageID: "3EB0A", Message: []byte("photo")}, {Part: 1, MessageID: "3EB0B", Message: []byte("text")}}
	if err := db.SaveWhatsAppParts(ctx, id, first); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveWhatsAppParts(ctx, id, []store.WhatsAppPart{{Part: 0, MessageID: "3EB0C", Message: []byte("again")}}); err != nil {
		t.Fatal(err)
	}
	if err := db.WhatsAppPartSent(ctx, id, 0, now); err != nil {
		t.Fatal(err)
	}
	parts, err := db.WhatsAppParts(ctx, id)
	if err != nil || len(parts) != 2 || parts[0].MessageID != "3EB0A" || !parts[0].Sent || parts[1].Sent {
		t.Fatalf("parts %+v (%v)", parts, err)
	}
	if msg, err := db.WhatsAppMessage(ctx, "3EB0B"); err != nil || string(msg) != "text" {
		t.Errorf("by id: %q %v", msg, err)
	}
	if err := db.RecordDeliveries(ctx, []store.Delivery{{ID: id, Address: "62811", Sent: true}}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyRetention(ctx, now.AddDate(0, 0, store.OutboxKeepDays+1), 730); err != nil {
		t.Fatal(err)
	}
	if msg, err := db.WhatsAppMessage(ctx, "3EB0B"); err != nil || msg != nil {
		t.Errorf("after the row was deleted: %q %v", msg, err)
	}
}

// What the adapter remembers: a value kept, or kept only when new.
func TestWhatsAppState(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	if v, err := db.WhatsAppState(ctx, "k"); v != "" || err != nil {
		t.Errorf("unset: %q %v", v, err)
	}
	db.SetWhatsAppState(ctx, "k", "1", true)
	db.SetWhatsAppState(ctx, "k", "2", true)
	if v, _ := db.WhatsAppState(ctx, "k"); v != "1" {
		t.Errorf("only new: %q", v)
	}
	db.SetWhatsAppState(ctx, "k", "3", false)
	if v, _ := db.WhatsAppState(ctx, "k"); v != "3" {
		t.Errorf("replaced: %q", v)
	}
}
