-- Staff broadcasts: what was sent, by whom, to which audience, and what
-- became of it for every person. A broadcast is written when staff confirm
-- it (state scheduled, due now or later); at its time the audience is
-- fixed as one recipient row per person (state sending), and the recipients
-- are fed into the outbox in batches, each recipient's outbox row in the
-- same transaction as the change of its state, so nobody gets it twice.

CREATE TABLE broadcasts (
    id            INTEGER PRIMARY KEY,
    created_by    INTEGER REFERENCES users(id),
    text          TEXT    NOT NULL,
    -- A photo sent with the text as its caption: the channel it was sent on
    -- and that channel's reference, which is sent again as it is; and the
    -- downloaded file, for recipients on other channels.
    photo_channel TEXT    NOT NULL DEFAULT '',
    photo_ref     TEXT    NOT NULL DEFAULT '',
    photo_path    TEXT    NOT NULL DEFAULT '',
    audience      TEXT    NOT NULL,              -- JSON, see store.Audience
    state         TEXT    NOT NULL DEFAULT 'scheduled'
                  CHECK (state IN ('scheduled', 'sending', 'paused', 'cancelled', 'done', 'missed')),
    created_at    TEXT    NOT NULL,
    scheduled_at  TEXT    NOT NULL,
    started_at    TEXT,
    finished_at   TEXT,
    -- People of the audience left out when it was fixed, and why.
    skipped_opted_out   INTEGER NOT NULL DEFAULT 0,
    skipped_unreachable INTEGER NOT NULL DEFAULT 0,
    skipped_no_consent  INTEGER NOT NULL DEFAULT 0,
    -- Progress shown to the staff member: the contact it goes to, the
    -- outbox row of the message edited in place, what it says now, when it
    -- last changed, and the share last announced where editing is not possible.
    status_channel   TEXT    NOT NULL DEFAULT '',
    status_address   TEXT    NOT NULL DEFAULT '',
    status_outbox_id INTEGER,
    status_text      TEXT    NOT NULL DEFAULT '',
    status_at        TEXT,
    status_step      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX broadcasts_state ON broadcasts(state, scheduled_at);

-- One row per person: waiting (not yet in the outbox), queued (its outbox
-- row is pending or held while the broadcast is paused), sent, failed or
-- cancelled. The primary key is the promise that a broadcast reaches a
-- person at most once, whichever channels they use.
CREATE TABLE broadcast_recipients (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    channel      TEXT    NOT NULL,
    address      TEXT    NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'waiting'
                 CHECK (state IN ('waiting', 'queued', 'sent', 'failed', 'cancelled')),
    outbox_id    INTEGER,
    sent_at      TEXT,
    error        TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (broadcast_id, user_id)
) WITHOUT ROWID;
CREATE INDEX broadcast_recipients_state ON broadcast_recipients(broadcast_id, state);
CREATE UNIQUE INDEX broadcast_recipients_outbox ON broadcast_recipients(outbox_id) WHERE outbox_id IS NOT NULL;

-- The platform's id of a message once sent (Telegram: the message id), so
-- that a progress message can be edited in place. Outbox rows of a
-- broadcast can also be 'held' (paused; the sender skips them) and
-- 'cancelled', besides pending, sent and failed.
ALTER TABLE outbox ADD COLUMN sent_ref TEXT NOT NULL DEFAULT '';
