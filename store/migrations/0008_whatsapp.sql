-- WhatsApp: the messages an outbox row goes out as, each with the id chosen
-- before its first try. A retry sends the same id, so a message that left
-- before a timeout is not shown twice, and a file is not uploaded again;
-- the stored message also answers a phone's request to send it again
-- (a retry receipt) after a restart. Deleted with its outbox row.
CREATE TABLE whatsapp_parts (
    outbox_id  INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    part       INTEGER NOT NULL,
    message_id TEXT    NOT NULL UNIQUE,
    message    BLOB    NOT NULL, -- waE2E.Message, files already uploaded
    sent_at    TEXT,
    PRIMARY KEY (outbox_id, part)
);

-- What the WhatsApp adapter remembers across restarts: since when the
-- number is linked (its pace rises over the first weeks), when a temporary
-- ban or a hold on new contacts ends, when the last ban was.
CREATE TABLE whatsapp_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
