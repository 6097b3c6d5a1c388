package fakeapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf16"
)

// pendingUpdate is an update waiting to be confirmed by the bot.
type pendingUpdate struct {
	id  int
	raw json.RawMessage
	// replay marks an update delivered again by Redeliver; it stays until
	// it has been served once, whatever offset the bot confirmed.
	replay, served bool
}

// chatState holds the messages of one chat. Telegram numbers messages per
// chat, shared by the user's and the bot's messages, so the fake does too.
type chatState struct {
	lastID int
	msgs   map[int]*storedMsg
	typ    string // "private", "group" or "supergroup"
	title  string
}

// storedMsg is the server's copy of a message, used to build callback query
// messages and to validate edits.
type storedMsg struct {
	id        int
	fromBot   bool
	from      User // sender when !fromBot
	date      int64
	editDate  int64
	rawText   string // text as sent, before parse_mode processing
	text      string // text as displayed (entities stripped)
	caption   string
	entities  any
	media     string // JSON field of the media ("photo", "document", ...), "" for text
	mediaObj  any
	markup    json.RawMessage // inline keyboard, nil if none
	parseMode string
}

func (s *Server) chatLocked(chatID int64) *chatState {
	c := s.chats[chatID]
	if c == nil {
		c = &chatState{msgs: make(map[int]*storedMsg)}
		switch {
		case chatID > 0:
			c.typ = "private"
		case chatID <= -1000000000000: // Telegram's "-100..." supergroup ids
			c.typ = "supergroup"
			c.title = "Test Supergroup"
		default:
			c.typ = "group"
			c.title = "Test Group"
		}
		s.chats[chatID] = c
	}
	return c
}

// chatJSON renders the chat object Telegram embeds in messages.
func (s *Server) chatJSON(chatID int64) map[string]any {
	c := s.chatLocked(chatID)
	obj := map[string]any{"id": chatID, "type": c.typ}
	if c.typ != "private" {
		obj["title"] = c.title
		return obj
	}
	u, ok := s.users[chatID]
	if !ok {
		u = User{ID: chatID}
	}
	obj["first_name"] = firstName(u)
	if u.Username != "" {
		obj["username"] = u.Username
	}
	return obj
}

// firstName substitutes a name because Telegram never sends an empty one.
func firstName(u User) string {
	if u.FirstName == "" {
		return "User"
	}
	return u.FirstName
}

func userJSON(u User) map[string]any {
	obj := map[string]any{"id": u.ID, "is_bot": false, "first_name": firstName(u)}
	if u.Username != "" {
		obj["username"] = u.Username
	}
	if u.LanguageCode != "" {
		obj["language_code"] = u.LanguageCode
	}
	return obj
}

func (s *Server) botJSON() map[string]any {
	return map[string]any{"id": s.BotID, "is_bot": true, "first_name": BotFirstName, "username": s.BotUsername}
}

// messageJSON renders a stored message as a Telegram Message object.
func (s *Server) messageJSON(chatID int64, m *storedMsg) map[string]any {
	obj := map[string]any{
		"message_id": m.id,
		"chat":       s.chatJSON(chatID),
		"date":       m.date,
	}
	if m.fromBot {
		obj["from"] = s.botJSON()
	} else {
		obj["from"] = userJSON(m.from)
	}
	if m.editDate != 0 {
		obj["edit_date"] = m.editDate
	}
	if m.media == "" {
		obj["text"] = m.text
	} else {
		obj[m.media] = m.mediaObj
		if m.caption != "" {
			obj["caption"] = m.caption
		}
	}
	if m.entities != nil {
		obj["entities"] = m.entities
	}
	if m.markup != nil {
		obj["reply_markup"] = m.markup
	}
	return obj
}

// addMessageLocked assigns the next message id of the chat and stores m.
func (s *Server) addMessageLocked(chatID int64, m *storedMsg) {
	c := s.chatLocked(chatID)
	c.lastID++
	m.id = c.lastID
	if m.date == 0 {
		m.date = time.Now().Unix()
	}
	c.msgs[m.id] = m
}

