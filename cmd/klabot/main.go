// Command klabot is the child-protection chatbot of Kabupaten Bengkayang.
// "klabot -h" lists its commands (the table in commands.go); with none it
// runs every configured channel.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/term"

	"klabot/bot"
	"klabot/bot/console"
	"klabot/bot/export"
	"klabot/bot/message"
	"klabot/bot/schedule"
	"klabot/bot/telegram"
	"klabot/bot/web"
	"klabot/bot/whatsapp"
	"klabot/flows"
	"klabot/flows/all"
	"klabot/locales"
	"klabot/store"
)

// shutdownGrace is how long a stop may take before klabot exits anyway.
const shutdownGrace = 5 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

const runAbout = `Starts the channels the settings turn on (Telegram with KLABOT_TELEGRAM_TOKEN,
WhatsApp with KLABOT_WHATSAPP=on), the reminders, broadcasts and the nightly
backup. With no channel it says how to connect one and, at a terminal,
chats right there. Stop it with Ctrl+C: it finishes within 5 seconds.`

// runSetup: "klabot run" takes only the settings' flags.
func runSetup(*flag.FlagSet) action {
	return func(ctx context.Context, c *invocation) int {
		noChannel := c.cfg.TelegramToken == "" && !c.cfg.WhatsApp
		a := newApp(c.cfg, c.log, c.db, noChannel)
		if noChannel {
			fmt.Fprintln(c.stdout, c.t("setup.no_channel"))
			if !isTerminal(c.stdin) {
				return 2
			}
			fmt.Fprintln(c.stdout, c.t("setup.try_console"))
			return a.console(ctx, c.stdin, c.stdout, false)
		}
		return a.serve(ctx, c.stderr)
	}
}

func consoleSetup(fs *flag.FlagSet) action {
	staff := fs.Bool("staff", false, "act as a staff member")
	return func(ctx context.Context, c *invocation) int {
		return newApp(c.cfg, c.log, c.db, true).console(ctx, c.stdin, c.stdout, *staff)
	}
}

func newFlagSet(output io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("klabot", flag.ContinueOnError)
	fs.SetOutput(output)
	return fs
}

// app is klabot wired together.
type app struct {
	cfg        config
	log        *slog.Logger
	db         *store.DB
	engine     *flows.Engine
	dispatcher *bot.Dispatcher
	senders    []*bot.Sender
	media      *bot.MediaSaver // downloads report evidence; nil in the console
	broadcasts *bot.Broadcaster
	files      *export.Maker // makes the exports asked for in the chat
	// health is each channel's connection, kept by its adapter, for
	// /healthz.
	health struct{ telegram, whatsapp message.Health }
	now    func() time.Time // every part's clock: clock, as it was at the start
	mu     sync.Mutex
}

// clock is klabot's one clock, handed to every part that reads the time;
// tests set it to a day of their choosing.
var clock = time.Now

// newApp prepares klabot; inConsole: it runs as the terminal chat, which
// serves no dashboard (klabot run does, for the same data).
func newApp(cfg config, log *slog.Logger, db *store.DB, inConsole bool) *app {
	a := &app{cfg: cfg, log: log, db: db, now: clock}
	a.engine = all.NewEngine(flows.Config{Location: cfg.Location, DataDir: cfg.DataDir, RetentionDays: cfg.RetentionDays,
		WebURL: cfg.WebURL, WebElsewhere: inConsole, StaffContacts: len(cfg.Staff)})
	a.dispatcher = bot.NewDispatcher(db, a.engine, bot.Config{Staff: cfg.Staff, Lang: cfg.Lang, Now: a.now}, a.committed, log)
	a.files = export.NewMaker(db, export.MakerConfig{DataDir: cfg.DataDir, Location: cfg.Location, Now: a.now,
		Wake: a.wakeSenders, Log: log})
	return a
}

func (a *app) addSender(s *bot.Sender) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.senders = append(a.senders, s)
}

// wakeSenders tells everything that works from the database that it
// changed.
func (a *app) wakeSenders() { a.committed(store.Queued{Changed: true}) }

// committed hands the senders what a conversation turn queued, and wakes
// the workers that follow other tables.
func (a *app) committed(q store.Queued) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, s := range a.senders {
		s.Offer(q)
	}
	if a.media != nil {
		a.media.Wake() // a new report may carry evidence to download
	}
	if a.broadcasts != nil {
		a.broadcasts.Wake() // a broadcast may have been made, paused or cancelled
	}
	if q.Files {
		a.files.Wake()
	}
}

// startBroadcasts runs the broadcaster: staff broadcasts go out through the
// senders, with progress edited in place on the channels that can edit.
func (a *app) startBroadcasts(start func(string, func(context.Context) error), fetchers map[string]bot.Fetcher, editable map[string]bool) *bot.Broadcaster {
	b := bot.NewBroadcaster(a.db, bot.BroadcastConfig{DataDir: a.cfg.DataDir, Location: a.cfg.Location, Now: a.now,
		Editable: editable, Fetchers: fetchers}, a.wakeSenders, a.log)
	a.mu.Lock()
	a.broadcasts = b
	a.mu.Unlock()
	start("broadcasts", b.Run)
	return b
}

