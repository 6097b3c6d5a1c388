package store_test

import (
	"testing"
	"time"

	"klabot/store"
)

// A question held until morning and answered meanwhile (through Cek
// status) is not sent any more: its waiting message goes with the answer.
// Other messages to the reporter stay.
func TestAnsweredQuestionIsNotSentLate(t *testing.T) {
	f := newFixture(t)
	r := f.report(t, true)
	q := store.Question{ReportID: r.ID, AskedBy: f.staff, Role: store.RoleStaff, Text: "Di mana?", AskedAt: f.now}
	f.tx(t, func(tx *store.Tx) error {
		if err := tx.AddQuestion(&q); err != nil {
			return err
		}
		held := store.OutboxMessage{Channel: f.reporterContact.Channel, Address: f.reporterContact.Address,
			Priority: store.PriorityAlert, Payload: []byte(`{"text":"Pertanyaan"}`), Subject: store.QuestionSubject(q.ID),
			NotBefore: f.now.Add(7 * time.Hour)}
		if err := tx.Enqueue(held, f.now); err != nil {
			return err
		}
		other := store.OutboxMessage{Channel: f.reporterContact.Channel, Address: f.reporterContact.Address,
			Priority: store.PriorityAlert, Payload: []byte(`{"text":"Kabar"}`), Subject: store.ReportSubject(r.Code)}
		return tx.Enqueue(other, f.now)
	})
	f.tx(t, func(tx *store.Tx) error {
		ok, err := tx.AnswerQuestion(q.ID, "di kebun", "text", f.now)
		if !ok {
			t.Error("the answer was not recorded")
		}
		return err
	})
	pending, err := f.db.PendingOutbox(f.ctx, f.reporterContact.Channel, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 {
		t.Fatalf("%d messages wait, want only the status update", len(pending))
	}
	if raw, _ := f.db.OutboxPayload(f.ctx, pending[0].ID); string(raw) != `{"text":"Kabar"}` {
		t.Errorf("what still waits: %s", raw)
	}
}
