package fakeapi

import (
	"bytes"
	"encoding/json"
	"net/url"
	"path"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

const (
	maxTextLen     = 4096 // UTF-16 code units, after entity parsing
	maxCaptionLen  = 1024
	maxCallbackLen = 64 // bytes
	maxCommands    = 100

	errNotModified = "message is not modified: specified new message content and reply markup are exactly the same as a specified content and reply markup of message"
)

func (s *Server) getMe(*call) (any, *apiError) {
	me := s.botJSON()
	me["can_join_groups"] = true
	me["can_read_all_group_messages"] = false
	me["supports_inline_queries"] = false
	return me, nil
}

// recordLocked logs an accepted message-producing request and wakes WaitSent.
func (s *Server) recordLocked(sent Sent) {
	s.sent = append(s.sent, sent)
	if s.onSent != nil {
		s.onSent(sent)
	}
	close(s.sentSignal)
	s.sentSignal = make(chan struct{})
}

// parseMarkup validates reply_markup. It returns the parsed inline keyboard
// and its compact JSON, both nil when there is no inline keyboard (absent,
// empty, or another kind of markup such as a reply keyboard).
func parseMarkup(raw string) (*InlineKeyboard, json.RawMessage, *apiError) {
	if raw == "" || raw == "null" {
		return nil, nil, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil {
		return nil, nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	ikRaw, ok := obj["inline_keyboard"]
	if !ok {
		return nil, nil, nil
	}
	var rows [][]map[string]json.RawMessage
	if err := json.Unmarshal(ikRaw, &rows); err != nil {
		return nil, nil, badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
	}
	if len(rows) == 0 {
		return nil, nil, nil // an empty keyboard removes the keyboard
	}
	kb := &InlineKeyboard{Rows: make([][]Button, 0, len(rows))}
	for _, row := range rows {
		buttons := make([]Button, 0, len(row))
		for _, fields := range row {
			b, e := parseButton(fields)
			if e != nil {
				return nil, nil, e
			}
			buttons = append(buttons, b)
		}
		kb.Rows = append(kb.Rows, buttons)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, ikRaw); err != nil {
		return nil, nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	markup, _ := json.Marshal(map[string]json.RawMessage{"inline_keyboard": compact.Bytes()})
	return kb, markup, nil
}

// buttonActions are the fields of which an inline button needs exactly one.
var buttonActions = []string{"url", "login_url", "callback_data", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "callback_game",
	"pay", "web_app", "copy_text"}

func parseButton(fields map[string]json.RawMessage) (Button, *apiError) {
	var b Button
	if err := json.Unmarshal(fields["text"], &b.Text); err != nil || b.Text == "" {
		return b, badRequest("can't parse inline keyboard button: Text must be non-empty")
	}
	hasAction := false
	for _, k := range buttonActions {
		if _, ok := fields[k]; ok {
			hasAction = true
		}
	}
	if !hasAction {
		return b, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	}
	if raw, ok := fields["callback_data"]; ok {
		// Oversized callback data is a classic production-only failure.
		if err := json.Unmarshal(raw, &b.CallbackData); err != nil ||
			len(b.CallbackData) == 0 || len(b.CallbackData) > maxCallbackLen {
			return b, badRequest("BUTTON_DATA_INVALID")
		}
	}
	if raw, ok := fields["url"]; ok {
		if err := json.Unmarshal(raw, &b.URL); err != nil || b.URL == "" {
			return b, badRequest("BUTTON_URL_INVALID")
		}
	}
	return b, nil
}

func (s *Server) sendMessage(c *call) (any, *apiError) {
	chatID, e := c.requireChat()
	if e != nil {
		return nil, e
	}
	text, parseMode := c.params.Get("text"), c.params.Get("parse_mode")
	display, e := s.checkText(text, parseMode, false)
	if e != nil {
		return nil, e
	}
	kb, markup, e := parseMarkup(c.params.Get("reply_markup"))
	if e != nil {
		return nil, e
	}

	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.admitLocked(chatID, now); e != nil {
		return nil, e
	}
	m := &storedMsg{fromBot: true, rawText: text, text: display, markup: markup, parseMode: parseMode, date: now.Unix()}
	s.addMessageLocked(chatID, m)
	s.recordLocked(Sent{Method: c.method, ChatID: chatID, MessageID: m.id, Text: text,
		ReplyMarkup: kb, ParseMode: parseMode, Params: c.params, At: now})
	return s.messageJSON(chatID, m), nil
}

func (s *Server) sendPhoto(c *call) (any, *apiError) {
	return s.sendMedia(c, "photo", "photos")
}

func (s *Server) sendDocument(c *call) (any, *apiError) {
	return s.sendMedia(c, "document", "documents")
}

func (s *Server) sendVoice(c *call) (any, *apiError) {
	return s.sendMedia(c, "voice", "voice")
}

// sendMedia implements sendPhoto, sendDocument and sendVoice. The file may be
// uploaded (multipart, possibly via "attach://name"), referenced by file_id
// or given as an HTTP URL; uploads and URLs get a new file_id.
func (s *Server) sendMedia(c *call, field, dir string) (any, *apiError) {
	chatID, e := c.requireChat()
	if e != nil {
		return nil, e
	}
	caption, parseMode := c.params.Get("caption"), c.params.Get("parse_mode")
	display, e := s.checkText(caption, parseMode, true)
	if e != nil {
		return nil, e
	}
	kb, markup, e := parseMarkup(c.params.Get("reply_markup"))
	if e != nil {
		return nil, e
	}
	ref := c.params.Get(field)
	up, uploaded := c.uploads[field]
	if name, ok := strings.CutPrefix(ref, "attach://"); ok {
		if up, uploaded = c.uploads[name]; !uploaded {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
	}
	if !uploaded && ref == "" {
		return nil, badRequest("there is no " + field + " in the request")
	}

	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.admitLocked(chatID, now); e != nil {
		return nil, e
	}
	fileID, fileName := ref, ""
	switch {
	case uploaded:
		fileID, fileName = s.mintFileLocked(field, dir, up.name, up.data).id, up.name
	case strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://"):
		if u, err := url.Parse(ref); err == nil {
			fileName = path.Base(u.Path)
		}
		fileID = s.mintFileLocked(field, dir, fileName, nil).id
	}
	obj := s.fileJSONLocked(fileID)
	var media any = obj
	switch field {
	case "photo":
		obj["width"], obj["height"] = 1280, 960
		media = []any{obj}
	case "document":
		if fileName != "" {
			obj["file_name"] = fileName
		}
	case "voice":
		obj["mime_type"] = "audio/ogg"
		obj["duration"] = 0
		if d, e := c.intParam("duration", 0); e == nil {
			obj["duration"] = d
		}
	}
	m := &storedMsg{fromBot: true, caption: display, media: field, mediaObj: media,
		markup: markup, parseMode: parseMode, date: now.Unix()}
	s.addMessageLocked(chatID, m)
	s.recordLocked(Sent{Method: c.method, ChatID: chatID, MessageID: m.id, Caption: caption,
		ReplyMarkup: kb, ParseMode: parseMode, FileID: fileID, Uploaded: uploaded, Params: c.params, At: now})
	return s.messageJSON(chatID, m), nil
}

// editTarget resolves chat_id/message_id of an edit; inline is true for
// edits addressed by inline_message_id, which the fake accepts blindly.
func editTarget(c *call) (chatID int64, msgID int, inline bool, e *apiError) {
	if c.params.Get("inline_message_id") != "" {
		return 0, 0, true, nil
	}
	if chatID, e = c.requireChat(); e != nil {
		return 0, 0, false, e
	}
	if msgID, e = c.intParam("message_id", 0); e != nil {
		return 0, 0, false, e
	}
	if msgID <= 0 {
		return 0, 0, false, badRequest("message identifier is not specified")
	}
	return chatID, msgID, false, nil
}

// editableLocked returns the bot message an edit targets or Telegram's error.
func (s *Server) editableLocked(chatID int64, msgID int) (*storedMsg, *apiError) {
	m := s.chatLocked(chatID).msgs[msgID]
	switch {
	case m == nil:
		return nil, badRequest("message to edit not found")
	case !m.fromBot:
		return nil, badRequest("message can't be edited")
	}
	return m, nil
}

func (s *Server) editMessageText(c *call) (any, *apiError) {
	chatID, msgID, inline, e := editTarget(c)
	if e != nil {
		return nil, e
	}
	text, parseMode := c.params.Get("text"), c.params.Get("parse_mode")
	display, e := s.checkText(text, parseMode, false)
	if e != nil {
		return nil, e
	}
	kb, markup, e := parseMarkup(c.params.Get("reply_markup"))
	if e != nil {
		return nil, e
	}

	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sent := Sent{Method: c.method, ChatID: chatID, MessageID: msgID, Text: text,
		ReplyMarkup: kb, ParseMode: parseMode, Params: c.params, At: now}
	if inline {
		if e := s.admitLocked(0, now); e != nil {
			return nil, e
		}
		s.recordLocked(sent)
		return true, nil
	}
	m, e := s.editableLocked(chatID, msgID)
	if e != nil {
		return nil, e
	}
	if m.media != "" {
		return nil, badRequest("there is no text in the message to edit")
	}
	if m.rawText == text && m.parseMode == parseMode && bytes.Equal(m.markup, markup) {
		return nil, badRequest(errNotModified)
	}
	if e := s.admitLocked(chatID, now); e != nil {
		return nil, e
	}
	// Like Telegram, an edit without reply_markup removes the keyboard.
	m.rawText, m.text, m.parseMode, m.markup, m.editDate = text, display, parseMode, markup, now.Unix()
	s.recordLocked(sent)
	return s.messageJSON(chatID, m), nil
}

func (s *Server) editMessageReplyMarkup(c *call) (any, *apiError) {
	chatID, msgID, inline, e := editTarget(c)
	if e != nil {
		return nil, e
	}
	kb, markup, e := parseMarkup(c.params.Get("reply_markup"))
	if e != nil {
		return nil, e
	}

	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sent := Sent{Method: c.method, ChatID: chatID, MessageID: msgID, ReplyMarkup: kb, Params: c.params, At: now}
	if inline {
		s.recordLocked(sent)
		return true, nil
	}
	m, e := s.editableLocked(chatID, msgID)
	if e != nil {
		return nil, e
	}
	if bytes.Equal(m.markup, markup) {
		return nil, badRequest(errNotModified)
	}
	m.markup, m.editDate = markup, now.Unix()
	s.recordLocked(sent)
	return s.messageJSON(chatID, m), nil
}

func (s *Server) answerCallbackQuery(c *call) (any, *apiError) {
	id := c.params.Get("callback_query_id")
	if id == "" {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.callbackAnswers = append(s.callbackAnswers, id)
	return true, nil
}

func (s *Server) setMyCommands(c *call) (any, *apiError) {
	var cmds []tgbotapi.BotCommand
	raw := c.params.Get("commands")
	if raw == "" {
		return nil, badRequest("parameter \"commands\" is required")
	}
	if err := json.Unmarshal([]byte(raw), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > maxCommands {
		return nil, badRequest("BOT_COMMANDS_TOO_MUCH")
	}
	for _, cmd := range cmds {
		if !validCommand(cmd.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf16Len(cmd.Description); n == 0 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands = cmds
	return true, nil
}

// validCommand checks Telegram's rule: 1-32 lowercase letters, digits or
// underscores (so no leading slash).
func validCommand(cmd string) bool {
	if len(cmd) == 0 || len(cmd) > 32 {
		return false
	}
	for i := 0; i < len(cmd); i++ {
		if b := cmd[i]; !(b == '_' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9') {
			return false
		}
	}
	return true
}

func (s *Server) deleteMyCommands(*call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands = nil
	return true, nil
}

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true,
}

func (s *Server) sendChatAction(c *call) (any, *apiError) {
	if _, e := c.requireChat(); e != nil {
		return nil, e
	}
	if !chatActions[c.params.Get("action")] {
		return nil, badRequest("wrong parameter action in request")
	}
	return true, nil
}
