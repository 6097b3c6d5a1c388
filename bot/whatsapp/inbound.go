package whatsapp

import (
	"context"
	"strings"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"klabot/bot/message"
)

// private tells whether a message was written to the office by one person
// in a one-to-one chat. Own messages (staff typing on the office phone),
// groups, status updates, broadcast lists, channels and Meta's bots are not.
func private(info types.MessageInfo) bool {
	if info.IsFromMe || info.IsGroup || info.Sender.IsBot() {
		return false
	}
	switch info.Chat.Server {
	case types.DefaultUserServer, types.HiddenUserServer:
		return true
	}
	return false // g.us, broadcast (status and lists), newsletter, bot…
}

// addressOf is the contact address of whoever sent a message or call: the
// phone number ("6281234567890"). A person may appear under a LID instead
// (WhatsApp hides numbers more and more); the number then comes from the
// event's alternative address or whatsmeow's LID map, so one person stays
// one contact. Only if no number is known is the LID itself used
// ("123456789@lid"), which still reaches them.
func (w *WhatsApp) addressOf(ctx context.Context, sender, alt types.JID) string {
	sender, alt = sender.ToNonAD(), alt.ToNonAD()
	switch {
	case sender.Server == types.DefaultUserServer:
		return sender.User
	case alt.Server == types.DefaultUserServer:
		return alt.User
	case sender.Server == types.HiddenUserServer:
		pn, err := w.client.PhoneForLID(ctx, sender)
		if err != nil {
			w.log.Warn("look up the number of a LID", "err", hide(err))
		} else if pn.Server == types.DefaultUserServer && pn.User != "" {
			return pn.User
		}
	}
	return sender.String()
}

// jidOf is the inverse of addressOf.
func jidOf(address string) (types.JID, error) {
	if strings.Contains(address, "@") {
		return types.ParseJID(address)
	}
	return types.NewJID(address, types.DefaultUserServer), nil
}

// inbound turns a message event into what the dispatcher takes; false for
// messages klabot does not act on.
func (w *WhatsApp) inbound(ctx context.Context, evt *events.Message) (message.Inbound, bool) {
	if !private(evt.Info) {
		return message.Inbound{}, false
	}
	address := w.addressOf(ctx, evt.Info.Sender, evt.Info.SenderAlt)
	input, ok := inputOf(evt, address)
	if !ok {
		return message.Inbound{}, false
	}
	// Sent long ago (klabot or the office's internet was down): what was
	// chosen then may not fit the question open now.
	input.Late = !evt.Info.Timestamp.IsZero() && w.cfg.Now().Sub(evt.Info.Timestamp) > w.cfg.LateAfter
	return message.Inbound{
		Channel: Name,
		ChatID:  address,
		// WhatsApp message ids are made by the sender's phone: unique per
		// sender, so the sender is part of the id, as WhatsApp names them
		// in this delivery (LID or number): a delivery again carries the
		// same, whatever klabot has learnt about the LID meanwhile.
		MessageID: evt.Info.Sender.ToNonAD().String() + "/" + evt.Info.ID,
		Input:     input,
		Time:      evt.Info.Timestamp,
	}, true
}

// inputOf reads what a person sent; false for what is invisible in the chat
// or not a message to answer (reactions, deletions, poll votes, pins...).
func inputOf(evt *events.Message, sender string) (message.Input, bool) {
	m := evt.Message
	if m == nil {
		return message.Input{}, false
	}
	if evt.IsEdit || m.GetProtocolMessage().GetType() == waE2E.ProtocolMessage_MESSAGE_EDIT {
		edited := m
		if p := m.GetProtocolMessage(); p != nil {
			edited = p.GetEditedMessage()
		}
		return message.Input{Kind: message.KindEdited, Text: textOf(edited)}, true
	}
	switch {
	case m.Conversation != nil || m.ExtendedTextMessage != nil:
		return message.Input{Kind: message.KindText, Text: textOf(m)}, true
	case m.ImageMessage != nil:
		img := m.GetImageMessage()
		return mediaInput(message.KindPhoto, kindImage, img, img.GetCaption(), img.GetMimetype(), "", img.GetFileLength()), true
	case m.AudioMessage != nil: // a voice note (PTT) or an audio file
		a := m.GetAudioMessage()
		return mediaInput(message.KindVoice, kindAudio, a, "", a.GetMimetype(), "", a.GetFileLength()), true
	case m.VideoMessage != nil || m.PtvMessage != nil: // a video, or a round video note
		v := m.GetVideoMessage()
		if v == nil {
			v = m.GetPtvMessage()
		}
		return mediaInput(message.KindVideo, kindVideo, v, v.GetCaption(), v.GetMimetype(), "", v.GetFileLength()), true
	case m.DocumentMessage != nil:
		d := m.GetDocumentMessage()
		return mediaInput(message.KindDocument, kindDocument, d, d.GetCaption(), d.GetMimetype(), d.GetFileName(), d.GetFileLength()), true
	case m.StickerMessage != nil:
		return message.Input{Kind: message.KindSticker}, true
	case m.LocationMessage != nil:
		l := m.GetLocationMessage()
		return message.Input{Kind: message.KindLocation, Lat: l.GetDegreesLatitude(), Lon: l.GetDegreesLongitude()}, true
	case m.LiveLocationMessage != nil:
		l := m.GetLiveLocationMessage()
		return message.Input{Kind: message.KindLocation, Lat: l.GetDegreesLatitude(), Lon: l.GetDegreesLongitude()}, true
	case m.ContactMessage != nil:
		in := message.Input{Kind: message.KindContact}
		// Only a person's own number counts as theirs (as on Telegram):
		// a card of someone else is not the sender's phone.
		if phone := vcardPhone(m.GetContactMessage().GetVcard()); phone == sender {
			in.Phone = phone
		}
		return in, true
	case m.ContactsArrayMessage != nil:
		return message.Input{Kind: message.KindContact}, true
	case m.PollCreationMessage != nil || m.PollCreationMessageV2 != nil || m.PollCreationMessageV3 != nil ||
		m.EventMessage != nil || m.GroupInviteMessage != nil || m.ProductMessage != nil ||
		m.RequestPaymentMessage != nil || m.SendPaymentMessage != nil || m.OrderMessage != nil:
		// Visible in the chat but not something the flows can read: the
		// person gets a kind "please answer with a number".
		return message.Input{Kind: message.KindOther}, true
	}
	// Reactions, deletions, poll votes, pins, key exchanges, albums (their
	// photos follow one by one) and whatever WhatsApp adds next: nothing
	// the person would expect an answer to.
	return message.Input{}, false
}

func textOf(m *waE2E.Message) string {
	if t := m.GetConversation(); t != "" {
		return t
	}
	return m.GetExtendedTextMessage().GetText()
}

// vcardPhone reads the first phone number of a contact card, as 62….
// WhatsApp puts the account's number in the waid parameter; otherwise the
// number as the person saved it is used ("+62 812-…", "0812…").
func vcardPhone(vcard string) string {
	for _, line := range strings.Split(strings.ReplaceAll(vcard, "\r\n", "\n"), "\n") {
		params, value, ok := strings.Cut(line, ":")
		if !ok || !strings.HasPrefix(strings.ToUpper(params), "TEL") {
			continue
		}
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(p, "="); ok && strings.EqualFold(k, "waid") {
				return digits(v)
			}
		}
		n := digits(value)
		if strings.HasPrefix(n, "0") {
			n = "62" + n[1:] // a number saved the local way
		}
		return n
	}
	return ""
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
