package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/mdp/qrterminal/v3"

	"klabot/bot"
	"klabot/bot/whatsapp"
	"klabot/locales"
	"klabot/store"
)

// loginTimeout bounds a pairing: WhatsApp's QR codes run out after about
// two and a half minutes anyway.
const loginTimeout = 5 * time.Minute

var phonePattern = regexp.MustCompile(`^62[0-9]{7,13}$`)

// whatsappCommand runs "klabot whatsapp login|status|logout": pairing the
// office's number, which needs a person with the phone in hand.
func whatsappCommand(ctx context.Context, sub, phone string, cfg config, stdout, stderr io.Writer) int {
	if phone != "" && !phonePattern.MatchString(strings.TrimPrefix(phone, "+")) {
		fmt.Fprintln(stderr, "klabot: "+badSetting("--phone", "cli.phone_bad").text(cfg.Lang))
		return 2
	}
	t := func(key string, args ...any) string { return locales.T(cfg.Lang, key, args...) }
	log := newLogger(stderr, cfg.LogLevel, true)

	s, err := whatsapp.OpenSession(ctx, cfg.DataDir, log)
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 1
	}
	defer s.Close()

	switch sub {
	case "status":
		if p := s.Phone(); p != "" {
			fmt.Fprintln(stdout, t("wa.status_linked", "+"+p))
		} else {
			fmt.Fprintln(stdout, t("wa.status_none"))
		}
		return 0
	case "logout":
		err := s.Logout(ctx)
		switch {
		case errors.Is(err, whatsapp.ErrNotPaired):
			fmt.Fprintln(stdout, t("wa.status_none"))
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
	if phone != "" {
		err = s.PairPhone(ctx, strings.TrimPrefix(phone, "+"), func(code string) {
			fmt.Fprintln(stdout, t("wa.login_phone_code", code))
		})
	} else {
		err = s.PairQR(ctx, func(code string) {
			fmt.Fprintln(stdout, t("wa.login_scan"))
			qrterminal.GenerateHalfBlock(code, qrterminal.L, stdout)
		})
	}
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, t("wa.login_done", "+"+s.Phone()))
	return 0
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
	var sender *bot.Sender
	wa := whatsapp.New(client, whatsapp.Config{
		Lang: a.cfg.Lang, Location: a.cfg.Location, OnTrouble: a.whatsappTrouble,
		DB: a.db, Wake: func() { sender.Wake() }, DailyCap: a.cfg.WhatsAppDailyCap, Typing: whatsappTyping,
	}, a.log)
	sender = bot.NewSender(a.db, wa, whatsappLimits(a.cfg), a.log)
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
		return bot.NotifyStaff(tx, staff, store.PriorityAlert, bot.Outbound{Text: t.Text}, time.Now())
	})
	if err != nil {
		a.log.Error("tell staff about WhatsApp", "err", err)
		return
	}
	a.wakeSenders()
}
