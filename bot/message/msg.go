// Package message holds the message types shared by klabot's runtime and its
// channel adapters: what a platform delivers (Inbound, Input) and what is
// sent back (Outbound), and the interfaces an adapter implements. It is a
// leaf, so an adapter knows its platform and nothing else of klabot.
package message

import (
	"fmt"
	"strings"
	"time"
	"unicode"
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
	Input              Input
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
	// File, instead of Path, is a file still to be made: the message waits
	// as a file job until bot/export made it, never in the outbox, so a
	// channel never sees it.
	File *FileRequest `json:"file,omitempty"`
}

// FileRequest asks for a file to be made: its kind and what that kind
// needs (the flows' out.FileRequest, as stored with the message).
type FileRequest struct {
	Kind string            `json:"kind"`
	Args map[string]string `json:"args,omitempty"`
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
	// Subject is what the message is about (flows/out Reply.Subject), kept
	// beside its outbox row rather than in it.
	Subject string `json:"-"`
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

// MaxText is the longest text sent as one message: Telegram's limit, the
// shortest of the channels. MaxCaption is the longest caption of a file.
const (
	MaxText    = 4096
	MaxCaption = 1024
)

// SplitText cuts text into pieces of at most limit characters, never in
// the middle of a word: at the last paragraph break that keeps a piece at
// least half full, else at a line break, else after a sentence, else
// between words. Only a single word longer than limit is cut. The spaces
// and line breaks where a cut falls are dropped.
func SplitText(text string, limit int) []string {
	runes := []rune(text)
	var out []string
	for len(runes) > limit {
		cut := cutPoint(runes, limit)
		if piece := strings.TrimRightFunc(string(runes[:cut]), unicode.IsSpace); piece != "" {
			out = append(out, piece)
		}
		runes = runes[cut:]
		for len(runes) > 0 && unicode.IsSpace(runes[0]) {
			runes = runes[1:]
		}
	}
	return append(out, string(runes))
}

// cutPoint is where to end a piece of at most limit runes of runes
// (len(runes) > limit): the index the next piece starts from.
func cutPoint(runes []rune, limit int) int {
	half := limit / 2
	last := func(from int, ok func(i int) bool) int {
		// The rune at limit may be the space a cut falls on.
		for i := limit; i > from; i-- {
			if ok(i) {
				return i
			}
		}
		return -1
	}
	space := func(i int) bool { return unicode.IsSpace(runes[i]) }
	for _, ok := range []func(i int) bool{
		func(i int) bool { return runes[i] == '\n' && runes[i-1] == '\n' },
		func(i int) bool { return runes[i] == '\n' },
		func(i int) bool { return space(i) && strings.ContainsRune(".!?", runes[i-1]) },
	} {
		if i := last(half, ok); i > 0 {
			return i
		}
	}
	if i := last(0, space); i > 0 {
		return i
	}
	return limit
}

// Kind says what a person sent.
type Kind string

// The kinds of input a channel can deliver.
const (
	KindText     Kind = "text"
	KindButton   Kind = "button"
	KindPhoto    Kind = "photo"
	KindVoice    Kind = "voice"
	KindVideo    Kind = "video"
	KindDocument Kind = "document"
	KindSticker  Kind = "sticker"
	KindLocation Kind = "location"
	KindContact  Kind = "contact"
	KindEdited   Kind = "edited" // a message changed after it was sent
	KindOther    Kind = "other"
)

// Media points at a file the person sent; the channel can fetch it by Ref.
type Media struct {
	Ref      string `json:"ref"`
	Mime     string `json:"mime,omitempty"`
	Size     int64  `json:"size,omitempty"`
	FileName string `json:"file_name,omitempty"`
}

// Input is what a person sent, as the adapter read it. The dispatcher
// hands it to the flows as their own Input.
type Input struct {
	Kind     Kind
	Text     string // typed text or media caption
	Payload  string // button data
	Media    *Media
	Lat, Lon float64
	Phone    string
	// Late: it reached klabot long after it was sent (see flows.Input).
	Late bool
}

// HasMedia tells whether the input carries a file.
func (in Input) HasMedia() bool { return in.Media != nil }
