package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"klabot/bot"
	"klabot/bot/export/csvexport"
	"klabot/flows/exportdata"
	"klabot/locales"
	"klabot/store"
)

// MakerConfig holds the maker's settings.
type MakerConfig struct {
	DataDir  string         // files go to DataDir/exports
	Location *time.Location // the office's time zone (WIB)
	Now      func() time.Time
	// Wake is called after a file's message was queued (the app wakes its
	// senders).
	Wake func()
	Log  *slog.Logger
}

// Maker makes the files the chat asked for (store file jobs), each after
// the turn that asked was committed and outside any write transaction, so
// no chat waits for a file and a turn that is undone leaves no file. When
// a file is made, its audit row and the message that carries it are
// written in one transaction.
type Maker struct {
	db   *store.DB
	cfg  MakerConfig
	wake chan struct{}
}

// makerPoll is how often the maker looks for jobs it was not woken for
// (left from before a restart, retries coming due).
const makerPoll = time.Minute

// makerAttempts is how many times a file is tried before the person is
// told it could not be made.
const makerAttempts = 5

// NewMaker makes a maker of files.
func NewMaker(db *store.DB, cfg MakerConfig) *Maker {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Wake == nil {
		cfg.Wake = func() {}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cfg.Log = cfg.Log.With("part", "files")
	return &Maker{db: db, cfg: cfg, wake: make(chan struct{}, 1)}
}

// Wake tells the maker files may have been asked for. It never blocks.
func (m *Maker) Wake() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Run makes files until ctx ends.
func (m *Maker) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		if _, err := m.MakeDue(ctx); err != nil && ctx.Err() == nil {
			m.cfg.Log.Error("make files", "err", err)
		}
		wait := makerPoll
		if next, err := m.db.NextFileJob(ctx); err == nil && !next.IsZero() {
			wait = min(wait, max(next.Sub(m.cfg.Now()), 10*time.Millisecond))
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-m.wake:
		case <-timer.C:
		}
	}
}

// MakeDue makes every file whose time has come and returns how many
// messages with a file (or with the news that it failed) it queued.
func (m *Maker) MakeDue(ctx context.Context) (int, error) {
	jobs, err := m.db.DueFileJobs(ctx, m.cfg.Now(), 16)
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, j := range jobs {
		done, err := m.make(ctx, j)
		if err != nil {
			return queued, err
		}
		if done {
			queued++
		}
	}
	if queued > 0 {
		m.cfg.Wake()
	}
	return queued, nil
}

// entry is a made file's audit row.
type entry struct{ actor, action, subject, detail string }

// make makes one job's file and queues its message; a failure to make
// the file is recorded for a later try (false), an error is the
// database's.
func (m *Maker) make(ctx context.Context, j store.FileJob) (bool, error) {
	var msg bot.Outbound
	if err := json.Unmarshal(j.Payload, &msg); err != nil || msg.Attachment == nil || msg.Attachment.File == nil {
		return true, m.giveUp(ctx, j, msg, fmt.Errorf("unreadable file job: %v", err))
	}
	a := msg.Attachment
	path := filepath.Join(m.cfg.DataDir, "exports", filepath.Base(a.Name))
	audit, err := m.render(ctx, *a.File, path)
	if err != nil {
		if j.Attempts+1 >= makerAttempts {
			return true, m.giveUp(ctx, j, msg, err)
		}
		m.cfg.Log.Warn("file not made, will try again", "kind", a.File.Kind, "err", err)
		retry := m.cfg.Now().Add(time.Duration(j.Attempts+1) * 30 * time.Second)
		return false, m.db.Tx(ctx, func(tx *store.Tx) error { return tx.RetryFileJob(j.ID, err.Error(), retry, m.cfg.Now()) })
	}
	now := m.cfg.Now()
	return true, m.db.Tx(ctx, func(tx *store.Tx) error {
		if fresh, err := tx.FinishFileJob(j.ID, now); err != nil || !fresh {
			return err
		}
		if err := tx.Audit(now, audit.actor, audit.action, audit.subject, audit.detail); err != nil {
			return err
		}
		a.File, a.Path = nil, path
		return bot.Enqueue(tx, store.Contact{Channel: j.Channel, Address: j.Address}, j.Priority, msg, now)
	})
}

// giveUp marks a job failed and tells the person, in the language they
// asked in.
func (m *Maker) giveUp(ctx context.Context, j store.FileJob, msg bot.Outbound, problem error) error {
	m.cfg.Log.Error("file not made, given up", "err", problem)
	lang, name := "", ""
	if a := msg.Attachment; a != nil {
		name = a.Name
		if a.File != nil {
			lang = a.File.Args[exportdata.ArgLang]
		}
	}
	now := m.cfg.Now()
	return m.db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.RetryFileJob(j.ID, problem.Error(), time.Time{}, now); err != nil {
			return err
		}
		return bot.Enqueue(tx, store.Contact{Channel: j.Channel, Address: j.Address}, j.Priority,
			bot.Outbound{Text: locales.T(lang, "export.file_failed", name)}, now)
	})
}

// render makes the file a request asks for at path, reading what it
// needs in a read transaction, and returns the audit row it owes.
func (m *Maker) render(ctx context.Context, req bot.FileRequest, path string) (entry, error) {
	args := req.Args
	lang := args[exportdata.ArgLang]
	at, err := time.Parse(time.RFC3339Nano, args[exportdata.ArgAt])
	if err != nil {
		return entry{}, fmt.Errorf("file request %s: time %q: %w", req.Kind, args[exportdata.ArgAt], err)
	}
	loc := m.cfg.Location
	name := filepath.Base(path)
	switch req.Kind {
	case exportdata.FileRecapBook, exportdata.FileRecapChart:
		month := args[exportdata.ArgMonth]
		from, err := time.ParseInLocation("2006-01", month, loc)
		if err != nil {
			return entry{}, fmt.Errorf("recap month %q: %w", month, err)
		}
		var rc exportdata.Recap
		if err := m.db.View(ctx, func(tx *store.Tx) error {
			rc, err = exportdata.BuildRecap(tx, from, from.AddDate(0, 1, 0), at, loc)
			return err
		}); err != nil {
			return entry{}, err
		}
		if req.Kind == exportdata.FileRecapBook {
			err = SaveRecapBook(path, rc, lang)
		} else {
			err = SaveRecapChart(path, rc, lang)
		}
		return entry{args[exportdata.ArgActor], "recap_export", month, name}, err
	case exportdata.FileTrainingList:
		id, err := strconv.ParseInt(args[exportdata.ArgTraining], 10, 64)
		if err != nil {
			return entry{}, fmt.Errorf("training %q: %w", args[exportdata.ArgTraining], err)
		}
		var rows [][]string
		if err := m.db.View(ctx, func(tx *store.Tx) error {
			regs, err := tx.Registrations(id)
			rows = exportdata.TrainingList(regs, loc)
			return err
		}); err != nil {
			return entry{}, err
		}
		_, err = csvexport.Write(filepath.Dir(path), name, exportdata.TrainingListHeader, rows)
		return entry{args[exportdata.ArgActor], "training_export", "training:" + strconv.FormatInt(id, 10),
			strconv.Itoa(len(rows)) + " rows"}, err
	}
	return entry{}, errors.New("unknown file request " + strconv.Quote(req.Kind))
}
