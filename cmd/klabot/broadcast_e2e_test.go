package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"klabot/bot/telegram/fakeapi"
	"klabot/store"
)

// seedTelegramPeople adds people who wrote to the bot on Telegram and
// agreed to the data notice, chats first..first+n-1, before klabot starts;
// optedOut of them said "berhenti".
func seedTelegramPeople(t testing.TB, dir string, first int64, n int, optedOut ...int64) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(dir, "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	out := map[int64]bool{}
	for _, id := range optedOut {
		out[id] = true
	}
	err = db.Tx(context.Background(), func(tx *store.Tx) error {
		for id := first; id < first+int64(n); id++ {
			u, _, err := tx.UserByContact(store.Contact{Channel: "telegram", Address: strconv.FormatInt(id, 10)}, "id", now)
			if err != nil {
				return err
			}
			u.ConsentAt, u.Role = now, "warga"
			if out[id] {
				u.OptedOutAt = now
			}
			if err := tx.SaveUser(u); err != nil {
				return err
			}
			if err := tx.SaveSession(u.ID, store.SessionState{JSON: []byte(`{"flow":"menu","version":1,"step":"main","seq":1}`), Flow: "menu"}, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// broadcastsTo counts, per chat, the broadcast messages (text or photo
// caption carrying the footer) the fake server accepted.
func broadcastsTo(srv *fakeapi.Server) map[int64]int {
	n := map[int64]int{}
	for _, s := range srv.Sent() {
		if s.Method != "editMessageText" && strings.Contains(s.Text+s.Caption, "Pengumuman dari DISKOPNAKERTRANS") {
			n[s.ChatID]++
		}
	}
	return n
}

// broadcastToAllNow makes a broadcast to everyone, due at once.
func broadcastToAllNow(t *testing.T, db *store.DB, text string) {
	t.Helper()
	if err := db.Tx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.CreateBroadcast(store.Broadcast{Text: text, Audience: store.BroadcastAudience{Kind: store.ToAll}}, time.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// broadcastAtTelegramLimits seeds n people on Telegram (chats first...)
// and a broadcast to them all, due now, behind a fake Bot API server that
// enforces Telegram's limits.
func broadcastAtTelegramLimits(t *testing.T, first int64, n int) (*fakeapi.Server, string, *store.DB) {
	t.Helper()
	srv := newServer(t)
	srv.EnforceLimits(fakeapi.Limits{Global: 30, PerChat: 1})
	dir := t.TempDir()
	seedTelegramPeople(t, dir, first, n)
	db := openDB(t, dir)
	broadcastToAllNow(t, db, "Rapat akbar Forum Anak.")
	return srv, dir, db
}

// waitAllRecordedSent waits until broadcast #1 records n recipients sent.
func waitAllRecordedSent(t *testing.T, db *store.DB, n int) {
	t.Helper()
	waitFor(t, "every result recorded", 10*time.Second, func() bool {
		results, err := db.BroadcastResults(context.Background(), 1)
		sent := 0
		for _, r := range results {
			if r.State == store.RecipientSent {
				sent++
			}
		}
		return err == nil && sent == n
	})
}

// waitFor polls cond until it holds (at most d).
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s in vain for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A staff member makes a broadcast with a photo on Telegram: count with who
// is left out and why, a preview exactly as people see it (the same photo,
// sent again by its file_id, and the same caption), then send now. Everyone
// gets it once; the person who blocked the bot is marked unreachable and
// counted; a 429 is waited out; progress is one message edited in place,
// then a summary.
func TestTelegramBroadcastWithPhoto(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	const first, n = 8001, 8
	seedTelegramPeople(t, dir, first, n, 8005)
	staff := fakeapi.User{ID: 7001, FirstName: "Staf"}
	startKlabot(t, srv, dir, map[string]string{"KLABOT_STAFF": "telegram:7001"})
	srv.BlockChat(8006)
	srv.FailNext("sendPhoto", 8003, 429, "", 1)

	srv.SendText(staff.ID, staff, "/start")
	press(t, srv, staff, lastTo(t, srv, staff.ID, 1), "Setuju")
	press(t, srv, staff, lastTo(t, srv, staff.ID, 2), "Lainnya")
	lastTo(t, srv, staff.ID, 3)
	srv.SendText(staff.ID, staff, "/siaran")
	press(t, srv, staff, lastTo(t, srv, staff.ID, 4), "Siaran baru")
	lastTo(t, srv, staff.ID, 5)
	srv.AddFile("AgACAgIAAxkBAAIBroadcastPhoto", []byte("\xff\xd8\xff\xe0 jpeg"))
	text := "Hari Dunia Menentang Pekerja Anak, 12 Juni. Ayo hadir di Lapangan Jagoi Babang jam 08.00."
	srv.SendPhoto(staff.ID, staff, "AgACAgIAAxkBAAIBroadcastPhoto", text)
	press(t, srv, staff, lastTo(t, srv, staff.ID, 6), "Semua orang")
	count := lastTo(t, srv, staff.ID, 7)
	// Eight seeded people less the one who said berhenti, and the staff member.
	if !strings.Contains(count.Text, "akan sampai ke 8 orang") || !strings.Contains(count.Text, "1 orang minta berhenti") {
		t.Fatalf("count: %q", count.Text)
	}
	press(t, srv, staff, count, "Lihat pratinjau")
	preview := lastTo(t, srv, staff.ID, 8)
	if preview.Method != "sendPhoto" || preview.FileID != "AgACAgIAAxkBAAIBroadcastPhoto" || preview.Uploaded ||
		!strings.HasPrefix(preview.Caption, text+"\n\n—\nPengumuman dari DISKOPNAKERTRANS") {
		t.Fatalf("preview: %s file %q uploaded %v caption %q", preview.Method, preview.FileID, preview.Uploaded, preview.Caption)
	}
	sendNow := "Kirim sekarang"
	if _, ok := preview.ReplyMarkup.Find(sendNow); !ok { // at night 06:00 is offered first
		sendNow = "Kirim sekarang juga (mendesak)"
	}
	press(t, srv, staff, preview, sendNow)
	if sendNow != "Kirim sekarang" { // at night klabot asks once more
		press(t, srv, staff, lastTo(t, srv, staff.ID, 9), "Ya, kirim sekarang")
	}

	waitFor(t, "the summary", 20*time.Second, func() bool {
		for _, s := range srv.SentTo(staff.ID) {
			if strings.Contains(s.Text, "Siaran #1 selesai.") {
				return true
			}
		}
		return false
	})
	got := broadcastsTo(srv)
	for id := int64(first); id < first+n; id++ {
		want := 1
		if id == 8005 || id == 8006 {
			want = 0
		}
		if got[id] != want {
			t.Errorf("chat %d got the broadcast %d times, want %d", id, got[id], want)
		}
	}
	if got[staff.ID] != 2 { // the preview and the broadcast itself
		t.Errorf("the staff member's chat got %d messages with the footer, want 2", got[staff.ID])
	}
	for _, s := range srv.SentTo(8001) {
		if s.Method != "sendPhoto" || s.FileID != preview.FileID || s.Caption != preview.Caption || s.ReplyMarkup != nil {
			t.Errorf("recipient got %s %q %q with keys %v; want exactly the preview", s.Method, s.FileID, s.Caption, s.ReplyMarkup)
		}
	}
	if un, _ := openDB(t, dir).Unreachable(store.Contact{Channel: "telegram", Address: "8006"}); !un {
		t.Error("the person who blocked the bot is not marked unreachable")
	}

	// Progress: one message, edited in place, ending "Selesai."; the
	// summary counts the blocked person.
	var status []fakeapi.Sent
	var summary string
	for _, s := range srv.SentTo(staff.ID) {
		switch {
		case strings.HasPrefix(s.Text, "Siaran #1 untuk"):
			status = append(status, s)
		case strings.Contains(s.Text, "Siaran #1 selesai."):
			summary = s.Text
		}
	}
	if len(status) < 2 || status[0].Method != "sendMessage" {
		t.Fatalf("progress messages: %+v", status)
	}
	for _, s := range status[1:] {
		if s.Method != "editMessageText" || s.MessageID != status[0].MessageID {
			t.Errorf("progress went as %s of message %d, want edits of %d", s.Method, s.MessageID, status[0].MessageID)
		}
	}
	if last := status[len(status)-1]; !strings.Contains(last.Text, "Selesai.") || last.ReplyMarkup != nil {
		t.Errorf("last progress %q with keys %v", last.Text, last.ReplyMarkup)
	}
	if _, ok := status[0].ReplyMarkup.Find("Jeda"); !ok {
		t.Errorf("the progress message has no pause key: %v", status[0].ReplyMarkup.Buttons())
	}
	if !strings.Contains(summary, "Terkirim: 7 orang") || !strings.Contains(summary, "Gagal: 1 orang (1 di antaranya memblokir bot)") ||
		!strings.Contains(summary, "1 orang minta berhenti") {
		t.Errorf("summary %q", summary)
	}
}

// klabot is stopped in the middle of a broadcast and started again on the
// same data: everyone gets it exactly once, nobody twice, nobody missed.
func TestTelegramBroadcastSurvivesRestart(t *testing.T) {
	const first, n = 9001, 120
	srv, dir, db := broadcastAtTelegramLimits(t, first, n)
	env := map[string]string{"KLABOT_TELEGRAM_PER_CHAT_RATE": "1"}
	app := startKlabot(t, srv, dir, env)
	waitFor(t, "a third of the broadcast", 20*time.Second, func() bool { return len(broadcastsTo(srv)) >= n/3 })
	app.stop(t)
	before := len(broadcastsTo(srv))
	if before >= n {
		t.Fatalf("the broadcast finished before klabot was stopped (%d)", before)
	}
	startKlabot(t, srv, dir, env)
	waitFor(t, "the rest of the broadcast", 30*time.Second, func() bool { return len(broadcastsTo(srv)) == n })
	got := broadcastsTo(srv)
	for id := int64(first); id < first+n; id++ {
		if got[id] != 1 {
			t.Errorf("chat %d got the broadcast %d times", id, got[id])
		}
	}
	waitAllRecordedSent(t, db, n)
	t.Logf("%d of %d sent before the stop; %d 429s", before, n, srv.Stats().RateLimited)
}

// With Telegram out of reach at start (no internet at the office yet), the
// rest of klabot works meanwhile: a due broadcast is queued for everyone,
// to go as soon as Telegram answers.
func TestWorkGoesOnWhileTelegramIsUnreachable(t *testing.T) {
	dir := t.TempDir()
	const first, n = 7001, 5
	seedTelegramPeople(t, dir, first, n)
	db := openDB(t, dir)
	broadcastToAllNow(t, db, "Pelatihan ditunda.")
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // its address now refuses connections
	runKlabot(t, map[string]string{
		"KLABOT_DATA_DIR":              dir,
		"KLABOT_TELEGRAM_TOKEN":        testToken,
		"KLABOT_TELEGRAM_API_ENDPOINT": closed.URL + "/bot%s/%s",
	})
	waitFor(t, "the broadcast queued", 10*time.Second, func() bool {
		pending, err := db.PendingOutbox(context.Background(), "telegram", 100)
		return err == nil && len(pending) == n
	})
}

// Someone chatting while a broadcast to many people goes out at Telegram's
// limits is answered within a second or two: conversation replies go ahead
// of every broadcast message already waiting in the outbox.
func TestRepliesGoAheadOfABroadcast(t *testing.T) {
	srv := newServer(t)
	srv.EnforceLimits(fakeapi.Limits{Global: 30, PerChat: 1})
	dir := t.TempDir()
	const first, n = 6001, 300 // ten seconds of sending at 30/s
	seedTelegramPeople(t, dir, first, n)
	db := openDB(t, dir)
	broadcastToAllNow(t, db, "Pelatihan pengasuhan anak hari Sabtu.")
	startKlabot(t, srv, dir, map[string]string{"KLABOT_TELEGRAM_RATE": "30", "KLABOT_TELEGRAM_PER_CHAT_RATE": "1"})
	waitFor(t, "the broadcast under way", 20*time.Second, func() bool { return len(broadcastsTo(srv)) >= 30 })

	chatter := fakeapi.User{ID: first + n - 1, FirstName: "Rina"} // among the last the broadcast reaches
	for i := range 3 {
		had := len(srv.SentTo(chatter.ID))
		asked := time.Now()
		srv.SendText(chatter.ID, chatter, "menu")
		var answered time.Time
		waitFor(t, "the answer", 15*time.Second, func() bool {
			for _, s := range srv.SentTo(chatter.ID)[had:] {
				if strings.Contains(s.Text, "Menu utama") {
					answered = s.At
					return true
				}
			}
			return false
		})
		if wait := answered.Sub(asked); wait > 4*time.Second {
			t.Errorf("answer %d took %s while the broadcast was going out", i+1, wait.Round(time.Millisecond))
		}
		time.Sleep(500 * time.Millisecond)
	}
	if got := len(broadcastsTo(srv)); got >= n {
		t.Fatalf("the broadcast was over (%d sent) before the last answer: nothing was measured", got)
	}
}
