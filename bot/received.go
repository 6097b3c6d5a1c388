package bot

import (
	"encoding/json"
	"strings"

	"klabot/flows"
	"klabot/store"
)

// The choices of messages klabot sends a chat on its own are remembered
// with the chat, so that a number or a choice's words typed next pick
// them where the platform shows no buttons (flows/received.go).

// headRunes bounds the first line kept of such a message.
const headRunes = 80

// rememberChoices records the command keys of a message just queued for c.
func rememberChoices(tx *store.Tx, c store.Contact, m Outbound) error {
	var keys []Button
	for _, b := range m.Buttons {
		if strings.HasPrefix(b.Data, "/") {
			keys = append(keys, b)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	head, _, _ := strings.Cut(strings.TrimSpace(m.Text), "\n")
	if r := []rune(head); len(r) > headRunes {
		head = string(r[:headRunes]) + "…"
	}
	raw, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	return tx.RememberChoices(c, head, raw)
}

// receivedOf reads the choices c received since it last wrote, and
// forgets them: whatever it says now answers them or something else.
func receivedOf(tx *store.Tx, c store.Contact) ([]flows.Received, error) {
	rows, err := tx.ReceivedChoicesOf(c)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	if err := tx.ForgetChoices(c); err != nil {
		return nil, err
	}
	var out []flows.Received
	for _, r := range rows {
		var keys []Button
		if json.Unmarshal(r.Choices, &keys) != nil {
			continue // a broken row offers nothing
		}
		rec := flows.Received{Head: r.Head}
		for _, k := range keys {
			rec.Options = append(rec.Options, flows.Option{Key: k.Data, Label: k.Label})
		}
		out = append(out, rec)
	}
	return out, nil
}
