package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Broadcast states.
const (
	BroadcastScheduled = "scheduled" // confirmed; goes out at ScheduledAt
	BroadcastSending   = "sending"
	BroadcastPaused    = "paused"
	BroadcastCancelled = "cancelled"
	BroadcastDone      = "done"
	BroadcastMissed    = "missed" // fell due while klabot was down for too long
)

// BroadcastRecipient states.
const (
	RecipientWaiting   = "waiting" // not in the outbox yet
	RecipientQueued    = "queued"  // in the outbox (held while paused)
	RecipientSent      = "sent"
	RecipientFailed    = "failed"
	RecipientCancelled = "cancelled"
)

// ErrBroadcastState: the broadcast is not in a state that allows the change
// (pausing one that is done, starting one that was cancelled...).
var ErrBroadcastState = errors.New("broadcast cannot change that way in its state")

// Broadcast is one announcement staff sent to many people.
type Broadcast struct {
	ID        int64
	CreatedBy int64
	Text      string
	// PhotoChannel and PhotoRef name a photo sent with the text, as the
	// channel it came on knows it; PhotoPath is the downloaded file, for
	// recipients on other channels ("" until downloaded).
	PhotoChannel, PhotoRef, PhotoPath string
	Audience                          BroadcastAudience
	State                             string
	CreatedAt, ScheduledAt            time.Time
	StartedAt, FinishedAt             time.Time
	// People of the audience left out when it was fixed.
	Skipped BroadcastReach
	// Where progress is shown and what it shows now.
	StatusChannel, StatusAddress string
	StatusOutboxID               int64
	StatusText                   string
	StatusAt                     time.Time
	StatusStep                   int
}

// Kinds of broadcast audience.
const (
	ToAll      = "all"
	ToRole     = "role"     // Value: a role key, e.g. "satgas"
	ToKec      = "kec"      // Value: a kecamatan code
	ToDesa     = "desa"     // Value: a desa code
	ToTraining = "training" // Value: a training id
	ToChannel  = "channel"  // Value: a channel name
)

// BroadcastAudience says who a broadcast is for.
type BroadcastAudience struct {
	Kind  string `json:"kind"`
	Value string `json:"value,omitempty"`
}

// BroadcastRecipient is one person an audience reaches, on the contact chosen.
type BroadcastRecipient struct {
	UserID  int64
	Lang    string
	Contact Contact
}

// BroadcastReach says how many people an audience reaches, and how many of
// those it names are left out, by reason.
type BroadcastReach struct {
	Reach       int
	OptedOut    int // said "berhenti"
	Unreachable int // blocked the bot, or have no contact that works
	NoConsent   int // never agreed to the data notice
	ByChannel   map[string]int
}

// Left is how many were left out in all.
func (c BroadcastReach) Left() int { return c.OptedOut + c.Unreachable + c.NoConsent }

// BroadcastAudienceMembers lists the people an audience reaches, one
// contact each: the one they used last (on the audience's channel, for a
// channel audience), among those that are reachable and that they wrote
// from. People who opted out, cannot be reached or never agreed to the
// data notice are left out and counted.
//
// Where people live is known only from what they told the bot: a Satgas PA
// volunteer's kecamatan is the one they were invited for; anyone else's is
// that of the desa in their latest training registration. A Satgas PA
// audience is the volunteers and people who said they are one.
func (tx *Tx) BroadcastAudienceMembers(a BroadcastAudience) ([]BroadcastRecipient, BroadcastReach, error) {
	where, args, err := broadcastAudienceWhere(a)
	if err != nil {
		return nil, BroadcastReach{}, err
	}
	contactChannel := ""
	if a.Kind == ToChannel {
		contactChannel = a.Value
	}
	rows, err := tx.query(`SELECT u.id, u.lang, u.consent_at IS NOT NULL, u.opted_out_at IS NOT NULL,
		COALESCE((SELECT c.channel || char(31) || c.address FROM contacts c
			WHERE c.user_id = u.id AND c.unreachable_at IS NULL AND c.last_inbound_at IS NOT NULL
			AND (? = '' OR c.channel = ?)
			ORDER BY c.last_inbound_at DESC, c.channel LIMIT 1), '')
		FROM users u WHERE `+where+` ORDER BY u.id`, append([]any{contactChannel, contactChannel}, args...)...)
	if err != nil {
		return nil, BroadcastReach{}, fmt.Errorf("list audience: %w", err)
	}
	defer rows.Close()
	count := BroadcastReach{ByChannel: map[string]int{}}
	var out []BroadcastRecipient
	for rows.Next() {
		var r BroadcastRecipient
		var consent, optedOut bool
		var contact string
		if err := rows.Scan(&r.UserID, &r.Lang, &consent, &optedOut, &contact); err != nil {
			return nil, BroadcastReach{}, fmt.Errorf("scan audience: %w", err)
		}
		channel, address, found := strings.Cut(contact, "\x1f")
		switch {
		case optedOut:
			count.OptedOut++
		case !found:
			count.Unreachable++
		case !consent:
			count.NoConsent++
		default:
			r.Contact = Contact{Channel: channel, Address: address}
			count.Reach++
			count.ByChannel[channel]++
			out = append(out, r)
		}
	}
	return out, count, rows.Err()
}

