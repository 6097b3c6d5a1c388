package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"klabot/bot/message"
)

var (
	errStopped = errors.New("WhatsApp is stopped")
	errBanned  = errors.New("WhatsApp has banned the number for a while")
	// ErrNoWhatsApp: the number has no WhatsApp account (WhatsApp knows
	// no LID for it).
	ErrNoWhatsApp = errors.New("the number has no WhatsApp account")
)

// maxCaption is how long a caption may be before the text goes separately.
const maxCaption = 1024

// max479 is how often WhatsApp may answer 479 to one outbox row before it
// is given up: the code is often passing, but not always.
const max479 = 5

// part is one WhatsApp message an outbox row goes out as, with the id it
// keeps across tries.
type part struct {
	n    int
	id   types.MessageID
	msg  *waE2E.Message
	sent bool
}

// Send implements bot.Channel: online and "typing…" for a while in
// proportion to the text, then the message, choices as numbered lines, a
// file uploaded first. Sent from the outbox, each message gets its id
// before the first try and keeps it, so a retry after a timeout is not
// shown twice and a file is not uploaded again.
func (w *WhatsApp) Send(ctx context.Context, address string, m message.Outbound) error {
	if err := w.sendable(); err != nil {
		return err
	}
	to, err := jidOf(address)
	if err != nil {
		return &message.SendError{Err: fmt.Errorf("bad WhatsApp address: %w", err)}
	}
	// Asked the way whatsmeow asks before sending, so that a number
	// without WhatsApp is known by the answer, not by an error's words.
	switch has, err := w.client.HasWhatsApp(ctx, to); {
	case err != nil:
		return w.classify(0, err)
	case !has:
		return &message.SendError{Blocked: true, Err: ErrNoWhatsApp}
	}
	outboxID, _ := message.OutboxID(ctx)
	parts, err := w.parts(ctx, outboxID, m)
	if err != nil {
		return err
	}
	w.beOnline(ctx)
	if err := w.client.SendChatPresence(ctx, to, types.ChatPresenceComposing, ""); err != nil {
		w.log.Debug("send typing", "err", hide(err)) // only a courtesy
	} else if err := w.pause(ctx, w.cfg.Typing(m.NumberedTextWithCommands())); err != nil {
		return &message.SendError{Temporary: true, Err: err}
	}
	for _, p := range parts {
		if p.sent {
			continue // went out on an earlier try
		}
		if _, err := w.client.SendMessage(ctx, to, p.msg, whatsmeow.SendRequestExtra{ID: p.id}); err != nil {
			return w.classify(outboxID, err)
		}
		if outboxID != 0 && w.cfg.Memory != nil {
			if err := w.cfg.Memory.PartSent(context.WithoutCancel(ctx), outboxID, p.n, w.cfg.Now()); err != nil {
				// A retry sends it again with the same id: WhatsApp shows it once.
				w.log.Warn("note a sent part", "err", err)
			}
		}
	}
	w.mu.Lock()
	delete(w.tries479, outboxID)
	w.mu.Unlock()
	return nil
}

// TypingTime is how long "typing…" shows before a text: about as long
// as a quick typist would take, at least a second, at most four.
func TypingTime(text string) time.Duration {
	d := time.Duration(len([]rune(text))) * 25 * time.Millisecond
	return min(max(d, time.Second), 4*time.Second)
}

// pause waits d, or until ctx ends.
func (w *WhatsApp) pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sendable says whether anything may be sent now.
func (w *WhatsApp) sendable() error {
	select {
	case <-w.stopped:
		return &message.SendError{Temporary: true, Err: errStopped}
	default:
	}
	w.mu.Lock()
	until := w.bannedUntil
	w.mu.Unlock()
	if wait := until.Sub(w.cfg.Now()); wait > 0 {
		// The sender holds the whole channel back that long.
		return &message.SendError{RetryAfter: wait, Err: errBanned}
	}
	if !w.client.IsConnected() {
		return &message.SendError{Temporary: true, Err: whatsmeow.ErrNotConnected}
	}
	return nil
}

