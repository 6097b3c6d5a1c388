-- Trainings (sessions people can join) and registrations (who joined,
-- who waits for a seat, who came).

CREATE TABLE trainings (
    id              INTEGER PRIMARY KEY,
    program         TEXT    NOT NULL,  -- key of the programme table in flows
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    kec_code        TEXT    NOT NULL DEFAULT '',
    place           TEXT    NOT NULL DEFAULT '',
    starts_at       TEXT    NOT NULL,
    ends_at         TEXT    NOT NULL,
    capacity        INTEGER NOT NULL CHECK (capacity > 0),
    -- the short code staff show on the day; people send it to check in
    attendance_code TEXT    NOT NULL UNIQUE,
    status          TEXT    NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    created_by      INTEGER REFERENCES users(id),
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);
CREATE INDEX trainings_starts ON trainings(status, starts_at);

-- One row per person and training; a cancelled registration is kept (and
-- reused if the person registers again) so the history stays whole.
CREATE TABLE registrations (
    id           INTEGER PRIMARY KEY,
    training_id  INTEGER NOT NULL REFERENCES trainings(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    status       TEXT    NOT NULL CHECK (status IN ('registered', 'waitlisted', 'cancelled')),
    full_name    TEXT    NOT NULL,
    age          INTEGER NOT NULL,
    desa_code    TEXT    NOT NULL DEFAULT '',
    phone        TEXT    NOT NULL DEFAULT '',  -- 62... form
    answers      TEXT    NOT NULL DEFAULT '{}', -- the programme's questions, JSON
    priority     INTEGER NOT NULL DEFAULT 0,    -- higher is served first from the waitlist
    created_at   TEXT    NOT NULL,
    queued_at    TEXT    NOT NULL,              -- waitlist order within a priority
    updated_at   TEXT    NOT NULL,
    cancelled_at TEXT,
    attended_at  TEXT,
    marked_by    INTEGER REFERENCES users(id),  -- staff who marked attendance; NULL when self check-in
    UNIQUE (training_id, user_id)
);
CREATE INDEX registrations_user ON registrations(user_id);
CREATE INDEX registrations_seats ON registrations(training_id, status);