// latestDesa is a person's village: the one given in their latest
// training registration (the same rule as reminders for one kecamatan).
const latestDesa = `(SELECT r.desa_code FROM registrations r WHERE r.user_id = u.id AND r.desa_code <> ''
	ORDER BY r.updated_at DESC, r.id DESC LIMIT 1)`

// broadcastAudienceWhere is the condition on users u that an audience names.
func broadcastAudienceWhere(a BroadcastAudience) (string, []any, error) {
	switch a.Kind {
	case ToAll:
		return `1`, nil, nil
	case ToRole:
		if a.Value == RoleSatgas {
			return `(u.role = ? OR u.id IN (SELECT user_id FROM volunteers))`, []any{a.Value}, nil
		}
		return `u.role = ?`, []any{a.Value}, nil
	case ToKec:
		return `(EXISTS (SELECT 1 FROM volunteers v WHERE v.user_id = u.id AND v.kec_code = ?)
			OR NOT EXISTS (SELECT 1 FROM volunteers v WHERE v.user_id = u.id)
			AND substr(` + latestDesa + `, 1, length(?) + 1) = ? || '.')`, []any{a.Value, a.Value, a.Value}, nil
	case ToDesa:
		return latestDesa + ` = ?`, []any{a.Value}, nil
	case ToTraining:
		return `u.id IN (SELECT user_id FROM registrations WHERE training_id = ? AND status IN ('registered', 'waitlisted'))`,
			[]any{a.Value}, nil
	case ToChannel:
		return `u.id IN (SELECT user_id FROM contacts WHERE channel = ?)`, []any{a.Value}, nil
	}
	return "", nil, fmt.Errorf("unknown audience kind %q", a.Kind)
}

// ContactChannels lists the channels people have written from, for choosing a
// channel audience.
func (tx *Tx) ContactChannels() ([]string, error) {
	rows, err := tx.query(`SELECT DISTINCT channel FROM contacts ORDER BY channel`)
	if err != nil {
		return nil, fmt.Errorf("list channels: %w", err)
	}
	return scanAll(rows, "scan channel", func(row rowScanner) (string, error) {
		var c string
		err := row.Scan(&c)
		return c, err
	})
}

// CreateBroadcast stores a confirmed broadcast, due at b.ScheduledAt (now
// for "send now"), and returns it with its id.
func (tx *Tx) CreateBroadcast(b Broadcast, now time.Time) (Broadcast, error) {
	audience, err := json.Marshal(b.Audience)
	if err != nil {
		return Broadcast{}, fmt.Errorf("encode audience: %w", err)
	}
	if b.ScheduledAt.IsZero() {
		b.ScheduledAt = now
	}
	res, err := tx.exec(`INSERT INTO broadcasts(created_by, text, photo_channel, photo_ref, audience, state,
		created_at, scheduled_at) VALUES (?, ?, ?, ?, ?, 'scheduled', ?, ?)`,
		nullID(b.CreatedBy), b.Text, b.PhotoChannel, b.PhotoRef, string(audience), FormatTime(now), FormatTime(b.ScheduledAt))
	if err != nil {
		return Broadcast{}, fmt.Errorf("create broadcast: %w", err)
	}
	id, _ := res.LastInsertId()
	return tx.Broadcast(id)
}

const broadcastColumns = `id, COALESCE(created_by, 0), text, photo_channel, photo_ref, photo_path, audience, state,
	created_at, scheduled_at, COALESCE(started_at, ''), COALESCE(finished_at, ''),
	skipped_opted_out, skipped_unreachable, skipped_no_consent,
	status_channel, status_address, COALESCE(status_outbox_id, 0), status_text, COALESCE(status_at, ''), status_step`

