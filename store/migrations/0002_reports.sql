-- Case reports: the reports themselves, their evidence files, every change
-- made to them, the Satgas PA volunteers who check them in the field and the
-- one-time invite codes that make someone a volunteer. Every column that
-- names a person refers to users(id), so that linking two accounts of one
-- person can move all of them.

CREATE TABLE reports (
    id               INTEGER PRIMARY KEY,
    code             TEXT    NOT NULL UNIQUE,           -- LPR-XXXX-XXXX, what people read out
    category         TEXT    NOT NULL,
    urgent           INTEGER NOT NULL DEFAULT 0,
    kec_code         TEXT    NOT NULL DEFAULT '',
    desa_code        TEXT    NOT NULL DEFAULT '',
    lat              REAL,                              -- a shared location pin, if any
    lon              REAL,
    place_note       TEXT    NOT NULL DEFAULT '',
    description      TEXT    NOT NULL DEFAULT '',
    children_count   INTEGER NOT NULL DEFAULT 0,        -- 0: not known
    children_age     TEXT    NOT NULL DEFAULT '',
    anonymous        INTEGER NOT NULL DEFAULT 1,
    -- Kept even for anonymous reports, only to send the reporter updates;
    -- staff and volunteers never see who it is when anonymous is set.
    reporter_user_id INTEGER NOT NULL REFERENCES users(id),
    status           TEXT    NOT NULL DEFAULT 'baru',
    assigned_to      INTEGER REFERENCES users(id),
    kla_cluster      TEXT    NOT NULL DEFAULT '',
    kla_indicator    TEXT    NOT NULL DEFAULT '',
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    closed_at        TEXT
);
CREATE INDEX reports_status   ON reports(status, created_at);
CREATE INDEX reports_reporter ON reports(reporter_user_id);
CREATE INDEX reports_assigned ON reports(assigned_to);
CREATE INDEX reports_kec      ON reports(kec_code);

-- Evidence a reporter sent. The row is written with the report; the file is
-- fetched from the channel afterwards (state pending -> saved or failed).
CREATE TABLE report_media (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,                  -- photo, voice, video, document
    channel     TEXT    NOT NULL,
    ref         TEXT    NOT NULL,                  -- the channel's file id
    mime        TEXT    NOT NULL DEFAULT '',
    size        INTEGER NOT NULL DEFAULT 0,
    sha256      TEXT    NOT NULL DEFAULT '',
    path        TEXT    NOT NULL DEFAULT '',
    state       TEXT    NOT NULL DEFAULT 'pending', -- pending, saved, failed
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_try_at TEXT    NOT NULL,
    last_error  TEXT    NOT NULL DEFAULT '',
    added_by    INTEGER REFERENCES users(id),
    created_at  TEXT    NOT NULL
);
CREATE INDEX report_media_report  ON report_media(report_id);
CREATE INDEX report_media_pending ON report_media(next_try_at) WHERE state = 'pending';

-- Everything that happened to a report: who, when, what, with which note.
CREATE TABLE report_events (
    id            INTEGER PRIMARY KEY,
    report_id     INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    at            TEXT    NOT NULL,
    actor_user_id INTEGER REFERENCES users(id),
    role          TEXT    NOT NULL,              -- reporter, staff, volunteer
    kind          TEXT    NOT NULL,              -- created, status, assign, note, info, media
    from_status   TEXT    NOT NULL DEFAULT '',
    to_status     TEXT    NOT NULL DEFAULT '',
    assignee_id   INTEGER REFERENCES users(id),  -- for kind assign: the volunteer
    note          TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX report_events_report ON report_events(report_id, id);

-- Satgas PA volunteers: only through an invite from staff.
CREATE TABLE volunteers (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    kec_code   TEXT    NOT NULL,
    invited_by INTEGER REFERENCES users(id),
    since      TEXT    NOT NULL
);
CREATE INDEX volunteers_kec ON volunteers(kec_code);

CREATE TABLE invites (
    code       TEXT    PRIMARY KEY,
    role       TEXT    NOT NULL,
    kec_code   TEXT    NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_by    INTEGER REFERENCES users(id),
    used_at    TEXT
);

-- When a half-done conversation was last nudged; a nudge older than the
-- last activity means this quiet spell has not been nudged yet.
ALTER TABLE sessions ADD COLUMN nudged_at TEXT;
