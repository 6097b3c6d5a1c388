-- People, the ways to reach them, their conversation state, the inbound
-- dedupe log, the outbox and the audit log: what every feature builds on.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL DEFAULT '',
    lang          TEXT    NOT NULL DEFAULT 'id',
    role          TEXT    NOT NULL DEFAULT '',
    consent_at    TEXT,
    opted_out_at  TEXT,
    created_at    TEXT    NOT NULL
);

-- A contact is one address on one channel (a Telegram chat, a WhatsApp
-- number, the console). Several contacts may point at one person.
CREATE TABLE contacts (
    channel         TEXT    NOT NULL,
    address         TEXT    NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    unreachable_at  TEXT,
    last_inbound_at TEXT,
    PRIMARY KEY (channel, address)
);
CREATE INDEX contacts_user ON contacts(user_id);

CREATE TABLE sessions (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    state       TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

-- Every inbound message id seen, so a redelivered update is processed once.
CREATE TABLE inbound (
    channel     TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (channel, message_id)
) WITHOUT ROWID;

-- Transactional outbox: replies are written in the same transaction as the
-- state change that caused them and delivered by the sender afterwards.
-- priority: 0 conversation replies, 1 alerts, 2 reminders, 3 broadcasts.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    channel     TEXT    NOT NULL,
    address     TEXT    NOT NULL,
    priority    INTEGER NOT NULL DEFAULT 0,
    payload     TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    not_before  TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT '',
    state       TEXT    NOT NULL DEFAULT 'pending' -- pending, sent, failed
);
CREATE INDEX outbox_pending ON outbox(channel, priority, id) WHERE state = 'pending';

CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    at      TEXT    NOT NULL,
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    subject TEXT    NOT NULL DEFAULT '',
    detail  TEXT    NOT NULL DEFAULT ''
);
