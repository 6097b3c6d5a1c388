// Command klabot is the child-protection chatbot of Kabupaten Bengkayang.
//
//	klabot [run]            start every configured channel
//	klabot console [--staff] chat with the bot in this terminal
//	klabot whatsapp login|status|logout   link the office's WhatsApp number
//	klabot trainings import FILE.csv      add training sessions from a CSV file
//	klabot export KIND, recap, backup, restore FILE   exports, KLA recap, backups
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/term"

	"klabot/bot"
	"klabot/bot/console"
	"klabot/bot/schedule"
	"klabot/bot/telegram"
	"klabot/bot/whatsapp"
	"klabot/flows"
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

const usage = `klabot: the child-protection chatbot of Kabupaten Bengkayang.

Usage:
  klabot [run] [flags]          start every configured channel
  klabot console [--staff]      chat with the bot in this terminal
  klabot whatsapp login|status|logout
                                link the office's WhatsApp number
  klabot trainings import FILE.csv
                                add training sessions from a CSV file
  klabot export reports|registrations|attendance|broadcasts [--from --to --format --out]
                                spreadsheet files for staff
  klabot recap [--month 2026-11]
                                the monthly KLA recap (XLSX and chart)
  klabot backup [--out FILE]    copy the database, safe while klabot runs
  klabot restore [--yes] FILE   put a backup back (klabot stopped)

Every flag can also be set by its KLABOT_* environment variable;
run "klabot run -h" to list them.
`

// run is main without the process: testable, and it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	cmd := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	if cmd == "whatsapp" {
		return whatsappCommand(ctx, args, stdout, stderr, getenv)
	}
	if cmd == "trainings" {
		return trainingsCommand(ctx, args, stdout, stderr, getenv)
	}
	switch cmd { // exports, recap, backup and restore: export.go, backup.go
	case "export":
		return exportCommand(ctx, args, stdout, stderr, getenv)
	case "recap":
		return recapCommand(ctx, args, stdout, stderr, getenv)
	case "backup":
		return backupCommand(ctx, args, stdout, stderr, getenv)
	case "restore":
		return restoreCommand(ctx, args, stdin, stdout, stderr, getenv)
	}
	fs := newFlagSet(stderr)
	staffConsole := false
	switch cmd {
	case "run":
	case "console":
		fs.BoolVar(&staffConsole, "staff", false, "act as a staff member")
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "klabot: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	cfg, err := loadConfig(fs, args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 2
	}
	if code := extraArgs(fs, stderr, usage); code >= 0 {
		return code
	}
	if cfg.DataDir, err = prepareDataDir(cfg.DataDir); err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 2
	}
	log := newLogger(stderr, cfg.LogLevel, cmd == "console")
	// Held while klabot runs, so that "klabot restore" can refuse to swap
	// the database under it; a second klabot on the same folder only warns.
	if release, err := lockDataDir(cfg.DataDir); err == nil {
		defer release()
	} else {
		log.Warn("data folder is locked", "err", err)
	}

	a, err := openApp(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "klabot: %v\n", err)
		return 1
	}
	defer a.db.Close()

	switch cmd {
	case "console":
		return a.console(ctx, stdin, stdout, staffConsole)
	default:
		if cfg.TelegramToken == "" && !cfg.WhatsApp {
			fmt.Fprintln(stdout, locales.T(cfg.Lang, "setup.no_channel"))
			if !isTerminal(stdin) {
				return 2
			}
			fmt.Fprintln(stdout, locales.T(cfg.Lang, "setup.try_console"))
			return a.console(ctx, stdin, stdout, false)
		}
		return a.serve(ctx, stderr)
	}
}

func newFlagSet(stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("klabot", flag.ContinueOnError)
	fs.SetOutput(stderr)
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
	mu         sync.Mutex
}

func openApp(ctx context.Context, cfg config, log *slog.Logger) (*app, error) {
	db, err := store.Open(ctx, filepath.Join(cfg.DataDir, "klabot.db"))
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, db: db}
	a.engine = flows.NewEngine(flows.Config{Location: cfg.Location, DataDir: cfg.DataDir, RetentionDays: cfg.RetentionDays})
	a.dispatcher = bot.NewDispatcher(db, a.engine, bot.Config{Staff: cfg.Staff, Lang: cfg.Lang}, a.committed, log)
	return a, nil
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
}

// startBroadcasts runs the broadcaster: staff broadcasts go out through the
// senders, with progress edited in place on the channels that can edit.
func (a *app) startBroadcasts(start func(string, func(context.Context) error), fetchers map[string]bot.Fetcher, editable map[string]bool) *bot.Broadcaster {
	b := bot.NewBroadcaster(a.db, bot.BroadcastConfig{DataDir: a.cfg.DataDir, Location: a.cfg.Location,
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
	a.mu.Lock()
	a.media = media
	a.mu.Unlock()
	start("media", media.Run)
	start("housekeeping", a.housekeeping)
	broadcasts := a.startBroadcasts(start, fetchers, map[string]bool{telegram.Name: a.cfg.TelegramToken != ""})
	// Reminders, report follow-ups and the staff digest; other periodic
	// jobs can be added with sched.Every before it starts.
	sched := schedule.New(a.db, schedule.Config{Location: a.cfg.Location, Staff: a.cfg.Staff, Wake: a.wakeSenders, Log: a.log})
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

	var tg *telegram.Telegram
	if a.cfg.TelegramToken != "" {
		var err error
		tg, err = telegram.Connect(ctx, telegram.Config{
			Token: a.cfg.TelegramToken, Endpoint: a.cfg.TelegramEndpoint, Lang: a.cfg.Lang,
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
		a.cfg.Staff[console.Name+":"+console.AddressStaff] = true
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := console.New(stdin, stdout, address)
	sender := bot.NewSender(a.db, c, bot.Limits{PerSecond: 1000, PerChatPerSecond: 1000, PerChatBurst: 100}, a.log)
	a.addSender(sender)
	var wg sync.WaitGroup
	// Reminders reach console users too (the console stands in for a channel).
	sched := schedule.New(a.db, schedule.Config{Location: a.cfg.Location, Staff: a.cfg.Staff, Wake: a.wakeSenders, Log: a.log})
	for _, fn := range []func(context.Context) error{a.dispatcher.Run, sender.Run, sched.Run} {
		wg.Add(1)
		go func() { defer wg.Done(); fn(ctx) }()
	}
	a.startBroadcasts(func(_ string, fn func(context.Context) error) {
		wg.Add(1)
		go func() { defer wg.Done(); fn(ctx) }()
	}, nil, nil)
	c.Say(locales.T(a.cfg.Lang, "console.hello"))
	code := 0
	if err := c.Run(ctx, a.dispatcher, a.db, 5*time.Second); err != nil {
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
		if err := a.db.PruneInbound(ctx, time.Now().AddDate(0, 0, -7)); err != nil && ctx.Err() == nil {
			a.log.Warn("prune inbound ids", "err", err)
		}
		if _, _, err := bot.NudgeStaleDrafts(ctx, a.db, time.Now(), a.cfg.Location); err != nil && ctx.Err() == nil {
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

func newLogger(w io.Writer, level string, quiet bool) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(level))
	if quiet && l < slog.LevelWarn {
		l = slog.LevelWarn // keep the terminal chat readable
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// isTerminal tells a person at a keyboard from a service's standard input:
// /dev/null is a character device too, but no terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
