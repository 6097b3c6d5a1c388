-- Reminders: what the scheduler sends at a set time. Cron only ticks; every
-- due time lives here, so a restart forgets nothing. A row is claimed (its
-- state or next due time changed) in the same transaction that queues its
-- messages, so nothing goes out twice.

-- One reminder for one person at one time: the day before a training they
-- registered for (07:00 local time) and two hours before it starts. Kept in
-- step with registrations by SyncTrainingReminders.
CREATE TABLE reminders (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,  -- training_day_before, training_2h
    training_id INTEGER NOT NULL REFERENCES trainings(id) ON DELETE CASCADE,
    due_at      TEXT    NOT NULL,
    -- pending: waits for due_at; sent: queued in the outbox; missed: too
    -- late to be useful; skipped: not needed (opted out, already told)
    state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'missed', 'skipped')),
    done_at     TEXT,
    created_at  TEXT    NOT NULL,
    UNIQUE (user_id, training_id, kind)
);
CREATE INDEX reminders_due ON reminders(due_at) WHERE state = 'pending';
CREATE INDEX reminders_training ON reminders(training_id);

-- Recurring reminders made by staff: a cron spec read in the office's time
-- zone, a message, and who receives it.
CREATE TABLE recurring_reminders (
    id           INTEGER PRIMARY KEY,
    spec         TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    audience     TEXT    NOT NULL CHECK (audience IN ('satgas', 'forum_anak', 'peserta', 'semua')),
    kec_code     TEXT    NOT NULL DEFAULT '',  -- '' for every kecamatan
    active       INTEGER NOT NULL DEFAULT 1,
    next_due_at  TEXT    NOT NULL,
    last_sent_at TEXT,
    sent_count   INTEGER NOT NULL DEFAULT 0,  -- occurrences sent
    missed_count INTEGER NOT NULL DEFAULT 0,  -- occurrences that fell while the bot was down
    created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   TEXT    NOT NULL,
    stopped_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    stopped_at   TEXT
);
CREATE INDEX recurring_reminders_due ON recurring_reminders(next_due_at) WHERE active = 1;

-- People who stopped one recurring reminder ("Pengingat saya").
CREATE TABLE reminder_optouts (
    reminder_id INTEGER NOT NULL REFERENCES recurring_reminders(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at          TEXT    NOT NULL,
    PRIMARY KEY (reminder_id, user_id)
);

-- Things done once, such as a day's staff digest or one follow-up of a
-- report: the key is written in the transaction that queues the message.
CREATE TABLE schedule_marks (
    key TEXT PRIMARY KEY,
    at  TEXT NOT NULL
) WITHOUT ROWID;

-- When each periodic job last ran, so that a run missed while the bot was
-- down can be caught up at start-up.
CREATE TABLE schedule_runs (
    name        TEXT PRIMARY KEY,
    last_run_at TEXT NOT NULL
) WITHOUT ROWID;