// serve runs the configured channels until ctx ends, then stops them all
// within shutdownGrace.
func (a *app) serve(ctx context.Context, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	start := func(name string, fn func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(ctx); err != nil {
				a.log.Error("stopped with an error", "part", name, "err", err)
				cancel()
			}
		}()
	}
	start("dispatcher", a.dispatcher.Run)
	var wa *whatsapp.WhatsApp // nil unless WhatsApp is on and linked
	if a.cfg.WhatsApp {
		var code int
		if wa, code = a.startWhatsApp(ctx, stderr, start); code != 0 {
			cancel()
			wg.Wait()
			return code
		}
	}

	// Everything that does not need Telegram runs before klabot reaches
	// it: an office without internet at start still gets its WhatsApp
	// reminders, scheduled broadcasts and night jobs meanwhile.
	fetchers := map[string]bot.Fetcher{}
	tgFetcher := &telegramFetcher{}
	if a.cfg.TelegramToken != "" {
		fetchers[telegram.Name] = tgFetcher
	}
	if wa != nil {
		fetchers[whatsapp.Name] = wa
	}
	media := bot.NewMediaSaver(a.db, a.cfg.DataDir, fetchers, a.log)
	media.SetClock(a.now)
	a.mu.Lock()
	a.media = media
	a.mu.Unlock()
	start("media", media.Run)
	start("housekeeping", a.housekeeping)
	start("files", a.files.Run)
	broadcasts := a.startBroadcasts(start, fetchers, map[string]bool{telegram.Name: a.cfg.TelegramToken != ""})
	// Reminders, report follow-ups and the staff digest; other periodic
	// jobs can be added with sched.Every before it starts.
	sched := schedule.New(a.db, schedule.Config{Location: a.cfg.Location, Staff: a.cfg.Staff, Wake: a.wakeSenders, Log: a.log, Now: a.now})
	a.addDailyJobs(sched) // backup and retention: backup.go
	// Scheduled broadcasts: the broadcaster wakes at each one's time; the
	// scheduler's minute job is the safety net, and catches up at start.
	if err := sched.Every("broadcasts", "* * * * *", func(ctx context.Context, now time.Time) error {
		_, err := broadcasts.ReleaseDueBroadcasts(ctx, now)
		broadcasts.Wake()
		return err
	}, schedule.AtStart()); err != nil {
		a.log.Error("schedule broadcasts", "err", err)
	}
	start("scheduler", sched.Run)

	// The dashboard starts before klabot reaches Telegram, so /healthz
	// tells of an office without internet from the start.
	if a.cfg.WebAddr != "" {
		if err := a.startWeb(start, a.channels); err != nil {
			a.log.Error("web dashboard", "err", err)
		}
	}

	var tg *telegram.Telegram
	if a.cfg.TelegramToken != "" {
		var err error
		tg, err = telegram.Connect(ctx, telegram.Config{
			Token: a.cfg.TelegramToken, Endpoint: a.cfg.TelegramEndpoint, Commands: a.telegramCommands(),
			Health: &a.health.telegram,
		}, a.log)
		if err != nil {
			cancel()
			wg.Wait()
			if errors.Is(err, context.Canceled) {
				return 0
			}
			fmt.Fprintf(stderr, "klabot: %v\n", err)
			return 1
		}
		tgFetcher.tg.Store(tg)
		sender := bot.NewSender(a.db, tg, bot.Limits{PerSecond: a.cfg.TelegramRate,
			PerChatPerSecond: a.cfg.TelegramPerChatRate, PerChatBurst: 1}, a.log)
		sender.SetClock(a.now)
		a.addSender(sender)
		start("telegram sender", sender.Run)
		start("telegram poll", func(ctx context.Context) error { return tg.Poll(ctx, a.dispatcher) })
	}
	a.log.Info("klabot is running", "data_dir", a.cfg.DataDir)

	<-ctx.Done()
	a.log.Info("stopping")
	code := waitOrGiveUp(&wg, a.log)
	if tg != nil {
		tg.Close()
	}
	return code
}

// channels are the configured channels' states for /healthz.
func (a *app) channels() []web.ChannelState {
	var list []web.ChannelState
	if a.cfg.TelegramToken != "" {
		list = append(list, web.ChannelOf(telegram.Name, &a.health.telegram))
	}
	if a.cfg.WhatsApp {
		list = append(list, web.ChannelOf(whatsapp.Name, &a.health.whatsapp))
	}
	return list
}

