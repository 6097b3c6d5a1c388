// Package out holds what klabot says: replies with their numbered choices
// and attachments, addressed to a person or to the staff. The flows engine
// and the staff operations both produce them; the bot delivers them.
package out

import "time"

// Option is one numbered choice of a prompt.
type Option struct {
	// Key is the option's stable id, carried in button data. A key that
	// starts with "/" is a command (e.g. "/terima LPR-…") and works even
	// after the conversation has moved on; keep it under 60 bytes.
	Key   string
	Label string // what the person sees, at most 20 characters
}

// Reply is one message to a person.
type Reply struct {
	Text    string
	Options []Option
	// Attachment is a file sent with the message (Text is its caption).
	Attachment *Attachment
	// Token goes into button data so that a press on an old message is
	// recognised as stale.
	Token string
	// AskContact, when set, is the label of a "share my number" key the
	// channel offers where it can.
	AskContact string
	// Subject is what the message is about (store.ReportSubject): a
	// message is found by it later (to withdraw it), never by its text.
	Subject string
}

// Attachment is a file on disk to send: a photo or a document.
type Attachment struct {
	Kind string // "photo" or "document"
	Path string
	Name string // file name shown to the person
	// Ref, instead of Path, is a file a person sent on the channel the
	// reply goes to (Media.Ref), sent again as it is.
	Ref string
	// File, instead of Path, asks for a file to be made (an export),
	// named Name: it is made once the turn that asked for it is
	// committed, and the message goes when it is ready.
	File *FileRequest
}

// FileRequest asks for a file: its kind (exportdata.File*) and what that
// kind needs. No chat waits while a file is made, and a turn that is
// undone leaves no file with personal data behind.
type FileRequest struct {
	Kind string            `json:"kind"`
	Args map[string]string `json:"args,omitempty"`
}

// Message is a reply addressed to someone: the person who wrote (UserID 0),
// another person (UserID), or every staff member (ToStaff).
type Message struct {
	UserID   int64
	ToStaff  bool
	Priority int
	Reply    Reply
	// Separate marks a message to the person who wrote that stands on its
	// own, not the answer to their message: its choices count as those of
	// the latest message they received (a "which did you mean" question).
	Separate bool
	// NotBefore, if set, holds the message until then (a question to a
	// reporter asked in the quiet hours).
	NotBefore time.Time
}
