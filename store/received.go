package store

import "fmt"

// ReceivedChoices are the choices of one message klabot sent a chat on
// its own, as the bot encoded them.
type ReceivedChoices struct {
	ID      int64
	Head    string // the message's first line
	Choices []byte
}

// keptChoices is how many such messages a chat's choices are kept for:
// more than a person scrolls back to.
const keptChoices = 5

// RememberChoices notes that the message just queued for c (the last part
// of it, which carries the keys) offers these choices.
func (tx *Tx) RememberChoices(c Contact, head string, choices []byte) error {
	var outboxID int64
	for i := len(tx.queued) - 1; i >= 0; i-- {
		if m := tx.queued[i]; m.Channel == c.Channel && m.Address == c.Address {
			outboxID = m.ID
			break
		}
	}
	if outboxID == 0 {
		return fmt.Errorf("remember choices: nothing queued for the chat")
	}
	if _, err := tx.exec(`INSERT INTO received_choices(channel, address, outbox_id, head, choices) VALUES (?, ?, ?, ?, ?)`,
		c.Channel, c.Address, outboxID, head, string(choices)); err != nil {
		return fmt.Errorf("remember choices: %w", err)
	}
	if _, err := tx.exec(`DELETE FROM received_choices WHERE channel = ? AND address = ? AND id NOT IN
		(SELECT id FROM received_choices WHERE channel = ? AND address = ? ORDER BY id DESC LIMIT ?)`,
		c.Channel, c.Address, c.Channel, c.Address, keptChoices); err != nil {
		return fmt.Errorf("forget older choices: %w", err)
	}
	return nil
}

// ReceivedChoicesOf lists the choices of the messages c was sent on
// klabot's own since it last wrote, oldest first: only those delivered,
// since a person answers what they have seen.
func (tx *Tx) ReceivedChoicesOf(c Contact) ([]ReceivedChoices, error) {
	rows, err := tx.query(`SELECT rc.id, rc.head, rc.choices FROM received_choices rc
		JOIN outbox o ON o.id = rc.outbox_id AND o.state = 'sent'
		WHERE rc.channel = ? AND rc.address = ? ORDER BY rc.id`, c.Channel, c.Address)
	if err != nil {
		return nil, fmt.Errorf("list received choices: %w", err)
	}
	return scanAll(rows, "scan received choices", func(row rowScanner) (ReceivedChoices, error) {
		var r ReceivedChoices
		var choices string
		err := row.Scan(&r.ID, &r.Head, &choices)
		r.Choices = []byte(choices)
		return r, err
	})
}

// ForgetChoices drops the choices a chat has seen: it answered something.
// Those still on their way stay, to be answered once they arrive.
func (tx *Tx) ForgetChoices(c Contact) error {
	if _, err := tx.exec(`DELETE FROM received_choices WHERE channel = ? AND address = ?
		AND outbox_id IN (SELECT id FROM outbox WHERE state <> 'pending')`, c.Channel, c.Address); err != nil {
		return fmt.Errorf("forget received choices: %w", err)
	}
	return nil
}