// startWeb serves the staff dashboard beside the channels.
func (a *app) startWeb(start func(string, func(context.Context) error), channels func() []web.ChannelState) error {
	// The staff console hands out links to this dashboard too (klabot
	// console --staff, on the same data): they sign in as staff.
	staff := map[string]bool{console.Name + ":" + console.AddressStaff: true}
	maps.Copy(staff, a.cfg.Staff)
	s, err := web.New(a.db, web.Config{Addr: a.cfg.WebAddr, BaseURL: a.cfg.WebURL, Staff: staff,
		Location: a.cfg.Location, Lang: a.cfg.Lang, DataDir: a.cfg.DataDir, Metrics: a.cfg.WebMetrics,
		Channels: channels, Committed: a.committed, Log: a.log})
	if err != nil {
		return err
	}
	// A dashboard that cannot listen (the port is taken) must not stop
	// the chat: it is said in the log, and the channels go on.
	start("web", func(ctx context.Context) error {
		if err := s.Run(ctx); err != nil {
			a.log.Error("web dashboard stopped", "err", err)
		}
		return nil
	})
	return nil
}

// telegramFetcher downloads through Telegram once klabot reached it; until
// then a download fails like any network error and is tried again later.
type telegramFetcher struct {
	tg atomic.Pointer[telegram.Telegram]
}

func (f *telegramFetcher) Fetch(ctx context.Context, ref string) (io.ReadCloser, error) {
	tg := f.tg.Load()
	if tg == nil {
		return nil, errors.New("telegram is not reached yet")
	}
	return tg.Fetch(ctx, ref)
}

// console chats in the terminal; the console's own sender prints replies.
func (a *app) console(ctx context.Context, stdin io.Reader, stdout io.Writer, staff bool) int {
	address := console.AddressUser
	if staff {
		address = console.AddressStaff
	}
	// Every console, the villager's too, counts the staff console as staff:
	// alerts of a report made in one terminal wait for the staff console,
	// running now in another or started later.
	a.cfg.Staff[console.Name+":"+console.AddressStaff] = true
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := console.New(stdin, stdout, address)
	sender := bot.NewSender(a.db, c, bot.Limits{PerSecond: 1000, PerChatPerSecond: 1000, PerChatBurst: 100}, a.log)
	sender.SetClock(a.now)
	a.addSender(sender)
	var wg sync.WaitGroup
	// Reminders reach console users too (the console stands in for a channel).
	sched := schedule.New(a.db, schedule.Config{Location: a.cfg.Location, Staff: a.cfg.Staff, Wake: a.wakeSenders, Log: a.log, Now: a.now})
	for _, fn := range []func(context.Context) error{a.dispatcher.Run, sender.Run, sched.Run, a.files.Run} {
		wg.Add(1)
		go func() { defer wg.Done(); fn(ctx) }()
	}
	a.startBroadcasts(func(_ string, fn func(context.Context) error) {
		wg.Add(1)
		go func() { defer wg.Done(); fn(ctx) }()
	}, nil, nil)
	c.Say(locales.T(a.cfg.Lang, "console.hello"))
	code := 0
	if err := c.Run(ctx, a.dispatcher, sender, 5*time.Second); err != nil {
		a.log.Error("console", "err", err)
		code = 1
	}
	fmt.Fprintln(stdout)
	cancel()
	if c := waitOrGiveUp(&wg, a.log); c != 0 {
		return c
	}
	return code
}

// housekeeping runs every quarter of an hour: it prunes the inbound dedupe
// log (Telegram keeps undelivered updates for 24 hours, so a week is
// plenty), nudges people who left a report half done and drops what was
// typed in any conversation left for three days.
func (a *app) housekeeping(ctx context.Context) error {
	t := time.NewTicker(15 * time.Minute)
	defer t.Stop()
	for {
		if err := a.db.PruneInbound(ctx, a.now().AddDate(0, 0, -7)); err != nil && ctx.Err() == nil {
			a.log.Warn("prune inbound ids", "err", err)
		}
		if _, _, err := bot.NudgeStaleDrafts(ctx, a.db, a.now(), a.cfg.Location); err != nil && ctx.Err() == nil {
			a.log.Warn("nudge half-done reports", "err", err)
		}
		a.wakeSenders()
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func waitOrGiveUp(wg *sync.WaitGroup, log *slog.Logger) int {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return 0
	case <-time.After(shutdownGrace):
		log.Error("did not stop in time; exiting anyway")
		return 1
	}
}

func newLogger(w io.Writer, level string, quiet bool, loc *time.Location) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(level))
	if quiet && l < slog.LevelWarn {
		l = slog.LevelWarn // keep the terminal chat readable
	}
	if loc == nil {
		loc = time.UTC
	}
	// Times in the office's zone (WIB), like everything else staff read.
	local := func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey && len(groups) == 0 && a.Value.Kind() == slog.KindTime {
			a.Value = slog.StringValue(a.Value.Time().In(loc).Format("2006-01-02 15:04:05 MST"))
		}
		return a
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l, ReplaceAttr: local}))
}

// isTerminal tells a person at a keyboard from a service's standard input:
// /dev/null is a character device too, but no terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// telegramCommands is the flows' command list for Telegram's "/" menu, in
// the office's language.
func (a *app) telegramCommands() []telegram.Command {
	var out []telegram.Command
	for _, c := range a.engine.Commands(a.cfg.Lang) {
		out = append(out, telegram.Command{Name: c.Name, Description: c.Description})
	}
	return out
}
