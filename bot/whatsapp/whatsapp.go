// Package whatsapp is klabot's WhatsApp adapter, through whatsmeow (a
// linked device of the office's phone number). It turns whatsmeow events
// into message.Inbound messages and message.Outbound messages into WhatsApp
// messages, and watches the connection: logged out, replaced by a second
// klabot, temporarily banned. It knows WhatsApp and nothing else.
//
// Choices are sent as numbered text: buttons and lists do not show for
// accounts that are not official business accounts.
package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"klabot/bot/message"
	"klabot/locales"
)

// Name is the channel id of WhatsApp contacts.
const Name = "whatsapp"

// Receiver takes messages and says when each is committed: bot.Dispatcher.
type Receiver interface {
	Submit(ctx context.Context, in message.Inbound) <-chan error
}

// TroubleKind is what went wrong with the connection.
type TroubleKind string

const (
	// LoggedOut: the linked device was removed (on the phone, or by
	// WhatsApp). WhatsApp stops until someone links it again.
	LoggedOut TroubleKind = "logged_out"
	// Replaced: a second klabot connected with the same session. This one
	// stops.
	Replaced TroubleKind = "replaced"
	// Banned: WhatsApp banned the number for a while. Nothing is sent until
	// the ban ends; then klabot connects again.
	Banned TroubleKind = "banned"
	// Failed: WhatsApp refused the connection for another reason (e.g. this
	// klabot is too old). WhatsApp stops.
	Failed TroubleKind = "failed"
)

// Trouble is told to Config.OnTrouble, so staff learn of it on their other
// channels.
type Trouble struct {
	Kind  TroubleKind
	Text  string    // what to tell staff, in the configured language
	Until time.Time // Banned: when the ban ends
}

// Config configures the adapter.
type Config struct {
	Lang     string         // language of the notice to callers and of staff notices
	Location *time.Location // for times in staff notices (WIB)
	// OnTrouble is called (in its own goroutine) when WhatsApp stops or is
	// banned.
	OnTrouble func(Trouble)
	Now       func() time.Time
	// IdleAfter is how long after its last message klabot shows the
	// number offline again (default 30 s); see presence.
	IdleAfter time.Duration
}

// WhatsApp is the adapter.
type WhatsApp struct {
	client Client
	cfg    Config
	log    *slog.Logger

	// Set by Run before events arrive; read-only after.
	ctx      context.Context
	receiver Receiver

	stopped  chan struct{} // closed when WhatsApp stops for good
	stopOnce sync.Once
	wg       sync.WaitGroup // receipts, notices and reconnects in flight

	mu          sync.Mutex
	closing     bool // Run is returning: start nothing more in the background
	bannedUntil time.Time
	callsNoted  map[string]time.Time // callers told we do not take calls

	presenceMu sync.Mutex
	presence   presence
}