// parts are the messages an outbox row goes out as: those stored at its
// first try, or new ones, stored before they are first sent. A row not
// from the outbox (outboxID 0) gets new ids every time.
func (w *WhatsApp) parts(ctx context.Context, outboxID int64, m message.Outbound) ([]part, error) {
	keep := outboxID != 0 && w.cfg.Memory != nil
	if keep {
		stored, err := w.cfg.Memory.Parts(ctx, outboxID)
		if err != nil {
			return nil, &message.SendError{Temporary: true, Err: err}
		}
		if len(stored) > 0 {
			parts := make([]part, len(stored))
			for i, s := range stored {
				msg := &waE2E.Message{}
				if err := proto.Unmarshal(s.Message, msg); err != nil {
					return nil, &message.SendError{Err: fmt.Errorf("decode a stored message: %w", err)}
				}
				parts[i] = part{n: s.N, id: types.MessageID(s.ID), msg: msg, sent: s.Sent}
			}
			return parts, nil
		}
	}
	msgs, err := w.messages(ctx, m)
	if err != nil {
		return nil, err
	}
	parts := make([]part, len(msgs))
	rows := make([]message.Part, len(msgs))
	for i, msg := range msgs {
		parts[i] = part{n: i, id: w.client.GenerateMessageID(), msg: msg}
		raw, err := proto.Marshal(msg)
		if err != nil {
			return nil, &message.SendError{Err: fmt.Errorf("encode message: %w", err)}
		}
		rows[i] = message.Part{N: i, ID: string(parts[i].id), Message: raw}
	}
	if keep {
		// Not sent without its id stored: a second try would send another.
		if err := w.cfg.Memory.SaveParts(ctx, outboxID, rows); err != nil {
			return nil, &message.SendError{Temporary: true, Err: err}
		}
	}
	return parts, nil
}

// messageForRetry answers whatsmeow's GetMessageForRetry: a person's
// phone that could not decrypt a message asks for it again, maybe long
// after a restart emptied whatsmeow's memory of the last 256.
func (w *WhatsApp) messageForRetry(requester, to types.JID, id types.MessageID) *waE2E.Message {
	if w.cfg.Memory == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	raw, err := w.cfg.Memory.Message(ctx, string(id))
	if err != nil || raw == nil {
		if err != nil {
			w.log.Warn("look up a message asked for again", "err", err)
		}
		return nil
	}
	msg := &waE2E.Message{}
	if err := proto.Unmarshal(raw, msg); err != nil {
		w.log.Warn("decode a message asked for again", "err", err)
		return nil
	}
	w.log.Info("a recipient's phone asked for a message again; sent from the outbox")
	return msg
}

// messages builds what to send: the text, or the file with the text as its
// caption (or after it, when too long for one).
func (w *WhatsApp) messages(ctx context.Context, m message.Outbound) ([]*waE2E.Message, error) {
	// Choices are numbered lines. A choice that is a command (a staff
	// alert's "Terima" is "/terima LPR-…") also shows the command: a number
	// only selects from the question being asked, and an alert is not that
	// question, but a typed command always works.
	text := m.NumberedTextWithCommands()
	plain := &waE2E.Message{Conversation: proto.String(text)}
	if m.Attachment == nil {
		return []*waE2E.Message{plain}, nil
	}
	data, err := w.attachmentData(ctx, m.Attachment)
	if err != nil {
		return nil, err
	}
	if data == nil {
		// A file only another channel can send (a Telegram file id): the
		// text still goes.
		w.log.Warn("a file from another channel cannot be sent on WhatsApp; the text goes alone")
		return []*waE2E.Message{plain}, nil
	}
	name := m.Attachment.Name
	if name == "" && m.Attachment.Path != "" {
		name = filepath.Base(m.Attachment.Path)
	}
	caption := text
	if len([]rune(text)) > maxCaption {
		caption = ""
	}
	kind := whatsmeow.MediaDocument
	if m.Attachment.Kind == "photo" {
		kind = whatsmeow.MediaImage
	}
	up, err := w.client.Upload(ctx, data, kind)
	if err != nil {
		return nil, w.classify(0, err)
	}
	var file *waE2E.Message
	if kind == whatsmeow.MediaImage {
		file = &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
			Caption: nonEmpty(caption), Mimetype: proto.String(mimeOf(name, data)),
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
			FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: proto.Uint64(up.FileLength),
		}}
	} else {
		file = &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
			Caption: nonEmpty(caption), Mimetype: proto.String(mimeOf(name, data)),
			FileName: proto.String(name), Title: proto.String(name),
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
			FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: proto.Uint64(up.FileLength),
		}}
	}
	if caption == "" && text != "" {
		return []*waE2E.Message{file, plain}, nil
	}
	return []*waE2E.Message{file}, nil
}

