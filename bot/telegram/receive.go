package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"klabot/bot/message"
)

// Receiver is what the poll loop hands messages to: bot.Dispatcher.
type Receiver interface {
	Submit(ctx context.Context, in message.Inbound) <-chan error
}

// Poll long-polls getUpdates until ctx ends. An update is acknowledged
// (by asking for the next offset) only after it and its replies are
// committed, so a crash before that means Telegram delivers it again, and
// the dedupe log makes that redelivery harmless.
func (t *Telegram) Poll(ctx context.Context, r Receiver) error {
	offset := 0
	failures := 0
	for ctx.Err() == nil {
		pollCtx, cancel := context.WithTimeout(ctx, t.cfg.PollTimeout+15*time.Second)
		updates, last, err := t.getUpdates(pollCtx, offset)
		cancel()
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			err = t.redact(err)
			t.cfg.Health.Down(errorKind(err), time.Now())
			var apiErr *tgbotapi.Error
			switch {
			case errors.As(err, &apiErr) && apiErr.Code == http.StatusConflict:
				t.log.Error("another program is receiving this bot's updates (a second klabot, or a webhook); retrying", "err", err)
			case errors.As(err, &apiErr) && apiErr.Code == http.StatusUnauthorized:
				// Revoked in @BotFather while klabot runs: nothing arrives
				// until KLABOT_TELEGRAM_TOKEN holds the new one.
				t.log.Error("telegram rejected the token: set the new one in KLABOT_TELEGRAM_TOKEN and restart; retrying", "err", err)
			default:
				t.log.Warn("get updates failed, retrying", "err", err)
			}
			sleep(ctx, retryWait(err, failures))
			failures++
			continue
		}
		failures = 0
		t.cfg.Health.Up()
		if last < offset {
			continue
		}
		if err := t.handle(ctx, r, updates); err != nil {
			// Not acknowledged: the same updates come again and the ones
			// already committed are skipped as duplicates.
			t.log.Error("updates not committed, will fetch them again", "err", err)
			sleep(ctx, time.Second)
			continue
		}
		offset = last + 1
	}
	return nil
}

// getUpdates asks for the next updates and returns those it can read, and
// the id of the last one given (below offset when none was). The client
// library reads a batch all at once and fails it whole on one update it
// cannot read, which would hold up every message after it for ever; here
// such an update is logged and passed over.
func (t *Telegram) getUpdates(ctx context.Context, offset int) ([]tgbotapi.Update, int, error) {
	resp, err := t.api(ctx).Request(tgbotapi.UpdateConfig{
		Offset: offset, Limit: 100, Timeout: int(t.cfg.PollTimeout.Seconds()),
		AllowedUpdates: []string{"message", "edited_message", "callback_query", "my_chat_member"},
	})
	if err != nil {
		return nil, 0, err
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(resp.Result, &raw); err != nil {
		return nil, 0, fmt.Errorf("read updates: %w", err)
	}
	last := offset - 1
	updates := make([]tgbotapi.Update, 0, len(raw))
	for _, r := range raw {
		var id struct {
			UpdateID int `json:"update_id"`
		}
		if err := json.Unmarshal(r, &id); err != nil {
			return nil, 0, fmt.Errorf("read update id: %w", err)
		}
		last = max(last, id.UpdateID)
		var u tgbotapi.Update
		if err := json.Unmarshal(r, &u); err != nil {
			t.log.Error("cannot read an update; passed over", "update_id", id.UpdateID, "err", err)
			continue
		}
		updates = append(updates, u)
	}
	return updates, last, nil
}

// handle submits a batch of updates and waits until all are committed.
// Button presses are acknowledged side by side, each once its update is
// committed: one after another, a batch of presses would hold up the next
// poll by a round trip each.
func (t *Telegram) handle(ctx context.Context, r Receiver, updates []tgbotapi.Update) error {
	type pending struct {
		done     <-chan error
		callback string
	}
	var answers sync.WaitGroup
	defer answers.Wait()
	answer := func(id string) { answers.Go(func() { t.answerCallback(ctx, id) }) }
	var waits []pending
	for _, u := range updates {
		in, ok := toInbound(u)
		if !ok {
			if u.CallbackQuery != nil {
				answer(u.CallbackQuery.ID)
			}
			continue
		}
		p := pending{done: r.Submit(ctx, in)}
		if u.CallbackQuery != nil {
			p.callback = u.CallbackQuery.ID
		}
		waits = append(waits, p)
	}
	var firstErr error
	for _, p := range waits {
		if err := <-p.done; err != nil && firstErr == nil {
			firstErr = err
		}
		if p.callback != "" {
			answer(p.callback)
		}
	}
	return firstErr
}

// answerCallback stops the button's loading spinner; the real answer goes
// through the outbox. Best effort: a missed answer only leaves a spinner.
func (t *Telegram) answerCallback(ctx context.Context, id string) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := t.api(ctx).Request(tgbotapi.NewCallback(id, "")); err != nil {
		t.log.Debug("answer callback", "err", t.redact(err))
	}
}

