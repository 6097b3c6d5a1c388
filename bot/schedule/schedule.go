// Package schedule runs klabot's timed work: it turns due reminders into
// outbox messages, follows up reports and sends the staff's morning digest,
// and lets other parts add periodic jobs of their own with Every.
//
// Cron (robfig/cron/v3, in the office's time zone, with panic recovery and
// no overlapping runs of one job) only says when to look. Every due time
// lives in SQLite, and each item is claimed in the same write transaction
// that queues its messages, so a restart forgets nothing and two runs at
// once send nothing twice.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"klabot/store"
)

// Config holds the scheduler's settings.
type Config struct {
	// Location is the office's time zone (KLABOT_TIMEZONE): cron specs,
	// 07:00 and the quiet hours are read in it.
	Location *time.Location
	// Staff are the staff contacts ("telegram:123") that get follow-ups
	// and the morning digest.
	Staff map[string]bool
	// Now is the clock; tests fix it.
	Now func() time.Time
	// Wake is called after a commit that queued messages (the app wakes
	// its senders).
	Wake func()
	Log  *slog.Logger
}

// JobFunc is periodic work. now is the time it runs for. It should do its
// writes in transactions that make it safe to run twice for the same time
// (store.Tx.MarkOnce helps): a job caught up at start-up may have run
// already just before a crash.
type JobFunc func(ctx context.Context, now time.Time) error

// Option changes how a job added with Every runs.
type Option func(*job)

// AtStart also runs the job once when the scheduler starts, before cron
// does: for jobs that catch up by themselves on whatever is due.
func AtStart() Option { return func(j *job) { j.atStart = true } }

// CatchUp makes a job durable: if a run fell while the bot was down, it is
// run once at start-up, provided it is no more than window late. Without
// it a missed run is skipped, as cron does.
func CatchUp(window time.Duration) Option { return func(j *job) { j.catchUp = window } }

type job struct {
	name    string
	spec    string
	sched   cron.Schedule
	fn      JobFunc
	atStart bool
	catchUp time.Duration
}

// Scheduler is klabot's scheduler. Make it with New, add jobs with Every,
// then Run it.
type Scheduler struct {
	db  *store.DB
	cfg Config

	mu      sync.Mutex
	jobs    []*job
	started bool
}

// Built-in job names.
const (
	JobReminders = "reminders"          // every minute: training and recurring reminders
	JobFollowUps = "report-followups"   // every 15 minutes: reports nobody moved on
	JobDigest    = "staff-digest"       // 07:00: the staff's morning summary
	JobQuestions = "question-reminders" // every 15 minutes: questions to reporters a day unanswered
)

// digestCatchUp is how late the morning digest may still be sent after the
// bot was down at 07:00: the same working day.
const digestCatchUp = 12 * time.Hour

// New makes a scheduler with klabot's own jobs: reminders every minute,
// report follow-ups every quarter of an hour, the staff digest at 07:00.
func New(db *store.DB, cfg Config) *Scheduler {
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
	s := &Scheduler{db: db, cfg: cfg}
	for _, j := range []struct {
		name, spec string
		fn         JobFunc
		opts       []Option
	}{
		{JobReminders, "* * * * *", s.Tick, []Option{AtStart()}},
		{JobFollowUps, "*/15 * * * *", s.FollowUps, []Option{AtStart()}},
		{JobDigest, fmt.Sprintf("0 %d * * *", digestHour), s.Digest, []Option{CatchUp(digestCatchUp)}},
		{JobQuestions, "*/15 * * * *", s.QuestionReminders, []Option{AtStart()}},
	} {
		if err := s.Every(j.name, j.spec, j.fn, j.opts...); err != nil {
			panic(err) // the specs above are fixed: a programming error
		}
	}
	return s
}

// Every adds a periodic job, run at the times of a standard five-field
// cron spec or a descriptor (@daily, @hourly...), read in the office's
// time zone. Runs of one job never overlap (a run still busy when the next
// falls due makes that one skip), and a panic is logged, not fatal. Call it
// before Run; name must be unique (it keys the job's last run for CatchUp).
//
//	s.Every("backup", "0 2 * * *", func(ctx context.Context, now time.Time) error {
//		return backup(ctx, now)
//	}, schedule.CatchUp(20*time.Hour))
func (s *Scheduler) Every(name, spec string, fn JobFunc, opts ...Option) error {
	if name == "" || fn == nil {
		return errors.New("schedule: a job needs a name and a function")
	}
	sched, err := parseJobSpec(spec)
	if err != nil {
		return fmt.Errorf("schedule: job %s: %w", name, err)
	}
	j := &job{name: name, spec: spec, sched: sched, fn: fn}
	for _, o := range opts {
		o(j)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return fmt.Errorf("schedule: job %s added after the scheduler started", name)
	}
	for _, other := range s.jobs {
		if other.name == name {
			return fmt.Errorf("schedule: job %s added twice", name)
		}
	}
	s.jobs = append(s.jobs, j)
	return nil
}