// attachmentData reads a file to send: from its path, or, when it is one
// someone sent on WhatsApp, from WhatsApp again. nil, nil for a file that
// only another channel knows.
func (w *WhatsApp) attachmentData(ctx context.Context, a *message.Attachment) ([]byte, error) {
	switch {
	case a.Path != "":
		data, err := os.ReadFile(a.Path)
		if err != nil {
			return nil, &message.SendError{Err: fmt.Errorf("read attachment: %w", err)} // retrying cannot help
		}
		return data, nil
	case strings.HasPrefix(a.Ref, refPrefix):
		r, err := w.Fetch(ctx, a.Ref)
		var fe *message.FetchError
		if errors.As(err, &fe) && fe.Permanent {
			return nil, &message.SendError{Err: fmt.Errorf("fetch attachment: %w", hide(err))}
		}
		if err != nil {
			return nil, &message.SendError{Temporary: true, Err: fmt.Errorf("fetch attachment: %w", hide(err))}
		}
		defer r.Close()
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, &message.SendError{Temporary: true, Err: fmt.Errorf("fetch attachment: %w", err)}
		}
		return data, nil
	}
	return nil, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return proto.String(s)
}

// serverCode is the code of a refusal by WhatsApp's server ("server
// returned error 463"), or 0. whatsmeow gives the code only in the text,
// after its error value.
func serverCode(err error) int {
	if !errors.Is(err, whatsmeow.ErrServerReturnedError) {
		return 0
	}
	s := err.Error()
	i := strings.LastIndex(s, whatsmeow.ErrServerReturnedError.Error())
	if i < 0 {
		return 0
	}
	code, _ := strconv.Atoi(strings.TrimSpace(s[i+len(whatsmeow.ErrServerReturnedError.Error()):]))
	return code
}

// classify maps a whatsmeow error to what the sender should do, and acts
// on the codes that concern the whole number. The error's text, which the
// sender logs, has numbers hidden.
func (w *WhatsApp) classify(outboxID int64, err error) error {
	se := classifyRaw(err)
	switch serverCode(err) {
	case 479:
		// Often passing: tried again a few times, then given up.
		w.mu.Lock()
		w.tries479[outboxID]++
		n := w.tries479[outboxID]
		if n >= max479 || outboxID == 0 && n > 0 {
			delete(w.tries479, outboxID)
		}
		w.mu.Unlock()
		se.Temporary = n < max479
	case 463:
		// The number may not reach out to new people for a while:
		// reminders and broadcasts wait, conversations go on.
		w.holdBulk()
		se.Temporary = true
	}
	se.Err = hide(se.Err)
	return se
}

func classifyRaw(err error) *message.SendError {
	switch {
	case errors.Is(err, ErrNoWhatsApp):
		return &message.SendError{Blocked: true, Err: err}
	case errors.Is(err, whatsmeow.ErrRecipientADJID), errors.Is(err, whatsmeow.ErrUnknownServer),
		errors.Is(err, whatsmeow.ErrBroadcastListUnsupported):
		return &message.SendError{Err: err}
	case errors.Is(err, whatsmeow.ErrServerReturnedError):
		// Other 4xx answers will not change by trying again.
		if code := serverCode(err); code >= 400 && code < 500 {
			return &message.SendError{Err: err}
		}
	}
	// Not connected, timeouts (ErrMessageTimedOut: the message may have
	// left; the same id again is harmless), upload trouble: losing a
	// message is worse than trying once more.
	return &message.SendError{Temporary: true, Err: err}
}
