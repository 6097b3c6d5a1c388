-- Files the chat asks for (exports with personal data): written in the
-- turn that asks, made only after that turn is committed, then sent. The
-- payload is the message that carries the file, encoded by the bot
-- package; its attachment says what to make.
CREATE TABLE file_jobs (
    id          INTEGER PRIMARY KEY,
    channel     TEXT    NOT NULL,
    address     TEXT    NOT NULL,
    priority    INTEGER NOT NULL,
    payload     TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  TEXT    NOT NULL,
    last_error  TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL,
    done_at     TEXT
);
CREATE INDEX file_jobs_pending ON file_jobs(not_before) WHERE state = 'pending';

-- What an outbox row is about ("report:LPR-...", "broadcast:3",
-- "reminder:5"): rows are found by it, never by reading their text.
ALTER TABLE outbox ADD COLUMN subject TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_subject ON outbox(subject) WHERE subject <> '';

-- What the store needs of a conversation, kept beside its JSON when it is
-- saved: the flow it is in, and whether it holds typed answers.
ALTER TABLE sessions ADD COLUMN flow TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN has_data INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET
    flow = CASE WHEN json_valid(state) THEN COALESCE(json_extract(state, '$.flow'), '') ELSE '' END,
    has_data = CASE WHEN json_valid(state) THEN json_extract(state, '$.data') IS NOT NULL ELSE 0 END;

-- Delivery counts of broadcasts ("broadcast:3") and reminders
-- ("reminder:5" recurring, "reminder:training:7"), kept apart from the rows they count: the
-- outbox rows and recipients go after KLABOT_RETENTION_DAYS, or when a
-- recipient erases their data, and the numbers stay.
CREATE TABLE delivery_counts (
    subject   TEXT    PRIMARY KEY,
    total     INTEGER NOT NULL DEFAULT 0,
    waiting   INTEGER NOT NULL DEFAULT 0,
    queued    INTEGER NOT NULL DEFAULT 0,
    sent      INTEGER NOT NULL DEFAULT 0,
    failed    INTEGER NOT NULL DEFAULT 0,
    cancelled INTEGER NOT NULL DEFAULT 0,
    blocked   INTEGER NOT NULL DEFAULT 0  -- failed because the person blocked the bot
) WITHOUT ROWID;

INSERT INTO delivery_counts(subject, total, waiting, queued, sent, failed, cancelled, blocked)
SELECT 'broadcast:' || r.broadcast_id, count(*), SUM(r.state = 'waiting'), SUM(r.state = 'queued'),
    SUM(r.state = 'sent'), SUM(r.state = 'failed'), SUM(r.state = 'cancelled'),
    SUM(r.state = 'failed' AND c.unreachable_at IS NOT NULL)
FROM broadcast_recipients r LEFT JOIN contacts c ON c.channel = r.channel AND c.address = r.address
GROUP BY r.broadcast_id;

-- A broadcast's recipients: counted as they are fixed and as their state
-- changes. A recipient still to be sent who is deleted (erased) leaves
-- the count; one whose outcome is known stays counted.
CREATE TRIGGER broadcast_recipient_added AFTER INSERT ON broadcast_recipients BEGIN
    INSERT OR IGNORE INTO delivery_counts(subject) VALUES ('broadcast:' || NEW.broadcast_id);
    UPDATE delivery_counts SET total = total + 1,
        waiting = waiting + (NEW.state = 'waiting'), queued = queued + (NEW.state = 'queued'),
        sent = sent + (NEW.state = 'sent'), failed = failed + (NEW.state = 'failed'),
        cancelled = cancelled + (NEW.state = 'cancelled')
    WHERE subject = 'broadcast:' || NEW.broadcast_id;
END;

CREATE TRIGGER broadcast_recipient_changed AFTER UPDATE OF state ON broadcast_recipients
WHEN OLD.state <> NEW.state BEGIN
    UPDATE delivery_counts SET
        waiting = waiting - (OLD.state = 'waiting') + (NEW.state = 'waiting'),
        queued = queued - (OLD.state = 'queued') + (NEW.state = 'queued'),
        sent = sent - (OLD.state = 'sent') + (NEW.state = 'sent'),
        failed = failed - (OLD.state = 'failed') + (NEW.state = 'failed'),
        cancelled = cancelled - (OLD.state = 'cancelled') + (NEW.state = 'cancelled'),
        blocked = blocked + (NEW.state = 'failed' AND EXISTS (SELECT 1 FROM contacts c
            WHERE c.channel = NEW.channel AND c.address = NEW.address AND c.unreachable_at IS NOT NULL))
    WHERE subject = 'broadcast:' || NEW.broadcast_id;
END;

CREATE TRIGGER broadcast_recipient_dropped AFTER DELETE ON broadcast_recipients
WHEN OLD.state IN ('waiting', 'queued') BEGIN
    UPDATE delivery_counts SET total = total - 1,
        waiting = waiting - (OLD.state = 'waiting'), queued = queued - (OLD.state = 'queued')
    WHERE subject = 'broadcast:' || OLD.broadcast_id;
END;

-- Reminders have no recipient rows: their outbox rows are counted.
CREATE TRIGGER reminder_message_added AFTER INSERT ON outbox
WHEN NEW.subject LIKE 'reminder:%' BEGIN
    INSERT OR IGNORE INTO delivery_counts(subject) VALUES (NEW.subject);
    UPDATE delivery_counts SET total = total + 1, queued = queued + 1 WHERE subject = NEW.subject;
END;

CREATE TRIGGER reminder_message_changed AFTER UPDATE OF state ON outbox
WHEN NEW.subject LIKE 'reminder:%' AND OLD.state = 'pending'
    AND NEW.state IN ('sent', 'failed', 'cancelled') BEGIN
    UPDATE delivery_counts SET queued = queued - 1,
        sent = sent + (NEW.state = 'sent'), failed = failed + (NEW.state = 'failed'),
        cancelled = cancelled + (NEW.state = 'cancelled')
    WHERE subject = NEW.subject;
END;

CREATE TRIGGER reminder_message_dropped AFTER DELETE ON outbox
WHEN OLD.subject LIKE 'reminder:%' AND OLD.state = 'pending' BEGIN
    UPDATE delivery_counts SET total = total - 1, queued = queued - 1 WHERE subject = OLD.subject;
END;
