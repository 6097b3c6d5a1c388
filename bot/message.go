// Package bot is klabot's channel-neutral runtime: the message types, the
// Channel interface, the dispatcher that turns inbound messages into one
// committed transaction each, and the sender that drains the outbox.
package bot

import (
	"fmt"
	"strings"
	"time"

	"klabot/flows"
)

// Inbound is one message from a platform, normalised by its adapter.
type Inbound struct {
	Channel   string // "telegram", "whatsapp", "console"
	ChatID    string // where replies go
	MessageID string // unique per channel; a redelivery carries the same id
	Group     bool   // sent in a group chat, not a private one
	// Blocked and Unblocked report that the person blocked or unblocked the
	// bot; such events carry no input.
	Blocked, Unblocked bool
	Input              flows.Input
	Time               time.Time
}

// Button is one choice offered with a message.
type Button struct {
	Label string `json:"label"`
	Data  string `json:"data"`
}

// Attachment is a file to send with a message.
type Attachment struct {
	Kind string `json:"kind"` // "photo" or "document"
	Path string `json:"path"`
	Name string `json:"name,omitempty"`
	// Ref, when set, is the channel's own reference of a file it gave us
	// (Telegram's file_id), sent again as it is instead of Path.
	Ref string `json:"ref,omitempty"`
}

// Outbound is one message to send. It is what the outbox stores.
type Outbound struct {
	// Attachment, when set, is sent with Text as its caption.
	Attachment *Attachment `json:"attachment,omitempty"`
	Text       string      `json:"text"`
	Buttons    []Button    `json:"buttons,omitempty"`
	// AskContact, when set, is the label of a "share my number" key.
	AskContact string `json:"ask_contact,omitempty"`
	// Edit, when set, is the platform's id of a message sent earlier to
	// the same address (see Editor): its text and keys are replaced
	// instead of a new message being sent.
	Edit string `json:"edit,omitempty"`
}

// NumberedText renders the message for channels without buttons: the text,
// then one numbered line per choice.
func (m Outbound) NumberedText() string { return m.numbered(false) }

// NumberedTextWithCommands is NumberedText where a choice that is a
// command also shows it: "1. Terima: /terima LPR-…".
func (m Outbound) NumberedTextWithCommands() string { return m.numbered(true) }

func (m Outbound) numbered(commands bool) string {
	var b strings.Builder
	b.WriteString(m.Text)
	for i, btn := range m.Buttons {
		if i == 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "\n%d. %s", i+1, btn.Label)
		if commands && strings.HasPrefix(btn.Data, "/") {
			fmt.Fprintf(&b, ": %s", btn.Data)
		}
	}
	return b.String()
}

// outboundOf turns a flow's reply into a message; button data is
// "<option key>|<question token>" so a stale press can be recognised.
func outboundOf(r flows.Reply) Outbound {
	m := Outbound{Text: r.Text, AskContact: r.AskContact}
	if a := r.Attachment; a != nil {
		m.Attachment = &Attachment{Kind: a.Kind, Path: a.Path, Name: a.Name, Ref: a.Ref}
	}
	for _, o := range r.Options {
		data := o.Key + "|" + r.Token
		if strings.HasPrefix(o.Key, "/") {
			data = o.Key // a command key is valid whatever the conversation does
		}
		m.Buttons = append(m.Buttons, Button{Label: o.Label, Data: data})
	}
	return m
}

// MaxText is the longest text sent as one message: Telegram's limit, the
// shortest of the channels. MaxCaption is the longest caption of a file.
const (
	MaxText    = 4096
	MaxCaption = 1024
)

// parts cuts a message too long for one into several, each queued as its
// own outbox row: each part is then paced, retried and recorded on its own,
// so a part that fails is never sent with the parts that went already. A
// file whose text is too long for a caption goes first, alone. Keys go
// with the last part. Edits are left whole.
func parts(m Outbound) []Outbound {
	if m.Edit != "" {
		return []Outbound{m}
	}
	var out []Outbound
	if m.Attachment != nil {
		if len([]rune(m.Text)) <= MaxCaption {
			return []Outbound{m}
		}
		out = append(out, Outbound{Attachment: m.Attachment})
		m.Attachment = nil
	}
	texts := SplitText(m.Text, MaxText)
	for _, t := range texts[:len(texts)-1] {
		out = append(out, Outbound{Text: t})
	}
	m.Text = texts[len(texts)-1]
	return append(out, m)
}

// SplitText cuts text into pieces of at most limit characters, at line
// breaks where it can.
func SplitText(text string, limit int) []string {
	runes := []rune(text)
	var out []string
	for len(runes) > limit {
		cut := limit
		for i := limit; i > limit/2; i-- {
			if runes[i] == '\n' {
				cut = i
				break
			}
		}
		out = append(out, string(runes[:cut]))
		runes = runes[cut:]
	}
	return append(out, string(runes))
}
