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
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

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
	// Held: WhatsApp refused a message because the number may not reach
	// out to new people for a while (463). Reminders and broadcasts wait
	// until Until; replies go on.
	Held TroubleKind = "held"
	// BanOver: a temporary ban ended and klabot sends again, slower.
	BanOver TroubleKind = "ban_over"
)

// Stopping tells whether WhatsApp cannot carry the news of this trouble
// itself.
func (k TroubleKind) Stopping() bool { return k != Held && k != BanOver }

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
	// Memory keeps the ids of messages sent from the outbox (a retry
	// sends the same), queues call notices, and what the adapter must
	// remember across restarts (bot.NewMemory). nil in tests that need
	// none of it.
	Memory message.Memory
	// Wake tells the sender that the outbox has something for it now (a
	// notice was queued, WhatsApp is connected again).
	Wake func()
	// DailyCap is the configured daily cap of paced messages, halved for
	// a while after a ban.
	DailyCap int
	// Typing is how long "typing…" shows before a text (default
	// TypingTime).
	Typing func(text string) time.Duration
	// Backoff is the wait before try number n+1 to connect or to commit
	// a message (default: 1 s doubling to 5 min, with jitter).
	Backoff func(n int) time.Duration
	// LateAfter: a message that reaches klabot this long after it was
	// sent is not acted on (default 1 h); see flows.Input.Late.
	LateAfter time.Duration
	// Health, if set, follows the connection: connected on whatsmeow's
	// Connected, not connected with the kind on a disconnect, a logout, a
	// refusal or a temporary ban.
	Health *message.Health
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
	tries479    map[int64]int        // outbox rows WhatsApp answered 479
	holdUntil   time.Time            // reminders and broadcasts wait (463)
	linkedSince time.Time            // this number first ran klabot
	banEnded    time.Time            // the latest temporary ban ended

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
	if cfg.Wake == nil {
		cfg.Wake = func() {}
	}
	if cfg.DailyCap <= 0 {
		cfg.DailyCap = defaultDailyCap
	}
	if cfg.Typing == nil {
		cfg.Typing = TypingTime
	}
	if cfg.Backoff == nil {
		cfg.Backoff = backoff
	}
	if cfg.LateAfter <= 0 {
		cfg.LateAfter = time.Hour
	}
	w := &WhatsApp{
		client: client, cfg: cfg, log: log.With("channel", Name),
		stopped: make(chan struct{}), callsNoted: map[string]time.Time{}, tries479: map[int64]int{},
	}
	if rc, ok := client.(realClient); ok {
		// whatsmeow remembers only its last 256 messages for a phone that
		// asks for one again; the outbox remembers them all.
		rc.GetMessageForRetry = w.messageForRetry
	}
	return w
}

// backoff grows from 1 s to 5 min with jitter.
func backoff(n int) time.Duration {
	d := min(time.Second<<min(n, 9), 5*time.Minute)
	return d/2 + rand.N(d/2+1)
}

// Name implements message.Channel.
func (w *WhatsApp) Name() string { return Name }

