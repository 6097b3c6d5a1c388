package whatsapp

import (
	"context"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
)

// Client is the part of whatsmeow the adapter uses. *whatsmeow.Client
// provides it through a thin wrapper (see session.go); tests use a fake
// (package fakewa) that injects events and records what is sent.
type Client interface {
	// AddEventHandlerWithSuccessStatus registers the event handler. With
	// SynchronousAck on, a message is acknowledged to WhatsApp only when the
	// handler returns true; false makes WhatsApp deliver it again.
	AddEventHandlerWithSuccessStatus(handler whatsmeow.EventHandlerWithSuccessStatus) uint32
	Connect() error
	Disconnect()
	IsConnected() bool

	SendMessage(ctx context.Context, to types.JID, message *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error)
	Upload(ctx context.Context, plaintext []byte, mediaType whatsmeow.MediaType) (whatsmeow.UploadResponse, error)
	Download(ctx context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error)
	MarkRead(ctx context.Context, ids []types.MessageID, timestamp time.Time, chat, sender types.JID, receiptTypeExtra ...types.ReceiptType) error
	SendPresence(ctx context.Context, state types.Presence) error
	SendChatPresence(ctx context.Context, jid types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error

	// PhoneForLID returns the phone-number JID whatsmeow has learnt for a
	// LID, or an empty JID when it knows none.
	PhoneForLID(ctx context.Context, lid types.JID) (types.JID, error)

	// GenerateMessageID makes the id of a message to send.
	GenerateMessageID() types.MessageID
	// HasWhatsApp tells whether a number has a WhatsApp account, asking
	// WhatsApp only where whatsmeow would before sending (see realClient).
	HasWhatsApp(ctx context.Context, to types.JID) (bool, error)
	// Own is the linked number, "" if unknown.
	Own() string
	// LIDMigrated tells whether WhatsApp told this link since when the
	// account talks to people by LID (the first history after linking).
	LIDMigrated() bool
}

// realClient is *whatsmeow.Client plus the one lookup it does not offer as
// a method of its own.
type realClient struct {
	*whatsmeow.Client
}

var _ Client = realClient{}

func (c realClient) PhoneForLID(ctx context.Context, lid types.JID) (types.JID, error) {
	return c.Store.LIDs.GetPNForLID(ctx, lid)
}

// HasWhatsApp does what whatsmeow's SendMessage does first for a phone
// number once the account uses LIDs (send.go): find the LID, asking
// WhatsApp when it is not known yet. whatsmeow reports "no LID" only in
// an error's words; asked here, the answer itself says it.
func (c realClient) HasWhatsApp(ctx context.Context, to types.JID) (bool, error) {
	if to.Server != types.DefaultUserServer || c.Store.LIDMigrationTimestamp == 0 {
		return true, nil // sent to the address as it is; WhatsApp answers
	}
	lid, err := c.Store.LIDs.GetLIDForPN(ctx, to)
	if err != nil {
		return false, err
	}
	if !lid.IsEmpty() {
		return true, nil
	}
	info, err := c.GetUserInfo(ctx, []types.JID{to}) // stores the LID it finds
	if err != nil {
		return false, err
	}
	return !info[to].LID.IsEmpty(), nil
}

func (c realClient) Own() string {
	if c.Store.ID == nil {
		return ""
	}
	return c.Store.ID.User
}

func (c realClient) LIDMigrated() bool { return c.Store.LIDMigrationTimestamp > 0 }