func (s *Server) rememberUserLocked(u User) {
	if u.ID > 0 {
		s.users[u.ID] = u
	}
}

// appendUpdateLocked stores a new update and wakes pending long polls.
func (s *Server) appendUpdateLocked(fields map[string]any) int {
	s.lastUpdateID++
	id := s.lastUpdateID
	obj := maps.Clone(fields)
	if obj == nil {
		obj = map[string]any{}
	}
	obj["update_id"] = id
	raw, err := json.Marshal(obj)
	if err != nil {
		// Only AddUpdate can get here, with a value JSON cannot represent:
		// a bug in the calling test.
		panic(fmt.Sprintf("fakeapi: cannot encode update: %v", err))
	}
	s.updates = append(s.updates, pendingUpdate{id: id, raw: raw})
	s.history[id] = raw
	close(s.updateSignal)
	s.updateSignal = make(chan struct{})
	return id
}

// AddUpdate queues an arbitrary update. raw holds the update's fields
// (for example {"inline_query": {...}}); update_id is assigned by the server
// and overrides any value in raw. raw is not modified. It returns the
// update_id and panics if raw cannot be encoded as JSON.
func (s *Server) AddUpdate(raw map[string]any) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appendUpdateLocked(raw)
}

// injectMessage stores a message from a user and queues it as a "message"
// update.
func (s *Server) injectMessage(chatID int64, from User, m *storedMsg) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rememberUserLocked(from)
	m.from = from
	s.addMessageLocked(chatID, m)
	return s.appendUpdateLocked(map[string]any{"message": s.messageJSON(chatID, m)})
}

// SendText queues a text message from a user. In a private chat chatID
// equals from.ID, as on Telegram. Texts starting with a command ("/start",
// "/help@bot") carry a bot_command entity, so tgbotapi's Message.IsCommand
// and Command work. It returns the update_id.
func (s *Server) SendText(chatID int64, from User, text string) int {
	return s.injectMessage(chatID, from, &storedMsg{rawText: text, text: text, entities: commandEntities(text)})
}

// SendGroupText queues a text message from a user in a group chat (type
// "group"), for testing that the bot handles or ignores group traffic.
func (s *Server) SendGroupText(groupChatID int64, from User, text string) int {
	s.mu.Lock()
	c := s.chatLocked(groupChatID)
	c.typ = "group"
	if c.title == "" {
		c.title = "Test Group"
	}
	s.mu.Unlock()
	return s.SendText(groupChatID, from, text)
}

// SendPhoto queues a photo message. Register the file with AddFile first if
// the bot is expected to download it.
func (s *Server) SendPhoto(chatID int64, from User, fileID, caption string) int {
	size := s.photoSize(fileID)
	return s.injectMessage(chatID, from, &storedMsg{media: "photo", mediaObj: []any{size}, caption: caption})
}

// SendVoice queues a voice message of the given duration in seconds.
func (s *Server) SendVoice(chatID int64, from User, fileID string, durationSec int) int {
	obj := s.fileJSON(fileID)
	obj["duration"] = durationSec
	obj["mime_type"] = "audio/ogg"
	return s.injectMessage(chatID, from, &storedMsg{media: "voice", mediaObj: obj})
}

// SendDocument queues a document message, with the MIME type Telegram
// gives it from the file name's extension.
func (s *Server) SendDocument(chatID int64, from User, fileID, fileName, caption string) int {
	obj := s.fileJSON(fileID)
	if fileName != "" {
		obj["file_name"] = fileName
	}
	if t := mime.TypeByExtension(filepath.Ext(fileName)); t != "" {
		obj["mime_type"] = t
	}
	return s.injectMessage(chatID, from, &storedMsg{media: "document", mediaObj: obj, caption: caption})
}

// SendSticker queues a sticker message.
func (s *Server) SendSticker(chatID int64, from User, fileID, emoji string) int {
	obj := s.fileJSON(fileID)
	obj["width"], obj["height"] = 512, 512
	obj["is_animated"] = false
	if emoji != "" {
		obj["emoji"] = emoji
	}
	return s.injectMessage(chatID, from, &storedMsg{media: "sticker", mediaObj: obj})
}

