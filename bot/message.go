// Package bot is klabot's channel-neutral runtime: the message types, the
// Channel interface, the dispatcher that turns inbound messages into one
// committed transaction each, and the sender that drains the outbox.
package bot

import (
	"strings"

	"klabot/bot/message"
	"klabot/flows"
)

// outboundOf turns a flow's reply into a message; button data is
// "<option key>|<question token>" so a stale press can be recognised.
func outboundOf(r flows.Reply) Outbound {
	m := Outbound{Text: r.Text, AskContact: r.AskContact, Subject: r.Subject}
	if a := r.Attachment; a != nil {
		m.Attachment = &Attachment{Kind: a.Kind, Path: a.Path, Name: a.Name, Ref: a.Ref}
		if f := a.File; f != nil {
			m.Attachment.File = &FileRequest{Kind: f.Kind, Args: f.Args}
		}
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

// flowInput hands what an adapter read to the flows, which keep their own
// copy of the type so that they need nothing of the bot.
func flowInput(in message.Input) flows.Input {
	out := flows.Input{Kind: flows.Kind(in.Kind), Text: in.Text, Payload: in.Payload,
		Lat: in.Lat, Lon: in.Lon, Phone: in.Phone, Late: in.Late}
	if m := in.Media; m != nil {
		out.Media = &flows.Media{Ref: m.Ref, Mime: m.Mime, Size: m.Size, FileName: m.FileName}
	}
	return out
}
