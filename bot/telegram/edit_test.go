package telegram_test

import (
	"context"
	"errors"
	"testing"

	"klabot/bot/message"
	"klabot/bot/telegram/fakeapi"
)

// The adapter tells the id of what it sent, edits a message in place (an
// edit that changes nothing counts as done), and sends a photo again by
// the file_id Telegram gave, without uploading it.
func TestSendIDEditAndPhotoByRef(t *testing.T) {
	srv := fakeapi.New(token) // the fake checks edits as Telegram does
	defer srv.Close()
	tg := connect(t, srv)
	defer tg.Close()
	ctx := context.Background()

	id, err := tg.SendID(ctx, "55", message.Outbound{Text: "Siaran #1: terkirim 0 dari 10",
		Buttons: []message.Button{{Label: "Jeda", Data: "/siaran jeda 1"}}})
	if err != nil || id == "" {
		t.Fatalf("send: %q, %v", id, err)
	}
	edited, err := tg.SendID(ctx, "55", message.Outbound{Text: "Siaran #1: terkirim 5 dari 10",
		Buttons: []message.Button{{Label: "Jeda", Data: "/siaran jeda 1"}}, Edit: id})
	if err != nil || edited != id {
		t.Fatalf("edit: %q, %v", edited, err)
	}
	if _, err := tg.SendID(ctx, "55", message.Outbound{Text: "Siaran #1: terkirim 5 dari 10",
		Buttons: []message.Button{{Label: "Jeda", Data: "/siaran jeda 1"}}, Edit: id}); err != nil {
		t.Errorf("an edit that changes nothing: %v", err)
	}
	if err := tg.Send(ctx, "55", message.Outbound{Text: "Selesai", Edit: "999"}); err == nil {
		t.Error("editing a message that does not exist succeeded")
	} else if se := (*message.SendError)(nil); !errors.As(err, &se) || se.Temporary || se.Blocked || se.RetryAfter > 0 {
		t.Errorf("editing a missing message: %v, want a permanent failure", err)
	}
	sent := srv.SentTo(55)
	if len(sent) != 2 || sent[1].Method != "editMessageText" || sent[1].Text != "Siaran #1: terkirim 5 dari 10" {
		t.Fatalf("sent %+v", sent)
	}
	if b, ok := sent[1].ReplyMarkup.Find("Jeda"); !ok || b.CallbackData != "/siaran jeda 1" {
		t.Errorf("the edit lost its keys: %v", sent[1].ReplyMarkup.Buttons())
	}

	srv.AddFile("AgACAgIAAxkBAAIB", []byte("jpeg"))
	if _, err := tg.SendID(ctx, "56", message.Outbound{Text: "Lomba foto",
		Attachment: &message.Attachment{Kind: "photo", Ref: "AgACAgIAAxkBAAIB"}}); err != nil {
		t.Fatal(err)
	}
	photo := srv.SentTo(56)
	if len(photo) != 1 || photo[0].Method != "sendPhoto" || photo[0].FileID != "AgACAgIAAxkBAAIB" || photo[0].Uploaded ||
		photo[0].Caption != "Lomba foto" {
		t.Errorf("photo by reference: %+v", photo)
	}
}
