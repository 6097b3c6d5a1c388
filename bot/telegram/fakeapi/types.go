package fakeapi

import (
	"net/url"
	"time"
)

// User describes a Telegram user that talks to the bot. It is the input of
// the update-injection helpers; the server remembers every user it sees so
// that private chat objects carry the same names Telegram would send.
type User struct {
	ID           int64
	FirstName    string
	Username     string
	LanguageCode string
}

// Button is one inline keyboard button as the bot sent it. Only the fields a
// chatbot test usually asserts on are kept; the raw JSON stays available in
// Sent.Params["reply_markup"].
type Button struct {
	Text         string
	CallbackData string
	URL          string
}

// InlineKeyboard is a parsed inline_keyboard reply markup: rows of buttons.
type InlineKeyboard struct {
	Rows [][]Button
}

// Buttons returns all buttons of the keyboard in reading order. It is safe to
// call on a nil keyboard.
func (k *InlineKeyboard) Buttons() []Button {
	if k == nil {
		return nil
	}
	var out []Button
	for _, row := range k.Rows {
		out = append(out, row...)
	}
	return out
}

// Find returns the first button whose text equals text. It is safe to call on
// a nil keyboard, which simply has no buttons.
func (k *InlineKeyboard) Find(text string) (Button, bool) {
	for _, b := range k.Buttons() {
		if b.Text == text {
			return b, true
		}
	}
	return Button{}, false
}

// Sent is one request the fake accepted from the bot that produced or changed
// a message: sendMessage, sendPhoto, sendDocument, sendVoice, editMessageText
// and editMessageReplyMarkup. Rejected requests (injected faults, blocked
// chats, rate limits, validation errors) are never recorded here.
//
// Values returned by the server share Params and ReplyMarkup with the
// server's log; treat them as read-only.
type Sent struct {
	Method    string
	ChatID    int64 // 0 for edits addressed by inline_message_id
	MessageID int   // id of the new message, or of the edited one
	// Text and Caption are the parameters as sent, markup included (for
	// parse_mode HTML the message returned to the bot has it stripped).
	Text    string
	Caption string
	// ReplyMarkup is the inline keyboard attached to the message, nil when
	// reply_markup was absent or was not an inline keyboard (for example a
	// reply keyboard or keyboard removal; those are only in Params).
	ReplyMarkup *InlineKeyboard
	ParseMode   string
	// FileID is the file_id of the photo, document or voice that was sent:
	// the one the bot referenced, or a freshly minted one for uploads (its
	// bytes are then available through Server.File and getFile).
	FileID string
	// Uploaded reports whether the file was uploaded as multipart data.
	Uploaded bool
	Params   url.Values // every form field of the request
	At       time.Time  // when the server accepted the request
}

// Limits configures rate-limit enforcement (see Server.EnforceLimits).
//
// The server uses a sliding window: a send is accepted when fewer than the
// allowed number of sends were accepted during the preceding Window. This is
// stricter and more predictable than a token bucket, which makes tests that
// assert on rejections deterministic.
type Limits struct {
	// Global is the number of sends per Window accepted across all chats;
	// 0 disables the global limit.
	Global int
	// PerChat is the number of sends per Window accepted for a single chat;
	// 0 disables the per-chat limit.
	PerChat int
	// Window is the length of the sliding window; 0 means one second, which
	// makes Global and PerChat "messages per second" like Telegram's limits.
	// A longer window lets tests avoid any dependence on wall-clock speed.
	Window time.Duration
}

func (l Limits) window() time.Duration {
	if l.Window <= 0 {
		return time.Second
	}
	return l.Window
}

func (l Limits) enabled() bool { return l.Global > 0 || l.PerChat > 0 }

// Stats summarises how the server answered the bot.
type Stats struct {
	Requests    int // all API requests, whatever their outcome
	Accepted    int // accepted rate-limited sends (sendMessage, sendPhoto, sendDocument, sendVoice, editMessageText)
	RateLimited int // sends rejected with 429 by EnforceLimits
	Injected    int // responses replaced by a FailNext fault
	Blocked     int // requests rejected with 403 because of BlockChat/BlockBot
	Outage      int // requests answered with 502 because of SetDown
}