// New makes the adapter for a client (Session.Client, or a fake in tests).
func New(client Client, cfg Config, log *slog.Logger) *WhatsApp {
	if cfg.Lang == "" {
		cfg.Lang = locales.Default
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.IdleAfter <= 0 {
		cfg.IdleAfter = defaultIdleAfter
	}
	return &WhatsApp{
		client: client, cfg: cfg, log: log.With("channel", Name),
		stopped: make(chan struct{}), callsNoted: map[string]time.Time{},
	}
}

// Name implements message.Channel.
func (w *WhatsApp) Name() string { return Name }

// Run connects and hands messages to r until ctx ends or WhatsApp stops for
// good (logged out, replaced, refused); then it returns nil, so the other
// channels keep running. whatsmeow reconnects by itself after network
// trouble.
func (w *WhatsApp) Run(ctx context.Context, r Receiver) error {
	w.mu.Lock()
	w.ctx, w.receiver = ctx, r
	w.mu.Unlock()
	w.client.AddEventHandlerWithSuccessStatus(w.handle)
	if err := w.client.Connect(); err != nil {
		// whatsmeow keeps trying by itself after network trouble; this
		// is a refusal, or a broken session.
		w.mu.Lock()
		w.closing = true
		w.mu.Unlock()
		return fmt.Errorf("connect to WhatsApp: %w", hide(err))
	}
	select {
	case <-ctx.Done():
	case <-w.stopped:
	}
	w.client.Disconnect()
	w.mu.Lock()
	w.closing = true
	w.mu.Unlock()
	w.wg.Wait()
	return nil
}

// handle is whatsmeow's event handler. whatsmeow calls it for one event at
// a time, so it does nothing slow but wait for a message's commit; true
// lets whatsmeow acknowledge the event.
func (w *WhatsApp) handle(evt any) bool {
	switch e := evt.(type) {
	case *events.Message:
		return w.onMessage(e)
	case *events.CallOffer:
		w.onCall(e.BasicCallMeta)
	case *events.CallOfferNotice:
		if e.Type != "group" {
			w.onCall(e.BasicCallMeta)
		}
	case *events.Connected:
		w.log.Info("connected")
		// Shown as offline until klabot writes, so the office phone keeps
		// its notifications.
		w.background(quickly, w.beOffline)
	case *events.Disconnected:
		// whatsmeow reconnects by itself, with growing pauses.
		w.log.Warn("disconnected; reconnecting")
	case *events.StreamError:
		w.log.Warn("WhatsApp closed the connection; reconnecting", "code", e.Code)
	case *events.KeepAliveTimeout:
		w.log.Warn("WhatsApp does not answer; waiting", "errors", e.ErrorCount)
	case *events.KeepAliveRestored:
		w.log.Info("WhatsApp answers again")
	case *events.UndecryptableMessage:
		w.log.Warn("a message could not be decrypted; WhatsApp asks the sender's phone to send it again")
	case *events.LoggedOut:
		switch e.Reason {
		case events.ConnectFailureMainDeviceGone, events.ConnectFailureUnknownLogout:
			// WhatsApp's own words for these are "locked" and "banned":
			// linking again will not help until the number is cleared.
			w.stop(LoggedOut, w.t("wa.staff_locked", int(e.Reason)), "WhatsApp banned or locked the number", "reason", e.Reason.String())
		default:
			w.stop(LoggedOut, w.t("wa.staff_logged_out"), "the linked device was logged out", "reason", e.Reason.String())
		}
	case *events.StreamReplaced:
		w.stop(Replaced, w.t("wa.staff_replaced"), "another program connected with this WhatsApp session")
	case *events.ClientOutdated:
		w.stop(Failed, w.t("wa.staff_failed", "405 client outdated"), "WhatsApp says this version is too old: update klabot")
	case *events.ConnectFailure:
		reason := fmt.Sprintf("%d %s", int(e.Reason), e.Message)
		w.stop(Failed, w.t("wa.staff_failed", reason), "WhatsApp refused the connection", "reason", reason)
	case *events.TemporaryBan:
		w.onBan(e)
	}
	return true
}

// onMessage hands a message to the dispatcher and waits until it is
// committed: only then may WhatsApp forget it. Read receipts follow.
func (w *WhatsApp) onMessage(evt *events.Message) bool {
	in, ok := w.inbound(w.ctx, evt)
	if !ok {
		return true
	}
	select {
	case err := <-w.receiver.Submit(w.ctx, in):
		if err != nil {
			w.log.Error("message not committed; WhatsApp will deliver it again", "err", err)
			return false
		}
	case <-w.ctx.Done():
		return false // not acknowledged: delivered again after the restart
	}
	info := evt.Info
	w.background(quickly, func(ctx context.Context) {
		err := w.client.MarkRead(ctx, []types.MessageID{info.ID}, w.cfg.Now(), info.Chat, info.Sender)
		if err != nil {
			w.log.Debug("send read receipt", "err", hide(err))
		}
	})
	return true
}

// callNoticeEvery is how often one caller is told that calls are not taken.
const callNoticeEvery = 24 * time.Hour

// onCall answers a call with a short text, once a day per caller: the bot
// cannot take calls (staff may still pick up on the office phone).
func (w *WhatsApp) onCall(call types.BasicCallMeta) {
	if !call.GroupJID.IsEmpty() {
		return
	}
	caller := call.CallCreator
	if caller.IsEmpty() {
		caller = call.From
	}
	address := w.addressOf(w.ctx, caller, call.CallCreatorAlt)
	now := w.cfg.Now()
	w.mu.Lock()
	last, told := w.callsNoted[address]
	due := !told || now.Sub(last) >= callNoticeEvery
	if due {
		if len(w.callsNoted) >= 1000 {
			for a, at := range w.callsNoted {
				if now.Sub(at) >= callNoticeEvery {
					delete(w.callsNoted, a)
				}
			}
		}
		w.callsNoted[address] = now
	}
	w.mu.Unlock()
	if !due {
		return
	}
	w.background(quickly, func(ctx context.Context) {
		if err := w.Send(ctx, address, message.Outbound{Text: w.t("wa.call_notice")}); err != nil {
			w.log.Warn("answer a call with a text", "err", hide(err))
		}
	})
}

// banReasons names WhatsApp's ban codes for staff.
var banReasons = map[events.TempBanReason]string{
	events.TempBanSentToTooManyPeople:    "wa.ban_too_many_people",
	events.TempBanBlockedByUsers:         "wa.ban_blocked",
	events.TempBanCreatedTooManyGroups:   "wa.ban_groups",
	events.TempBanSentTooManySameMessage: "wa.ban_same_message",
	events.TempBanBroadcastList:          "wa.ban_broadcast_list",
}

// unknownBanLength is assumed when WhatsApp does not say when a ban ends.
const unknownBanLength = 24 * time.Hour

// onBan stops all sending until the ban ends, tells staff why and until
// when, and then connects again (whatsmeow does not, after a ban).
func (w *WhatsApp) onBan(e *events.TemporaryBan) {
	length := e.Expire
	if length <= 0 {
		length = unknownBanLength
	}
	until := w.cfg.Now().Add(length)
	w.mu.Lock()
	w.bannedUntil = until
	w.mu.Unlock()
	reasonKey, ok := banReasons[e.Code]
	if !ok {
		reasonKey = "wa.ban_unknown"
	}
	when := until.In(w.cfg.Location).Format("02-01-2006 15:04 MST")
	w.log.Error("WhatsApp banned the number for a while; nothing is sent until the ban ends",
		"reason", e.Code.String(), "until", until)
	w.notify(Trouble{Kind: Banned, Text: w.t("wa.staff_banned", w.t(reasonKey), when), Until: until})
	w.background(0, func(ctx context.Context) {
		t := time.NewTimer(length)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-w.stopped:
		case <-t.C:
			w.log.Info("the ban should be over; connecting again")
			if err := w.client.Connect(); err != nil {
				w.log.Error("connect after the ban", "err", hide(err))
			}
		}
	})
}

