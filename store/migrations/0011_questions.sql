-- Questions staff or a report's Satgas PA volunteer ask the reporter, and
-- the reporter's answers. The reporter is reached through the report
-- (reporter_user_id): nothing here names them.
CREATE TABLE report_questions (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    asked_by    INTEGER REFERENCES users(id),
    role        TEXT    NOT NULL,              -- staff, volunteer
    question    TEXT    NOT NULL,
    asked_at    TEXT    NOT NULL,
    reminded_at TEXT,                          -- the one reminder after 24 hours
    answered_at TEXT,
    answer      TEXT    NOT NULL DEFAULT '',   -- the text, or a file's caption
    answer_kind TEXT    NOT NULL DEFAULT ''    -- text, photo, voice, video, document
);
CREATE INDEX report_questions_report ON report_questions(report_id, id);
CREATE INDEX report_questions_open   ON report_questions(asked_at) WHERE answered_at IS NULL;

-- The choices of messages klabot sent a chat on its own (an alert, a
-- status update, a question, a reminder): a number or a choice's words
-- typed next refer to them, as a tap would. Forgotten at the chat's next
-- message; the outbox row tells whether it was delivered yet.
CREATE TABLE received_choices (
    id        INTEGER PRIMARY KEY,
    channel   TEXT    NOT NULL,
    address   TEXT    NOT NULL,
    outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    head      TEXT    NOT NULL,                -- the message's first line
    choices   TEXT    NOT NULL                 -- the keys, as the bot encodes them
);
CREATE INDEX received_choices_chat   ON received_choices(channel, address, id);
CREATE INDEX received_choices_outbox ON received_choices(outbox_id);
