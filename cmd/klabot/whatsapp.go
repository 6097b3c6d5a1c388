package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/mdp/qrterminal/v3"

	"klabot/bot"
	"klabot/bot/whatsapp"
	"klabot/locales"
	"klabot/store"
)

// loginTimeout bounds a login: WhatsApp's QR codes run out after about
// two and a half minutes anyway, and after the scan the first connection
// and the phone's first history take up to four more.
const loginTimeout = 10 * time.Minute

var phonePattern = regexp.MustCompile(`^62[0-9]{7,13}$`)

// whatsappCommand runs "klabot whatsapp login|status|logout": pairing the
// office's number, which needs a person with the phone in hand. db is
// klabot.db (status only: what run last knew, staff who never wrote).
func whatsappCommand(ctx context.Context, sub, phone string, force bool, db *store.DB, cfg config, stdout, stderr io.Writer) int {
	if phone != "" && !phonePattern.MatchString(strings.TrimPrefix(phone, "+")) {
		fmt.Fprintln(stderr, "klabot: "+badSetting("--phone", "cli.phone_bad").text(cfg.Lang))
		return 2
	}
	t := func(key string, args ...any) string { return locales.T(cfg.Lang, key, args...) }
	log := newLogger(stderr, cfg.LogLevel, true, cfg.Location)

	if sub == "login" {
		whatsapp.UpdateVersion(ctx, nil, log)
	}
	s, err := whatsapp.OpenSession(ctx, cfg.DataDir, log)
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 1
	}
	defer s.Close()

	switch sub {
	case "status":
		whatsappStatus(ctx, s, db, cfg, stdout)
		return 0
	case "logout":
		err := s.Logout(ctx, force)
		switch {
		case errors.Is(err, whatsapp.ErrNotPaired):
			fmt.Fprintln(stdout, t("wa.status_none"))
		case errors.Is(err, whatsapp.ErrLogoutUnconfirmed):
			fmt.Fprintln(stderr, t("wa.logout_unconfirmed"))
			return 1
		case errors.Is(err, whatsapp.ErrLogoutLocalOnly):
			fmt.Fprintln(stdout, t("wa.logout_local"))
		case err != nil:
			fmt.Fprintf(stderr, "klabot: %v\n", err)
			return 1
		default:
			fmt.Fprintln(stdout, t("wa.logout_done"))
		}
		return 0
	}

	// login
	if p := s.Phone(); p != "" {
		fmt.Fprintln(stderr, t("wa.login_already", "+"+p))
		return 1
	}
	ctx, cancel := context.WithTimeout(ctx, loginTimeout)
	defer cancel()
	fmt.Fprintln(stdout, t("wa.login_connecting"))
	preparing := func() { fmt.Fprintln(stdout, t("wa.login_preparing")) }
	if phone != "" {
		err = s.PairPhone(ctx, strings.TrimPrefix(phone, "+"), func(code string) {
			fmt.Fprintln(stdout, t("wa.login_phone_code", code))
		}, preparing)
	} else {
		err = s.PairQR(ctx, func(code string) {
			fmt.Fprintln(stdout, t("wa.login_scan"))
			qrterminal.GenerateHalfBlock(code, qrterminal.L, stdout)
		}, preparing)
	}
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, t("wa.login_done", "+"+s.Phone()))
	return 0
}

// whatsappStatusSettings: status also reads the staff list.
var whatsappStatusSettings = []string{"KLABOT_DATA_DIR", "KLABOT_STAFF", "KLABOT_TIMEZONE", "KLABOT_LANG", "KLABOT_LOG_LEVEL"}

// whatsappCheck asks WhatsApp whether the link works; tests replace it,
// having no WhatsApp to ask.
var whatsappCheck = func(ctx context.Context, s *whatsapp.Session) whatsapp.LinkState { return s.Check(ctx) }

