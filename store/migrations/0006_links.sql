-- Linking one person's Telegram and WhatsApp: a one-time code made on one
-- channel and typed on the other. Failed tries are counted, so codes
-- cannot be guessed.

CREATE TABLE link_codes (
    code        TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL
);
CREATE INDEX link_codes_user ON link_codes(user_id);

CREATE TABLE link_attempts (
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at       TEXT    NOT NULL
);
CREATE INDEX link_attempts_user ON link_attempts(user_id, at);