// SendLocation queues a location message.
func (s *Server) SendLocation(chatID int64, from User, lat, lon float64) int {
	obj := map[string]any{"latitude": lat, "longitude": lon}
	return s.injectMessage(chatID, from, &storedMsg{media: "location", mediaObj: obj})
}

// SendContact queues a contact message sharing the sender's own phone number,
// which is what a "request_contact" keyboard button produces.
func (s *Server) SendContact(chatID int64, from User, phone string) int {
	obj := map[string]any{"phone_number": phone, "first_name": firstName(from), "user_id": from.ID}
	return s.injectMessage(chatID, from, &storedMsg{media: "contact", mediaObj: obj})
}

// EditText queues an edited_message update: the user changed the text of
// their message messageID. Unknown messages are created on the fly so tests
// need not send the original first.
func (s *Server) EditText(chatID int64, from User, messageID int, text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rememberUserLocked(from)
	c := s.chatLocked(chatID)
	now := time.Now().Unix()
	m := c.msgs[messageID]
	if m == nil {
		m = &storedMsg{id: messageID, date: now}
		c.msgs[messageID] = m
		if messageID > c.lastID {
			c.lastID = messageID
		}
	}
	m.from, m.fromBot = from, false
	m.rawText, m.text, m.entities = text, text, commandEntities(text)
	m.media, m.mediaObj, m.caption = "", nil, ""
	m.editDate = now
	return s.appendUpdateLocked(map[string]any{"edited_message": s.messageJSON(chatID, m)})
}

// PressButton queues a callback_query as if the user pressed an inline
// button with callback data data under the bot's message messageID. The
// query's message is the server's copy of that message (text, keyboard as
// last sent or edited); for an unknown id a minimal message is used.
// The returned update_id is not the callback query id; the latter is
// reported by CallbackAnswers once the bot answers.
func (s *Server) PressButton(chatID int64, from User, messageID int, data string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rememberUserLocked(from)
	m := s.chatLocked(chatID).msgs[messageID]
	if m == nil {
		m = &storedMsg{id: messageID, fromBot: true, date: time.Now().Unix()}
	}
	s.nextCallback++
	query := map[string]any{
		// Telegram's ids are large decimal strings.
		"id":            fmt.Sprintf("%d", 4200000000000000000+s.nextCallback),
		"from":          userJSON(from),
		"message":       s.messageJSON(chatID, m),
		"chat_instance": fmt.Sprintf("%d", chatID*7919+13),
		"data":          data,
	}
	return s.appendUpdateLocked(map[string]any{"callback_query": query})
}

// BlockBot queues a my_chat_member update in which the user blocked the bot
// (new status "kicked") and makes further sends to the chat fail with 403,
// exactly what happens on Telegram.
func (s *Server) BlockBot(chatID int64, from User) int {
	return s.chatMemberUpdate(chatID, from, "member", "kicked", true)
}

// UnblockBot queues a my_chat_member update in which the user unblocked the
// bot (new status "member") and lifts the 403 for the chat.
func (s *Server) UnblockBot(chatID int64, from User) int {
	return s.chatMemberUpdate(chatID, from, "kicked", "member", false)
}

func (s *Server) chatMemberUpdate(chatID int64, from User, oldStatus, newStatus string, block bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rememberUserLocked(from)
	if block {
		s.blocked[chatID] = true
	} else {
		delete(s.blocked, chatID)
	}
	bot := s.botJSON()
	newMember := map[string]any{"user": bot, "status": newStatus}
	if newStatus == "kicked" {
		newMember["until_date"] = 0
	}
	return s.appendUpdateLocked(map[string]any{"my_chat_member": map[string]any{
		"chat":            s.chatJSON(chatID),
		"from":            userJSON(from),
		"date":            time.Now().Unix(),
		"old_chat_member": map[string]any{"user": bot, "status": oldStatus},
		"new_chat_member": newMember,
	}})
}