// whatsappStatus says which number is linked and whether WhatsApp accepts
// the link now, or what was last known when it cannot be asked (klabot
// run holds the link, or WhatsApp does not answer); and which staff
// numbers klabot will not write to because they never wrote first.
func whatsappStatus(ctx context.Context, s *whatsapp.Session, db *store.DB, cfg config, stdout io.Writer) {
	t := func(key string, args ...any) string { return locales.T(cfg.Lang, key, args...) }
	phone := s.Phone()
	if phone == "" {
		fmt.Fprintln(stdout, t("wa.status_none"))
	} else {
		state, why := whatsapp.LinkUnknown, t("wa.status_running")
		// Connecting while "klabot run" holds the link would make
		// WhatsApp drop one of the two.
		if release, err := lockDataDir(cfg.DataDir); err == nil {
			state, why = whatsappCheck(ctx, s), t("wa.status_no_answer")
			release()
		}
		switch state {
		case whatsapp.LinkWorks:
			fmt.Fprintln(stdout, t("wa.status_linked", "+"+phone))
		case whatsapp.LinkGone:
			fmt.Fprintln(stdout, t("wa.status_gone", "+"+phone))
		default:
			fmt.Fprintln(stdout, t("wa.status_last_known", "+"+phone, why))
			v, _ := db.WhatsAppState(ctx, whatsapp.StateConnected)
			if at, err := time.Parse(time.RFC3339Nano, v); err == nil {
				fmt.Fprintln(stdout, t("wa.status_connected_at", at.In(cfg.Location).Format("02-01-2006 15:04 MST")))
			}
		}
	}
	if silent := staffNeverWrote(ctx, db, cfg.Staff); len(silent) > 0 {
		fmt.Fprintln(stdout, t("wa.status_staff_silent", "+"+strings.Join(silent, ", +")))
	}
}

// staffNeverWrote lists the WhatsApp staff numbers that never wrote to
// the office number: klabot sends them nothing, not even alerts, since a
// first message from the office could cost the number.
func staffNeverWrote(ctx context.Context, db *store.DB, staff map[string]bool) []string {
	var contacts []store.Contact
	for key := range staff {
		if address, ok := strings.CutPrefix(key, whatsapp.Name+":"); ok {
			contacts = append(contacts, store.Contact{Channel: whatsapp.Name, Address: address})
		}
	}
	silent, err := db.NeverWrote(ctx, contacts)
	if err != nil {
		return nil
	}
	var out []string
	for _, c := range silent {
		out = append(out, c.Address)
	}
	slices.Sort(out)
	return out
}

// whatsappClient opens the stored session for "klabot run"; it fails with
// whatsapp.ErrNotPaired when no number is linked. Tests replace it with a
// fake client.
var whatsappClient = func(ctx context.Context, dataDir string, log *slog.Logger) (whatsapp.Client, func(), error) {
	whatsapp.UpdateVersion(ctx, nil, log)
	s, err := whatsapp.OpenSession(ctx, dataDir, log)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.Client()
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return c, func() { s.Close() }, nil
}

// whatsappLimits: replies go promptly but at a human pace (a person does
// not type faster than one message a second); reminders and broadcasts
// are paced (see bot.Pacing). Tests speed up the replies.
var whatsappLimits = func(cfg config) bot.Limits {
	return bot.Limits{
		PerSecond: 4, PerChatPerSecond: 1, PerChatBurst: 3, Concurrency: 4,
		Bulk: &bot.Pacing{Min: cfg.WhatsAppBulkMin, Max: cfg.WhatsAppBulkMax, DailyCap: cfg.WhatsAppDailyCap, Location: cfg.Location, Alerts: true},
	}
}

// whatsappTyping is how long "typing…" shows (nil: in proportion to the
// text). Tests make it none.
var whatsappTyping func(string) time.Duration