// Run connects and hands messages to r until ctx ends or WhatsApp stops for
// good (logged out, replaced, refused); then it returns nil, so the other
// channels keep running. A failed first connect is tried again with
// growing pauses; after that whatsmeow reconnects by itself.
func (w *WhatsApp) Run(ctx context.Context, r Receiver) error {
	w.mu.Lock()
	w.ctx, w.receiver = ctx, r
	w.mu.Unlock()
	w.loadState(ctx)
	if !w.client.LIDMigrated() {
		w.log.Warn("WhatsApp never told this link since when the office's account uses LIDs: replies to some people may not arrive. " +
			"Link again with \"klabot whatsapp login\" and wait until it says it is done")
	}
	w.client.AddEventHandlerWithSuccessStatus(w.handle)
	w.connect(ctx)
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
		w.cfg.Health.Up()
		w.cfg.Wake() // what waited goes now
		w.background(quickly, func(context.Context) { w.remember(StateConnected, w.cfg.Now()) })
		// Shown as offline until klabot writes, so the office phone keeps
		// its notifications.
		w.background(quickly, w.beOffline)
	case *events.Disconnected:
		// whatsmeow reconnects by itself, with growing pauses.
		w.log.Warn("disconnected; reconnecting")
		w.down("disconnected")
	case *events.StreamError:
		w.log.Warn("WhatsApp closed the connection; reconnecting", "code", e.Code)
		w.down("stream_error")
	case *events.KeepAliveTimeout:
		w.log.Warn("WhatsApp does not answer; waiting", "errors", e.ErrorCount)
		w.down("keepalive_timeout")
	case *events.KeepAliveRestored:
		w.log.Info("WhatsApp answers again")
		w.cfg.Health.Up()
	case *events.UndecryptableMessage:
		w.log.Warn("a message could not be decrypted; WhatsApp asks the sender's phone to send it again")
	case *events.LoggedOut:
		w.down("logged_out")
		switch e.Reason {
		case events.ConnectFailureMainDeviceGone, events.ConnectFailureUnknownLogout:
			// WhatsApp's own words for these are "locked" and "banned":
			// linking again will not help until the number is cleared.
			w.stop(LoggedOut, w.t("wa.staff_locked", int(e.Reason)), "WhatsApp banned or locked the number", "reason", e.Reason.String())
		default:
			w.stop(LoggedOut, w.t("wa.staff_logged_out"), "the linked device was logged out", "reason", e.Reason.String())
		}
	case *events.StreamReplaced:
		w.down("replaced")
		w.stop(Replaced, w.t("wa.staff_replaced"), "another program connected with this WhatsApp session")
	case *events.ClientOutdated:
		w.down("client_outdated")
		w.stop(Failed, w.t("wa.staff_failed", "405 client outdated"), "WhatsApp says this version is too old: update klabot")
	case *events.ConnectFailure:
		w.down("connect_refused")
		reason := fmt.Sprintf("%d %s", int(e.Reason), e.Message)
		w.stop(Failed, w.t("wa.staff_failed", reason), "WhatsApp refused the connection", "reason", reason)
	case *events.TemporaryBan:
		w.down("temporary_ban")
		w.onBan(e)
	}
	return true
}

func (w *WhatsApp) down(kind string) { w.cfg.Health.Down(kind, w.cfg.Now()) }

// commitTries is how often a message's commit is tried before it is left
// for WhatsApp to deliver again.
const commitTries = 8

// onMessage hands a message to the dispatcher and waits until it is
// committed: only then may WhatsApp forget it. A failed commit is tried
// again here, with growing pauses, so that later messages wait behind it
// and order holds. Read receipts follow.
func (w *WhatsApp) onMessage(evt *events.Message) bool {
	in, ok := w.inbound(w.ctx, evt)
	if !ok {
		return true
	}
	for try := 0; ; try++ {
		var err error
		select {
		case err = <-w.receiver.Submit(w.ctx, in):
		case <-w.ctx.Done():
			return false // not acknowledged: delivered again after the restart
		}
		if err == nil {
			break
		}
		if try+1 >= commitTries {
			w.log.Error("message not committed; WhatsApp will deliver it again", "err", err)
			return false
		}
		wait := w.cfg.Backoff(try)
		w.log.Warn("message not committed; trying again", "err", err, "in", wait)
		if w.pause(w.ctx, wait) != nil {
			return false
		}
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
	// Through the outbox: paced, counted in the daily cap, and only to
	// someone who wrote before (a first message could cost the number).
	w.background(quickly, func(ctx context.Context) {
		if w.cfg.Memory == nil {
			return
		}
		if err := w.cfg.Memory.Notify(ctx, address, message.Outbound{Text: w.t("wa.call_notice")}, w.cfg.Now()); err != nil {
			w.log.Warn("answer a call with a text", "err", hide(err))
			return
		}
		w.cfg.Wake()
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
	w.banEnded = until // slower for a while after it
	w.mu.Unlock()
	w.remember(stateBanEnded, until)
	reasonKey, ok := banReasons[e.Code]
	if !ok {
		reasonKey = "wa.ban_unknown"
	}
	when := w.when(until)
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
			if w.connect(ctx) {
				w.notify(Trouble{Kind: BanOver, Text: w.t("wa.staff_ban_over", w.BulkAdvice(w.cfg.Now()).Cap)})
			}
		}
	})
}

// connect connects, trying again with growing pauses until it works or
// ctx ends: at start the office's internet may be down, or WhatsApp
// briefly unwilling. false when ctx ended first.
func (w *WhatsApp) connect(ctx context.Context) bool {
	for try := 0; ; try++ {
		err := w.client.Connect()
		if err == nil || errors.Is(err, whatsmeow.ErrAlreadyConnected) {
			return true
		}
		w.down("connect_failed")
		wait := w.cfg.Backoff(try)
		w.log.Warn("connect to WhatsApp failed; trying again", "err", hide(err), "in", wait)
		select {
		case <-ctx.Done():
			return false
		case <-w.stopped:
			return false
		case <-time.After(wait):
		}
	}
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