// stop ends WhatsApp for good: Run returns, the sender stops, and staff
// are told on their other channels.
func (w *WhatsApp) stop(kind TroubleKind, staffText, logMsg string, logArgs ...any) {
	w.stopOnce.Do(func() {
		w.log.Error("WhatsApp stopped: "+logMsg, logArgs...)
		w.notify(Trouble{Kind: kind, Text: staffText}) // before Run can return
		close(w.stopped)
	})
}

func (w *WhatsApp) notify(t Trouble) {
	if w.cfg.OnTrouble == nil {
		return
	}
	w.background(quickly, func(context.Context) { w.cfg.OnTrouble(t) })
}

// background runs fn without holding up whatsmeow's event loop, with a
// context that ends when Run's does (or after timeout, if not 0); Run
// waits for it before returning.
func (w *WhatsApp) background(timeout time.Duration, fn func(ctx context.Context)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closing || w.ctx == nil || w.ctx.Err() != nil {
		return
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		ctx := w.ctx
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		fn(ctx)
	}()
}

// quickly bounds background calls to WhatsApp (receipts, presence, notices).
const quickly = time.Minute

func (w *WhatsApp) t(key string, args ...any) string { return locales.T(w.cfg.Lang, key, args...) }

var (
	errStopped = errors.New("WhatsApp is stopped")
	errBanned  = errors.New("WhatsApp has banned the number for a while")
)

// maxCaption is how long a caption may be before the text goes separately.
const maxCaption = 1024

// Send implements message.Channel: online and "typing…", then the message,
// choices as numbered lines, a file uploaded first.
func (w *WhatsApp) Send(ctx context.Context, address string, m message.Outbound) error {
	if err := w.sendable(); err != nil {
		return err
	}
	to, err := jidOf(address)
	if err != nil {
		return &message.SendError{Err: fmt.Errorf("bad WhatsApp address: %w", err)}
	}
	msgs, err := w.messages(ctx, m)
	if err != nil {
		return err
	}
	w.beOnline(ctx)
	if err := w.client.SendChatPresence(ctx, to, types.ChatPresenceComposing, ""); err != nil {
		w.log.Debug("send typing", "err", hide(err)) // only a courtesy
	}
	for _, msg := range msgs {
		if _, err := w.client.SendMessage(ctx, to, msg); err != nil {
			return classify(err)
		}
	}
	return nil
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
		return nil, classify(err)
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

// classify maps a whatsmeow error to what the sender should do. The
// error's text, which the sender logs, has numbers hidden.
func classify(err error) error {
	se := classifyRaw(err)
	se.Err = hide(se.Err)
	return se
}

func classifyRaw(err error) *message.SendError {
	switch {
	case errors.Is(err, whatsmeow.ErrRecipientADJID), errors.Is(err, whatsmeow.ErrUnknownServer),
		errors.Is(err, whatsmeow.ErrBroadcastListUnsupported):
		return &message.SendError{Err: err}
	case strings.Contains(err.Error(), "no LID found"):
		// whatsmeow's words for a number that has no WhatsApp account.
		return &message.SendError{Blocked: true, Err: err}
	case errors.Is(err, whatsmeow.ErrServerReturnedError):
		// "server returned error 4xx" will not change by trying again.
		var code int
		s := err.Error()
		if i := strings.Index(s, whatsmeow.ErrServerReturnedError.Error()); i >= 0 {
			fmt.Sscanf(s[i+len(whatsmeow.ErrServerReturnedError.Error()):], "%d", &code)
		}
		if code >= 400 && code < 500 {
			return &message.SendError{Err: err}
		}
	}
	// Not connected, timeouts, upload trouble: losing a message is worse
	// than trying once more.
	return &message.SendError{Temporary: true, Err: err}
}