// startWhatsApp connects WhatsApp with the stored session and starts its
// receiver and sender. With no session it says to run the login command;
// that stops klabot (exit 2) only when WhatsApp was its only channel, and
// the adapter is nil.
func (a *app) startWhatsApp(ctx context.Context, stderr io.Writer, start func(string, func(context.Context) error)) (*whatsapp.WhatsApp, int) {
	client, closeSession, err := whatsappClient(ctx, a.cfg.DataDir, a.log)
	if errors.Is(err, whatsapp.ErrNotPaired) {
		a.health.whatsapp.Down("not_linked", time.Now())
		fmt.Fprintln(stderr, "klabot: "+locales.T(a.cfg.Lang, "wa.not_paired"))
		if a.cfg.TelegramToken == "" {
			return nil, 2
		}
		return nil, 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return nil, 1
	}
	a.askStaffForHalo(ctx)
	var sender *bot.Sender
	wa := whatsapp.New(client, whatsapp.Config{
		Lang: a.cfg.Lang, Location: a.cfg.Location, OnTrouble: a.whatsappTrouble, Now: a.now,
		Memory: bot.NewMemory(a.db, whatsapp.Name), Wake: func() { sender.Wake() }, DailyCap: a.cfg.WhatsAppDailyCap, Typing: whatsappTyping,
		Health: &a.health.whatsapp,
	}, a.log)
	sender = bot.NewSender(a.db, wa, whatsappLimits(a.cfg), a.log)
	sender.SetClock(a.now)
	a.addSender(sender)
	start("whatsapp", func(ctx context.Context) error {
		defer closeSession()
		sendCtx, stopSending := context.WithCancel(ctx)
		sent := make(chan struct{})
		go func() { defer close(sent); sender.Run(sendCtx) }()
		err := wa.Run(ctx, a.dispatcher)
		// Stopped for good (or klabot stops): what is queued stays in the
		// outbox for when WhatsApp is linked again.
		stopSending()
		<-sent
		if err != nil {
			a.log.Error("whatsapp stopped", "err", err)
			a.whatsappTrouble(whatsapp.Trouble{Kind: whatsapp.Failed, Text: locales.T(a.cfg.Lang, "wa.staff_failed", err.Error())})
		}
		return nil // the other channels keep running
	})
	return wa, 0
}

// askStaffForHalo tells staff on their other channels, once per number,
// which WhatsApp staff numbers never wrote to the office number: klabot
// sends them nothing there until they do.
func (a *app) askStaffForHalo(ctx context.Context) {
	silent := staffNeverWrote(ctx, a.db, a.cfg.Staff)
	if len(silent) == 0 {
		return
	}
	a.log.Warn("staff on WhatsApp who never wrote to the office number get nothing there; "+
		"ask them to send \"halo\" once (klabot whatsapp status lists them)", "count", len(silent))
	var untold []string
	for _, phone := range silent {
		key := "halo_asked:" + phone
		if v, err := a.db.WhatsAppState(ctx, key); err != nil || v != "" {
			continue
		}
		if err := a.db.SetWhatsAppState(ctx, key, whatsapp.FormatState(time.Now()), true); err == nil {
			untold = append(untold, phone)
		}
	}
	if len(untold) > 0 {
		// Not a stop, but WhatsApp cannot carry it to them either.
		a.whatsappTrouble(whatsapp.Trouble{Kind: whatsapp.Failed,
			Text: locales.T(a.cfg.Lang, "wa.staff_say_halo", "+"+strings.Join(untold, ", +"))})
	}
}

// whatsappTrouble tells staff that WhatsApp stopped or was banned (on
// their other channels: WhatsApp cannot carry this news itself), or that
// it holds back bulk messages or sends again (everywhere).
func (a *app) whatsappTrouble(t whatsapp.Trouble) {
	staff := map[string]bool{}
	for contact := range a.cfg.Staff {
		if !t.Kind.Stopping() || !strings.HasPrefix(contact, whatsapp.Name+":") {
			staff[contact] = true
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := a.db.Tx(ctx, func(tx *store.Tx) error {
		return bot.NotifyStaff(tx, staff, store.PriorityAlert, bot.Outbound{Text: t.Text}, a.now())
	})
	if err != nil {
		a.log.Error("tell staff about WhatsApp", "err", err)
		return
	}
	a.wakeSenders()
}