func scanBroadcast(row interface{ Scan(...any) error }) (Broadcast, error) {
	var b Broadcast
	var audience, created, scheduled, started, finished, statusAt string
	err := row.Scan(&b.ID, &b.CreatedBy, &b.Text, &b.PhotoChannel, &b.PhotoRef, &b.PhotoPath, &audience, &b.State,
		&created, &scheduled, &started, &finished,
		&b.Skipped.OptedOut, &b.Skipped.Unreachable, &b.Skipped.NoConsent,
		&b.StatusChannel, &b.StatusAddress, &b.StatusOutboxID, &b.StatusText, &statusAt, &b.StatusStep)
	if err != nil {
		return Broadcast{}, err
	}
	if err := json.Unmarshal([]byte(audience), &b.Audience); err != nil {
		return Broadcast{}, fmt.Errorf("broadcast %d: bad audience: %w", b.ID, err)
	}
	b.CreatedAt, b.ScheduledAt = ParseTime(created), ParseTime(scheduled)
	b.StartedAt, b.FinishedAt, b.StatusAt = ParseTime(started), ParseTime(finished), ParseTime(statusAt)
	return b, nil
}

// Broadcast loads a broadcast; ErrNotFound if there is none with that id.
func (tx *Tx) Broadcast(id int64) (Broadcast, error) {
	b, err := scanBroadcast(tx.queryRow(`SELECT `+broadcastColumns+` FROM broadcasts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Broadcast{}, ErrNotFound
	}
	if err != nil {
		return Broadcast{}, fmt.Errorf("load broadcast %d: %w", id, err)
	}
	return b, nil
}

// RecentBroadcasts lists the broadcasts still to finish (scheduled, sending,
// paused) and then the latest finished ones, up to limit in all.
func (tx *Tx) RecentBroadcasts(limit int) ([]Broadcast, error) {
	rows, err := tx.query(`SELECT `+broadcastColumns+` FROM broadcasts
		ORDER BY state IN ('scheduled', 'sending', 'paused') DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list broadcasts: %w", err)
	}
	return scanAll(rows, "scan broadcast", scanBroadcast)
}

// BroadcastsIn lists the broadcasts in the given states, oldest first.
func (db *DB) BroadcastsIn(ctx context.Context, states ...string) ([]Broadcast, error) {
	if len(states) == 0 {
		return nil, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(states)), ", ")
	args := make([]any, len(states))
	for i, s := range states {
		args[i] = s
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+broadcastColumns+` FROM broadcasts
		WHERE state IN (`+marks+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list broadcasts: %w", err)
	}
	return scanAll(rows, "scan broadcast", scanBroadcast)
}

// RunningBroadcasts lists the broadcasts the bot still has work with:
// sending or paused, or over (done, cancelled) with the staff member not
// told yet.
func (db *DB) RunningBroadcasts(ctx context.Context) ([]Broadcast, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+broadcastColumns+` FROM broadcasts
		WHERE state IN ('sending', 'paused')
		OR state IN ('done', 'cancelled') AND started_at IS NOT NULL AND status_step < ? ORDER BY id`, StatusFinal)
	if err != nil {
		return nil, fmt.Errorf("list running broadcasts: %w", err)
	}
	return scanAll(rows, "scan broadcast", scanBroadcast)
}

// StatusFinal is the status step of a broadcast whose end the staff member
// was told.
const StatusFinal = 100