// parseJobSpec reads a job's spec with cron's standard parser. A time-zone
// prefix is refused (jobs run in the office's zone; a malformed one can
// panic the parser), and a panic is recovered anyway.
func parseJobSpec(spec string) (sched cron.Schedule, err error) {
	if strings.Contains(strings.ToUpper(spec), "TZ=") {
		return nil, fmt.Errorf("cron spec %q: no TZ= prefix, jobs run in the office's time zone", spec)
	}
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("cron spec %q: parser panic: %v", spec, r)
		}
	}()
	return cron.ParseStandard(spec)
}

// Run starts the scheduler and blocks until ctx ends. At start it plans
// the reminders of every coming training, runs the AtStart jobs (which
// catch up on what fell due while the bot was down) and the runs of
// CatchUp jobs that were missed; then cron takes over. When ctx ends it
// stops cron and waits for running jobs (they get ctx, so they end soon).
func (s *Scheduler) Run(ctx context.Context) error {
	s.mu.Lock()
	s.started = true
	jobs := append([]*job(nil), s.jobs...)
	s.mu.Unlock()

	s.startUp(ctx, jobs)

	c := s.newCron()
	for _, j := range jobs {
		c.Schedule(j.sched, cron.FuncJob(func() {
			if ctx.Err() == nil {
				s.run(ctx, j, s.cfg.Now())
			}
		}))
	}
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	return nil
}

// newCron is the cron that says when jobs run: specs read in the office's
// time zone, a panic recovered, a job still running skipped.
func (s *Scheduler) newCron() *cron.Cron {
	logger := cronLogger{s.cfg.Log}
	return cron.New(cron.WithLocation(s.cfg.Location), cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
}

// startUp is the catch-up at start: plan training reminders, then run what
// must run before cron starts.
func (s *Scheduler) startUp(ctx context.Context, jobs []*job) {
	now := s.cfg.Now()
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		return tx.SyncTrainingRemindersStarting(now, time.Time{}, s.cfg.Location, now)
	})
	if err != nil && ctx.Err() == nil {
		s.cfg.Log.Error("plan training reminders", "err", err)
	}
	for _, j := range jobs {
		switch {
		case ctx.Err() != nil:
			return
		case j.atStart:
			s.run(ctx, j, now)
		case j.catchUp > 0:
			s.catchUp(ctx, j, now)
		}
	}
}

// catchUp runs a CatchUp job once if a run fell between its last recorded
// run and now, no more than its window ago. A job that never ran has
// nothing to catch up: now becomes its starting point.
func (s *Scheduler) catchUp(ctx context.Context, j *job, now time.Time) {
	last, err := s.db.LastJobRun(j.name)
	if err != nil {
		s.cfg.Log.Error("read last run", "job", j.name, "err", err)
		return
	}
	if last.IsZero() {
		if err := s.db.Tx(ctx, func(tx *store.Tx) error { return tx.RecordJobRun(j.name, now) }); err != nil && ctx.Err() == nil {
			s.cfg.Log.Error("record first start", "job", j.name, "err", err)
		}
		return
	}
	missed := time.Time{}
	for t := j.sched.Next(last.In(s.cfg.Location)); !t.IsZero() && !t.After(now); t = j.sched.Next(t) {
		missed = t
	}
	switch {
	case missed.IsZero():
	case now.Sub(missed) > j.catchUp:
		s.cfg.Log.Info("missed run too late to catch up", "job", j.name, "missed", missed)
		if err := s.db.Tx(ctx, func(tx *store.Tx) error { return tx.RecordJobRun(j.name, now) }); err != nil && ctx.Err() == nil {
			s.cfg.Log.Error("record missed run", "job", j.name, "err", err)
		}
	default:
		s.cfg.Log.Info("catching up a missed run", "job", j.name, "missed", missed)
		s.run(ctx, j, now)
	}
}

// run runs a job once, logging its error or panic; a CatchUp job's run is
// recorded when it succeeds.
func (s *Scheduler) run(ctx context.Context, j *job, now time.Time) {
	defer func() {
		if r := recover(); r != nil {
			s.cfg.Log.Error("job panicked", "job", j.name, "panic", r)
		}
	}()
	if err := j.fn(ctx, now); err != nil {
		if ctx.Err() == nil {
			s.cfg.Log.Error("job failed", "job", j.name, "err", err)
		}
		return
	}
	if j.catchUp > 0 {
		if err := s.db.Tx(ctx, func(tx *store.Tx) error { return tx.RecordJobRun(j.name, now) }); err != nil && ctx.Err() == nil {
			s.cfg.Log.Error("record run", "job", j.name, "err", err)
		}
	}
}

// cronLogger sends cron's own messages to slog: routine ones at debug.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