// PendingUpdates returns how many updates the bot has not confirmed yet.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// Offset returns the highest offset the bot confirmed through getUpdates
// (0 before the first confirmation).
func (s *Server) Offset() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.offset
}

// confirmLocked applies getUpdates' offset: a positive offset forgets all
// updates with a lower id; a negative one keeps only the last -offset ones.
func (s *Server) confirmLocked(offset int) {
	drop := 0
	switch {
	case offset > 0:
		for drop < len(s.updates) && s.updates[drop].id < offset && !s.updates[drop].replay {
			drop++
		}
		s.offset = max(s.offset, offset)
	case offset < 0:
		drop = max(len(s.updates)+offset, 0)
		if drop > 0 {
			s.offset = max(s.offset, s.updates[drop-1].id+1)
		}
	}
	if drop > 0 {
		clear(s.updates[:drop]) // let the GC reclaim confirmed updates
		s.updates = s.updates[drop:]
	}
	// Replayed updates sit after newer ones; drop those already served.
	if offset > 0 {
		kept := s.updates[:0]
		for _, u := range s.updates {
			if u.id >= offset || u.replay && !u.served {
				kept = append(kept, u)
			}
		}
		s.updates = kept
	}
}

// Redeliver queues an update the bot already received once, with the same
// update_id, as happens when a confirmation is lost. It returns false for
// an unknown id.
func (s *Server) Redeliver(updateID int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, ok := s.history[updateID]
	if !ok {
		return false
	}
	s.updates = append(s.updates, pendingUpdate{id: updateID, raw: raw, replay: true})
	close(s.updateSignal)
	s.updateSignal = make(chan struct{})
	return true
}

var errConflict = &apiError{code: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}

// getUpdates implements long polling. Like Telegram, returned updates stay
// pending until a later call confirms them with a higher offset, and a new
// call terminates a pending one with 409 Conflict.
func (s *Server) getUpdates(c *call) (any, *apiError) {
	offset, e := c.intParam("offset", 0)
	if e != nil {
		return nil, e
	}
	limit, e := c.intParam("limit", 100)
	if e != nil {
		return nil, e
	}
	if limit < 1 || limit > 100 {
		limit = 100 // Telegram's default; it accepts 1-100
	}
	timeout, e := c.intParam("timeout", 0)
	if e != nil {
		return nil, e
	}

	cancel := make(chan struct{})
	s.mu.Lock()
	s.confirmLocked(offset)
	if s.pollCancel != nil {
		close(s.pollCancel)
	}
	s.pollCancel = cancel
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.pollCancel == cancel {
			s.pollCancel = nil
		}
		s.mu.Unlock()
	}()

	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		deadline = t.C
	}
	for {
		s.mu.Lock()
		n := min(limit, len(s.updates))
		batch := make([]json.RawMessage, n)
		for i := range batch {
			batch[i] = s.updates[i].raw
			s.updates[i].served = true
		}
		signal := s.updateSignal
		s.mu.Unlock()
		if n > 0 || deadline == nil {
			return batch, nil
		}
		select {
		case <-signal:
		case <-cancel:
			return nil, errConflict
		case <-deadline:
			return batch, nil
		case <-c.ctx.Done():
			return batch, nil
		case <-s.done:
			return batch, nil
		}
	}
}

// commandEntities returns the bot_command entity Telegram attaches to a text
// that starts with a command. Like Telegram, the command ends at the first
// character that cannot be part of a command name ("/start-x" marks
// "/start"); the length is in UTF-16 code units.
func commandEntities(text string) []map[string]any {
	if !strings.HasPrefix(text, "/") {
		return nil
	}
	end := 1
	for end < len(text) && isCommandChar(text[end]) {
		end++
	}
	if end == 1 {
		return nil
	}
	if end < len(text) && text[end] == '@' {
		at := end + 1
		for at < len(text) && isCommandChar(text[at]) {
			at++
		}
		if at > end+1 {
			end = at
		}
	}
	return []map[string]any{{"type": "bot_command", "offset": 0, "length": utf16Len(text[:end])}}
}

func isCommandChar(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
