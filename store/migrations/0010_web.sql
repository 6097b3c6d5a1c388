-- The staff dashboard: one-time sign-in links sent in the chat, and the
-- browser sessions they open. Only hashes of the secrets are kept, so a
-- copy of the database opens no session.

CREATE TABLE web_logins (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    channel    TEXT    NOT NULL,   -- the contact the link was asked from
    address    TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_at    TEXT
);
CREATE INDEX web_logins_user ON web_logins(user_id, created_at);

CREATE TABLE web_sessions (
    id_hash      TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    channel      TEXT    NOT NULL,
    address      TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions(user_id);

-- The dashboard's report list filters and sorts on these.
CREATE INDEX reports_kec_created  ON reports(kec_code, id);
CREATE INDEX reports_desa         ON reports(desa_code);
CREATE INDEX reports_category     ON reports(category, id);
CREATE INDEX reports_updated      ON reports(updated_at);