// toInbound normalises an update; false for updates klabot does not act on
// (channel posts, inline queries, a button on an inline message).
func toInbound(u tgbotapi.Update) (message.Inbound, bool) {
	in := message.Inbound{Channel: Name, MessageID: strconv.Itoa(u.UpdateID)}
	var chat *tgbotapi.Chat
	var msg *tgbotapi.Message
	switch {
	case u.Message != nil:
		msg, chat = u.Message, u.Message.Chat
		in.Input = inputOf(msg)
	case u.EditedMessage != nil:
		msg, chat = u.EditedMessage, u.EditedMessage.Chat
		in.Input = message.Input{Kind: message.KindEdited, Text: msg.Text}
	case u.CallbackQuery != nil:
		// Inline-mode callbacks have no message (and FromChat would panic).
		if u.CallbackQuery.Message == nil || u.CallbackQuery.Message.Chat == nil {
			return in, false
		}
		msg, chat = u.CallbackQuery.Message, u.CallbackQuery.Message.Chat
		in.Input = message.Input{Kind: message.KindButton, Payload: u.CallbackQuery.Data}
		in.Time = time.Now()
	case u.MyChatMember != nil:
		if !u.MyChatMember.Chat.IsPrivate() {
			return in, false
		}
		chat = &u.MyChatMember.Chat
		in.ChatID = strconv.FormatInt(chat.ID, 10)
		switch u.MyChatMember.NewChatMember.Status {
		case "kicked":
			in.Blocked = true
		case "member":
			in.Unblocked = true
		default:
			return in, false
		}
		return in, true
	default:
		return in, false
	}
	if chat == nil {
		return in, false
	}
	in.ChatID = strconv.FormatInt(chat.ID, 10)
	in.Group = !chat.IsPrivate()
	if in.Time.IsZero() && msg != nil {
		in.Time = msg.Time()
	}
	return in, true
}

// inputOf reads what kind of message a person sent.
func inputOf(m *tgbotapi.Message) message.Input {
	in := message.Input{Kind: message.KindText, Text: m.Text}
	media := func(kind message.Kind, ref, mime, name string, size int) {
		in.Kind, in.Text = kind, m.Caption
		in.Media = &message.Media{Ref: ref, Mime: mime, FileName: name, Size: int64(size)}
	}
	switch {
	case len(m.Photo) > 0:
		p := m.Photo[len(m.Photo)-1] // the largest size
		media(message.KindPhoto, p.FileID, "image/jpeg", "", p.FileSize)
	case m.Voice != nil:
		media(message.KindVoice, m.Voice.FileID, m.Voice.MimeType, "", m.Voice.FileSize)
	case m.Audio != nil:
		media(message.KindVoice, m.Audio.FileID, m.Audio.MimeType, m.Audio.FileName, m.Audio.FileSize)
	case m.Video != nil:
		media(message.KindVideo, m.Video.FileID, m.Video.MimeType, m.Video.FileName, m.Video.FileSize)
	case m.VideoNote != nil:
		media(message.KindVideo, m.VideoNote.FileID, "video/mp4", "", m.VideoNote.FileSize)
	case m.Document != nil:
		media(message.KindDocument, m.Document.FileID, m.Document.MimeType, m.Document.FileName, m.Document.FileSize)
	case m.Sticker != nil:
		in = message.Input{Kind: message.KindSticker}
	case m.Location != nil:
		in = message.Input{Kind: message.KindLocation, Lat: m.Location.Latitude, Lon: m.Location.Longitude}
	case m.Contact != nil:
		in = message.Input{Kind: message.KindContact, Phone: m.Contact.PhoneNumber}
		// Only a person's own number counts as theirs.
		if m.From == nil || m.Contact.UserID != m.From.ID {
			in.Phone = ""
		}
	case m.Text == "":
		in.Kind = message.KindOther
	}
	return in
}