// NextBroadcastDue is when the earliest scheduled broadcast falls due; zero
// if none is scheduled.
func (db *DB) NextBroadcastDue(ctx context.Context) (time.Time, error) {
	var at sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT min(scheduled_at) FROM broadcasts WHERE state = 'scheduled'`).Scan(&at)
	if err != nil {
		return time.Time{}, fmt.Errorf("next broadcast: %w", err)
	}
	return ParseTime(at.String), nil
}

// StartBroadcast fixes a scheduled broadcast's audience: one recipient row
// per person it reaches, the counts of those left out, and the contact of
// the staff member who made it for progress. The broadcast is then sending.
func (tx *Tx) StartBroadcast(id int64, now time.Time) (Broadcast, error) {
	b, err := tx.Broadcast(id)
	if err != nil {
		return Broadcast{}, err
	}
	if b.State != BroadcastScheduled {
		return Broadcast{}, ErrBroadcastState
	}
	members, count, err := tx.BroadcastAudienceMembers(b.Audience)
	if err != nil {
		return Broadcast{}, err
	}
	for _, m := range members {
		// OR IGNORE: a person is in a broadcast once, whatever happens.
		if _, err := tx.exec(`INSERT OR IGNORE INTO broadcast_recipients(broadcast_id, user_id, channel, address)
			VALUES (?, ?, ?, ?)`, id, m.UserID, m.Contact.Channel, m.Contact.Address); err != nil {
			return Broadcast{}, fmt.Errorf("add recipient: %w", err)
		}
	}
	var status Contact
	if b.CreatedBy != 0 {
		contacts, err := tx.ContactsOf(b.CreatedBy)
		if err != nil {
			return Broadcast{}, err
		}
		if len(contacts) > 0 {
			status = contacts[0]
		}
	}
	_, err = tx.exec(`UPDATE broadcasts SET state = 'sending', started_at = ?,
		skipped_opted_out = ?, skipped_unreachable = ?, skipped_no_consent = ?,
		status_channel = ?, status_address = ? WHERE id = ?`,
		FormatTime(now), count.OptedOut, count.Unreachable, count.NoConsent, status.Channel, status.Address, id)
	if err != nil {
		return Broadcast{}, fmt.Errorf("start broadcast: %w", err)
	}
	return tx.Broadcast(id)
}

// MissBroadcast gives up a scheduled broadcast that is too late to send.
func (tx *Tx) MissBroadcast(id int64, now time.Time) error {
	res, err := tx.exec(`UPDATE broadcasts SET state = 'missed', finished_at = ? WHERE id = ? AND state = 'scheduled'`,
		FormatTime(now), id)
	if err != nil {
		return fmt.Errorf("mark broadcast missed: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrBroadcastState
	}
	return nil
}

// WaitingRecipients lists up to limit recipients not yet in the outbox,
// with their language, on the given channels (all when nil).
func (tx *Tx) WaitingRecipients(broadcastID int64, channels []string, limit int) ([]BroadcastRecipient, error) {
	filter, args := "", []any{broadcastID}
	if channels != nil {
		if len(channels) == 0 {
			return nil, nil
		}
		filter = ` AND r.channel IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(channels)), ", ") + `)`
		for _, c := range channels {
			args = append(args, c)
		}
	}
	rows, err := tx.query(`SELECT r.user_id, u.lang, r.channel, r.address FROM broadcast_recipients r
		JOIN users u ON u.id = r.user_id
		WHERE r.broadcast_id = ? AND r.state = 'waiting'`+filter+` ORDER BY r.user_id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list waiting recipients: %w", err)
	}
	return scanAll(rows, "scan recipient", func(row rowScanner) (BroadcastRecipient, error) {
		var r BroadcastRecipient
		err := row.Scan(&r.UserID, &r.Lang, &r.Contact.Channel, &r.Contact.Address)
		return r, err
	})
}

// QueueRecipient puts one waiting recipient's message into the outbox, in
// this transaction: the recipient row moves to queued and points at it, so
// a restart can neither lose nor repeat it.
func (tx *Tx) QueueRecipient(broadcastID int64, r BroadcastRecipient, m OutboxMessage, now time.Time) error {
	m.Channel, m.Address = r.Contact.Channel, r.Contact.Address
	res, err := tx.exec(`INSERT INTO outbox(channel, address, priority, payload, created_at, not_before)
		SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM broadcast_recipients
			WHERE broadcast_id = ? AND user_id = ? AND state = 'waiting')`,
		m.Channel, m.Address, m.Priority, string(m.Payload), FormatTime(now), FormatTime(now), broadcastID, r.UserID)
	if err != nil {
		return fmt.Errorf("queue broadcast message: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // queued or cancelled meanwhile
	}
	outboxID, _ := res.LastInsertId()
	if _, err := tx.exec(`UPDATE broadcast_recipients SET state = 'queued', outbox_id = ?
		WHERE broadcast_id = ? AND user_id = ?`, outboxID, broadcastID, r.UserID); err != nil {
		return fmt.Errorf("mark recipient queued: %w", err)
	}
	tx.outboxChanged = true
	return nil
}

// SyncRecipients copies the outcome of delivered outbox rows (recorded by
// RecordDeliveries, or failed by MarkUnreachable) to their recipients.
func (tx *Tx) SyncRecipients(broadcastID int64) error {
	_, err := tx.exec(`UPDATE broadcast_recipients SET state = o.state,
		sent_at = CASE WHEN o.state = 'sent' THEN o.not_before END, error = o.last_error
		FROM outbox o WHERE o.id = broadcast_recipients.outbox_id
		AND broadcast_recipients.broadcast_id = ? AND broadcast_recipients.state IN ('queued', 'cancelled')
		AND o.state IN ('sent', 'failed') AND o.state != broadcast_recipients.state`, broadcastID)
	if err != nil {
		return fmt.Errorf("sync broadcast recipients: %w", err)
	}
	return nil
}

// BroadcastProgress counts a broadcast's recipients by state.
type BroadcastProgress struct {
	Total, Waiting, Queued, Sent, Failed, Cancelled int
	// Blocked are the failed recipients who blocked the bot.
	Blocked int
}

// Pending is how many are still to be sent.
func (p BroadcastProgress) Pending() int { return p.Waiting + p.Queued }

// BroadcastSubject is what a broadcast's delivery counts are kept under.
func BroadcastSubject(id int64) string { return "broadcast:" + strconv.FormatInt(id, 10) }

// ProgressOf counts a broadcast's recipients as last synced. The counts
// are kept apart from the recipients (delivery_counts, kept up by the
// database as recipients change): a finished broadcast's numbers stay when
// its rows are pruned or a recipient erases their data.
func (tx *Tx) ProgressOf(broadcastID int64) (BroadcastProgress, error) {
	d, err := tx.DeliveryCountsOf(BroadcastSubject(broadcastID))
	return BroadcastProgress(d), err
}

// FinishBroadcast marks a sending broadcast done once nobody waits for it.
func (tx *Tx) FinishBroadcast(id int64, now time.Time) (bool, error) {
	res, err := tx.exec(`UPDATE broadcasts SET state = 'done', finished_at = ? WHERE id = ? AND state = 'sending'
		AND NOT EXISTS (SELECT 1 FROM broadcast_recipients WHERE broadcast_id = ? AND state IN ('waiting', 'queued'))`,
		FormatTime(now), id, id)
	if err != nil {
		return false, fmt.Errorf("finish broadcast: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// PauseBroadcast stops a sending broadcast: its queued messages are held
// in the outbox (the sender skips held rows) and nothing more is queued.
func (tx *Tx) PauseBroadcast(id int64) error {
	if err := tx.setBroadcastState(id, BroadcastSending, BroadcastPaused, ""); err != nil {
		return err
	}
	_, err := tx.exec(`UPDATE outbox SET state = 'held' WHERE state = 'pending' AND id IN
		(SELECT outbox_id FROM broadcast_recipients WHERE broadcast_id = ? AND state = 'queued')`, id)
	if err != nil {
		return fmt.Errorf("hold broadcast messages: %w", err)
	}
	return nil
}

// ResumeBroadcast lets a paused broadcast go on where it stopped.
func (tx *Tx) ResumeBroadcast(id int64) error {
	if err := tx.setBroadcastState(id, BroadcastPaused, BroadcastSending, ""); err != nil {
		return err
	}
	_, err := tx.exec(`UPDATE outbox SET state = 'pending' WHERE state = 'held' AND id IN
		(SELECT outbox_id FROM broadcast_recipients WHERE broadcast_id = ? AND state = 'queued')`, id)
	if err != nil {
		return fmt.Errorf("release broadcast messages: %w", err)
	}
	tx.outboxChanged = true
	return nil
}

// CancelBroadcast stops a scheduled, sending or paused broadcast for good:
// whoever has not got it yet will not.
func (tx *Tx) CancelBroadcast(id int64, now time.Time) error {
	b, err := tx.Broadcast(id)
	if err != nil {
		return err
	}
	switch b.State {
	case BroadcastScheduled, BroadcastSending, BroadcastPaused:
	default:
		return ErrBroadcastState
	}
	if err := tx.setBroadcastState(id, b.State, BroadcastCancelled, FormatTime(now)); err != nil {
		return err
	}
	if _, err := tx.exec(`UPDATE outbox SET state = 'cancelled' WHERE state IN ('pending', 'held') AND id IN
		(SELECT outbox_id FROM broadcast_recipients WHERE broadcast_id = ? AND state = 'queued')`, id); err != nil {
		return fmt.Errorf("cancel broadcast messages: %w", err)
	}
	if _, err := tx.exec(`UPDATE broadcast_recipients SET state = 'cancelled'
		WHERE broadcast_id = ? AND state IN ('waiting', 'queued')`, id); err != nil {
		return fmt.Errorf("cancel broadcast recipients: %w", err)
	}
	// A message the sender had already taken still goes out; the next sync
	// records it as sent.
	return nil
}

func (tx *Tx) setBroadcastState(id int64, from, to, finishedAt string) error {
	res, err := tx.exec(`UPDATE broadcasts SET state = ?, finished_at = COALESCE(NULLIF(?, ''), finished_at)
		WHERE id = ? AND state = ?`, to, finishedAt, id, from)
	if err != nil {
		return fmt.Errorf("change broadcast state: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := tx.Broadcast(id); err != nil {
			return err
		}
		return ErrBroadcastState
	}
	return nil
}

// SetBroadcastPhoto records the downloaded file of a broadcast's photo.
func (tx *Tx) SetBroadcastPhoto(id int64, path string) error {
	if _, err := tx.exec(`UPDATE broadcasts SET photo_path = ? WHERE id = ?`, path, id); err != nil {
		return fmt.Errorf("save broadcast photo: %w", err)
	}
	return nil
}

// SetBroadcastStatus records what the progress message shows: the outbox
// row of the message edited in place (0: none), its text, and the step of
// progress last announced where it cannot be edited.
func (tx *Tx) SetBroadcastStatus(id, outboxID int64, text string, step int, now time.Time) error {
	_, err := tx.exec(`UPDATE broadcasts SET status_outbox_id = ?, status_text = ?, status_step = ?, status_at = ?
		WHERE id = ?`, nullID(outboxID), text, step, FormatTime(now), id)
	if err != nil {
		return fmt.Errorf("save broadcast status: %w", err)
	}
	return nil
}

// EnqueueID is Enqueue that returns the new row's id, for a message that
// will be followed (a progress message edited in place).
func (tx *Tx) EnqueueID(m OutboxMessage, now time.Time) (int64, error) {
	if err := tx.Enqueue(m, now); err != nil {
		return 0, err
	}
	var id int64
	if err := tx.queryRow(`SELECT last_insert_rowid()`).Scan(&id); err != nil {
		return 0, fmt.Errorf("read outbox id: %w", err)
	}
	return id, nil
}

// RecipientResult is what became of a broadcast for one person.
type RecipientResult struct {
	UserID  int64
	Contact Contact
	State   string
	SentAt  time.Time
	Error   string
}

// BroadcastResults lists every recipient of a broadcast with its outcome.
func (db *DB) BroadcastResults(ctx context.Context, broadcastID int64) ([]RecipientResult, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT user_id, channel, address, state, COALESCE(sent_at, ''), error
		FROM broadcast_recipients WHERE broadcast_id = ? ORDER BY user_id`, broadcastID)
	if err != nil {
		return nil, fmt.Errorf("list broadcast results: %w", err)
	}
	return scanAll(rows, "scan broadcast result", func(row rowScanner) (RecipientResult, error) {
		var r RecipientResult
		var sentAt string
		err := row.Scan(&r.UserID, &r.Contact.Channel, &r.Contact.Address, &r.State, &sentAt, &r.Error)
		r.SentAt = ParseTime(sentAt)
		return r, err
	})
}

// OutboxState tells what became of one outbox row: its state and, once
// sent, the platform's id of the message.
func (tx *Tx) OutboxState(id int64) (state, sentRef string, err error) {
	err = tx.queryRow(`SELECT state, sent_ref FROM outbox WHERE id = ?`, id).Scan(&state, &sentRef)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("read outbox row %d: %w", id, err)
	}
	return state, sentRef, nil
}

// WaitingElsewhere tells whether a broadcast still has recipients waiting
// on another channel than the given one.
func (db *DB) WaitingElsewhere(ctx context.Context, broadcastID int64, channel string) (bool, error) {
	var found bool
	err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM broadcast_recipients
		WHERE broadcast_id = ? AND state = 'waiting' AND channel <> ?)`, broadcastID, channel).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("look for recipients on other channels: %w", err)
	}
	return found, nil
}
