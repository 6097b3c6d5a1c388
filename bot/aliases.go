package bot

import "klabot/bot/message"

// The message types live in bot/msg, a leaf the adapters import; the
// runtime uses them under their old names.
type (
	Inbound     = message.Inbound
	Outbound    = message.Outbound
	Button      = message.Button
	Attachment  = message.Attachment
	FileRequest = message.FileRequest
	Channel     = message.Channel
	Attached    = message.Attached
	Editor      = message.Editor
	SendError   = message.SendError
	Fetcher     = message.Fetcher
	FetchError  = message.FetchError
)

// Limits of the shortest channel, Telegram.
const (
	MaxText    = message.MaxText
	MaxCaption = message.MaxCaption
)

// SplitText cuts text into pieces of at most limit characters.
func SplitText(text string, limit int) []string { return message.SplitText(text, limit) }
