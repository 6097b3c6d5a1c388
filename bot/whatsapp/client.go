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
