package telegram_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"klabot/bot"
	"klabot/bot/message"
	"klabot/bot/telegram/fakeapi"
	"klabot/store"
)

// A reply longer than Telegram allows goes as several messages, each
// exactly once, even when Telegram holds back the second part (one message
// a second to a chat): a retry must not send the first part again. The same
// holds for a photo whose text is too long for a caption.
func TestLongReplyPartsSentOnceUnderChatLimit(t *testing.T) {
	srv := fakeapi.New(token)
	defer srv.Close()
	srv.EnforceLimits(fakeapi.Limits{PerChat: 1})
	tg := connect(t, srv)
	defer tg.Close()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sender := bot.NewSender(db, tg, bot.Limits{}, quiet)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go sender.Run(ctx)
	srv.AddFile("AgACAgIAAxkBAAIC", []byte("jpeg"))

	long := strings.Repeat("Baris laporan yang panjang.\n", 200) // ~5,600 characters
	if err := db.Tx(ctx, func(tx *store.Tx) error {
		if err := bot.NotifyStaff(tx, map[string]bool{"telegram:61": true}, store.PriorityReply, message.Outbound{Text: long}, time.Now()); err != nil {
			return err
		}
		return bot.NotifyStaff(tx, map[string]bool{"telegram:62": true}, store.PriorityReply, message.Outbound{Text: long[:1500],
			Attachment: &message.Attachment{Kind: "photo", Ref: "AgACAgIAAxkBAAIC"}}, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	sender.Wake()
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := srv.WaitSentTo(wait, 61, 2); err != nil {
		t.Fatalf("the long reply did not arrive: %v", err)
	}
	if _, err := srv.WaitSentTo(wait, 62, 2); err != nil {
		t.Fatalf("the photo with a long text did not arrive: %v", err)
	}
	// Every row delivered and recorded: a wrong retry of a part would
	// have been sent by now.
	for {
		pending, _, _, err := db.OutboxCounts(ctx, "telegram")
		if err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if wait.Err() != nil {
			t.Fatalf("%d messages still pending", pending)
		}
		time.Sleep(10 * time.Millisecond)
	}
	sent := srv.SentTo(61)
	var got strings.Builder
	for _, m := range sent {
		got.WriteString(m.Text + "\n")
	}
	// Cut at a line break, which is dropped: every line arrives whole.
	if len(sent) != 2 || strings.Join(strings.Fields(got.String()), " ") != strings.Join(strings.Fields(long), " ") {
		t.Errorf("%d messages sent for a reply of two parts (%d characters of %d)", len(sent), got.Len(), len(long))
	}
	if photo := srv.SentTo(62); len(photo) != 2 || photo[0].Method != "sendPhoto" || photo[1].Text != long[:1500] {
		t.Errorf("photo with a long text sent as %d messages", len(photo))
	}
}
