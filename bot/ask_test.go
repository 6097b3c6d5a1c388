package bot_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"klabot/bot"
	"klabot/flows"
	"klabot/flows/all"
	"klabot/store"
)

// A staff member who is also a reporter: the status update of their own
// report, queued in their own turn, is a message they receive, so its
// choices count. A question to a reporter asked at night waits in the
// outbox until the quiet hours end, and the asker is told when it goes.
func TestOwnReportUpdateChoicesAndQuestionHeldAtNight(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Pontianak")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 21, 0, 0, 0, loc).UTC() // the server's clock is UTC
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d := bot.NewDispatcher(db, all.NewEngine(flows.Config{Location: loc}),
		bot.Config{Staff: map[string]bool{"test:ani": true}, Now: func() time.Time { return now }}, nil, log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	say := func(s string) {
		t.Helper()
		if err := d.Handle(context.Background(), text("ani", s)); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	for _, s := range []string{"halo", "setuju", "5", "1", "anak bekerja", "kebun sawit", "tidak", "sgu ledo", "bange",
		"lewati", "Dua anak tetangga disuruh memanen sawit setiap hari.", "2 anak", "13-15 tahun", "lewati",
		"tanpa nama", "kirim laporan"} {
		say(s)
	}
	pending := func() []store.OutboxMessage {
		t.Helper()
		m, err := db.PendingOutbox(context.Background(), "test", 1000)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	payloadOf := func(m store.OutboxMessage) string {
		raw, err := db.OutboxPayload(context.Background(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	var code string
	for _, m := range pending() {
		if c := regexp.MustCompile(`LPR-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(payloadOf(m)); c != "" {
			code = c
		}
	}
	if code == "" {
		t.Fatal("no report was made")
	}
	say("/terima " + code)
	now = time.Date(2026, 11, 24, 23, 0, 0, 0, loc).UTC()
	say("/tanya " + code + " Di kebun mana?")

	morning := time.Date(2026, 11, 25, 6, 0, 0, 0, loc)
	var question, reply bool
	for _, m := range pending() {
		p := payloadOf(m)
		if strings.Contains(p, "Pertanyaan tentang laporan "+code) {
			question = true
			if !m.NotBefore.Equal(morning) {
				t.Errorf("the question goes at %s, want %s", m.NotBefore.In(loc), morning)
			}
		}
		if strings.Contains(p, "akan terkirim pukul 06.00") {
			reply = true
		}
	}
	if !question || !reply {
		t.Errorf("question held: %v, asker told when it goes: %v", question, reply)
	}
	var choices []store.ReceivedChoices
	// Choices count once their message is delivered: all but the held
	// question are.
	raw, err := sql.Open("sqlite3", "file:"+db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE outbox SET state = 'sent' WHERE not_before <= ?`, store.FormatTime(now)); err != nil {
		t.Fatal(err)
	}
	err = db.Tx(context.Background(), func(tx *store.Tx) error {
		var err error
		choices, err = tx.ReceivedChoicesOf(store.Contact{Channel: "test", Address: "ani"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var heads []string
	for _, c := range choices {
		heads = append(heads, c.Head)
	}
	if !strings.Contains(strings.Join(heads, "\n"), "Kabar laporan "+code) {
		t.Errorf("the status update of one's own report has no choices remembered; remembered: %q", heads)
	}

}
