package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// User is one person, whichever channels they write from.
type User struct {
	ID         int64
	Name       string
	Lang       string
	Role       string
	ConsentAt  time.Time
	OptedOutAt time.Time
	CreatedAt  time.Time
}

// Contact is one way to reach a person: a channel and an address on it.
type Contact struct {
	Channel string
	Address string
}

// String is the contact as "channel:address", the form used in KLABOT_STAFF.
func (c Contact) String() string { return c.Channel + ":" + c.Address }

const userColumns = `u.id, u.name, u.lang, u.role, COALESCE(u.consent_at, ''), COALESCE(u.opted_out_at, ''), u.created_at`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (User, error) {
	var u User
	var consent, optedOut, created string
	err := row.Scan(append([]any{&u.ID, &u.Name, &u.Lang, &u.Role, &consent, &optedOut, &created}, extra...)...)
	u.ConsentAt, u.OptedOutAt, u.CreatedAt = ParseTime(consent), ParseTime(optedOut), ParseTime(created)
	return u, err
}

// UserByContact finds the person behind a contact, creating them (in the
// given language) on first contact. No platform display name is kept: we
// ask for a name only where a feature needs one. It also records that
// the contact wrote to us, which makes it reachable again if it was not.
func (tx *Tx) UserByContact(c Contact, lang string, now time.Time) (User, bool, error) {
	var lastInbound string
	var unreachable bool
	u, err := scanUser(tx.queryRow(`SELECT `+userColumns+`, COALESCE(c.last_inbound_at, ''), c.unreachable_at IS NOT NULL
		FROM contacts c JOIN users u ON u.id = c.user_id WHERE c.channel = ? AND c.address = ?`, c.Channel, c.Address),
		&lastInbound, &unreachable)
	if err == nil {
		// A minute's precision is enough for "when did they last write",
		// and saves a write on most messages.
		if unreachable || now.Sub(ParseTime(lastInbound)) > time.Minute {
			_, err = tx.exec(`UPDATE contacts SET last_inbound_at = ?, unreachable_at = NULL WHERE channel = ? AND address = ?`,
				FormatTime(now), c.Channel, c.Address)
			if err != nil {
				return User{}, false, fmt.Errorf("touch contact: %w", err)
			}
		}
		return u, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return User{}, false, fmt.Errorf("find user by contact: %w", err)
	}
	res, err := tx.exec(`INSERT INTO users(lang, created_at) VALUES (?, ?)`, lang, FormatTime(now))
	if err != nil {
		return User{}, false, fmt.Errorf("create user: %w", err)
	}
	id, _ := res.LastInsertId()
	if _, err := tx.exec(`INSERT INTO contacts(channel, address, user_id, last_inbound_at) VALUES (?, ?, ?, ?)`,
		c.Channel, c.Address, id, FormatTime(now)); err != nil {
		return User{}, false, fmt.Errorf("create contact: %w", err)
	}
	return User{ID: id, Lang: lang, CreatedAt: now.UTC().Truncate(time.Millisecond)}, true, nil
}

// User loads a person by id.
func (tx *Tx) User(id int64) (User, error) {
	u, err := scanUser(tx.queryRow(`SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
	if err != nil {
		return User{}, fmt.Errorf("load user %d: %w", id, err)
	}
	return u, nil
}

// SaveUser writes back a person's name, language, role, consent and opt-out.
func (tx *Tx) SaveUser(u User) error {
	_, err := tx.exec(`UPDATE users SET name = ?, lang = ?, role = ?, consent_at = ?, opted_out_at = ? WHERE id = ?`,
		u.Name, u.Lang, u.Role, nullTime(u.ConsentAt), nullTime(u.OptedOutAt), u.ID)
	if err != nil {
		return fmt.Errorf("save user %d: %w", u.ID, err)
	}
	return nil
}

// ContactsOf lists the reachable contacts of a person, the most recently
// used first: that is where messages to them go.
func (tx *Tx) ContactsOf(userID int64) ([]Contact, error) {
	rows, err := tx.query(`SELECT channel, address FROM contacts
		WHERE user_id = ? AND unreachable_at IS NULL ORDER BY last_inbound_at DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	return scanAll(rows, "scan contact", func(row rowScanner) (Contact, error) {
		var c Contact
		err := row.Scan(&c.Channel, &c.Address)
		return c, err
	})
}

// UserIDByContact returns the person behind a contact, or 0 if unknown.
func (tx *Tx) UserIDByContact(c Contact) (int64, error) {
	var id int64
	err := tx.queryRow(`SELECT user_id FROM contacts WHERE channel = ? AND address = ?`, c.Channel, c.Address).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("find contact: %w", err)
	}
	return id, nil
}

// MarkUnreachable records that a contact blocked the bot, and drops what was
// still queued for it: it cannot be delivered.
func (tx *Tx) MarkUnreachable(c Contact, now time.Time) error {
	if _, err := tx.exec(`UPDATE contacts SET unreachable_at = ? WHERE channel = ? AND address = ?`,
		FormatTime(now), c.Channel, c.Address); err != nil {
		return fmt.Errorf("mark unreachable: %w", err)
	}
	if _, err := tx.exec(`UPDATE outbox SET state = 'failed', last_error = 'unreachable'
		WHERE channel = ? AND address = ? AND state = 'pending'`, c.Channel, c.Address); err != nil {
		return fmt.Errorf("drop queued messages: %w", err)
	}
	return nil
}

// MarkReachable clears the unreachable mark, e.g. when someone unblocks the bot.
func (tx *Tx) MarkReachable(c Contact) error {
	_, err := tx.exec(`UPDATE contacts SET unreachable_at = NULL WHERE channel = ? AND address = ?`, c.Channel, c.Address)
	if err != nil {
		return fmt.Errorf("mark reachable: %w", err)
	}
	return nil
}

// Unreachable tells whether a contact is marked as having blocked the bot.
func (db *DB) Unreachable(c Contact) (bool, error) {
	var at sql.NullString
	err := db.read.QueryRow(`SELECT unreachable_at FROM contacts WHERE channel = ? AND address = ?`, c.Channel, c.Address).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read contact: %w", err)
	}
	return at.Valid, nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return FormatTime(t)
}
