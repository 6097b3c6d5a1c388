package fakeapi

import (
	"fmt"
	"html"
	"strings"
)

// checkText validates a message text or caption the way Telegram does and
// returns the text as Telegram would display it (HTML tags stripped).
func (s *Server) checkText(text, parseMode string, caption bool) (string, *apiError) {
	s.mu.Lock()
	validate := s.validate
	s.mu.Unlock()

	display := text
	var err error
	switch strings.ToLower(parseMode) {
	case "":
	case "html":
		display, err = parseHTML(text)
	case "markdownv2":
		err = checkMarkdownV2(text)
	case "markdown":
		err = checkMarkdown(text)
	default:
		return "", badRequest("unsupported parse_mode")
	}
	if err != nil {
		if validate {
			return "", badRequest("can't parse entities: " + err.Error())
		}
		display = text // unvalidated: shown as sent
	}

	// Telegram trims surrounding whitespace and measures in UTF-16 units.
	n := utf16Len(strings.TrimSpace(display))
	switch {
	case caption && n > maxCaptionLen:
		return "", badRequest("message caption is too long")
	case !caption && n == 0:
		return "", badRequest("message text is empty")
	case !caption && n > maxTextLen:
		return "", badRequest("message is too long")
	}
	return display, nil
}

// htmlTags are the tags Telegram supports; anything else (<br>, <p>, <div>,
// a stray "<") is rejected.
var htmlTags = map[string]bool{
	"a": true, "b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true, "tg-emoji": true,
	"code": true, "pre": true, "blockquote": true,
}

// parseHTML checks tag structure like Telegram's parser and returns the
// displayed text. Error texts follow Telegram's.
func parseHTML(text string) (string, error) {
	var out strings.Builder
	var open []string
	i := 0
	for i < len(text) {
		c := text[i]
		if c != '<' {
			out.WriteByte(c)
			i++
			continue
		}
		begin := i
		i++
		if i < len(text) && text[i] == '/' { // end tag
			i++
			if len(open) == 0 {
				return "", fmt.Errorf("Unexpected end tag at byte offset %d", begin)
			}
			start := i
			for i < len(text) && text[i] != '>' && !isSpace(text[i]) {
				i++
			}
			name := strings.ToLower(text[start:i])
			for i < len(text) && isSpace(text[i]) {
				i++
			}
			if i >= len(text) || text[i] != '>' {
				return "", fmt.Errorf("Unclosed end tag at byte offset %d", begin)
			}
			i++
			want := open[len(open)-1]
			if name != want {
				return "", fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, want, name)
			}
			open = open[:len(open)-1]
			continue
		}
		start := i // start tag
		for i < len(text) && text[i] != '>' && !isSpace(text[i]) {
			i++
		}
		if i >= len(text) {
			return "", fmt.Errorf("Unclosed start tag at byte offset %d", begin)
		}
		name := strings.ToLower(text[start:i])
		if !htmlTags[name] {
			return "", fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, begin)
		}
		// Skip attributes, honouring quotes, up to the closing '>'.
		var quote byte
		for i < len(text) && (quote != 0 || text[i] != '>') {
			switch {
			case quote != 0 && text[i] == quote:
				quote = 0
			case quote == 0 && (text[i] == '"' || text[i] == '\''):
				quote = text[i]
			}
			i++
		}
		if i >= len(text) {
			return "", fmt.Errorf("Unclosed start tag at byte offset %d", begin)
		}
		i++
		open = append(open, name)
	}
	if len(open) > 0 {
		return "", fmt.Errorf("Can't find end tag corresponding to start tag %s", open[len(open)-1])
	}
	return html.UnescapeString(out.String()), nil
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// markdownV2Reserved are reserved characters that are never markup on their
// own, so an unescaped occurrence outside code is always an error. The
// context-dependent ones (_ * [ ] ( ) ~ ` > |) are not checked, to avoid
// rejecting valid markup.
const markdownV2Reserved = "#+-={}.!"

// checkMarkdownV2 reports the first unescaped reserved character, the most
// common MarkdownV2 mistake.
func checkMarkdownV2(text string) error {
	inPre, inCode := false, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\\' {
			i++ // any character may be escaped
			continue
		}
		switch {
		case inPre:
			if strings.HasPrefix(text[i:], "```") {
				inPre = false
				i += 2
			}
		case inCode:
			inCode = c != '`'
		case strings.HasPrefix(text[i:], "```"):
			inPre = true
			i += 2
		case c == '`':
			inCode = true
		case c == ']' && i+1 < len(text) && text[i+1] == '(':
			// Inside a link URL only ')' and '\' must be escaped.
			i += 2
			for i < len(text) && text[i] != ')' {
				if text[i] == '\\' {
					i++
				}
				i++
			}
		case c == '!' && i+1 < len(text) && text[i+1] == '[':
			// Custom emoji: ![👍](tg://emoji?id=...).
		case strings.IndexByte(markdownV2Reserved, c) >= 0:
			return fmt.Errorf("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
		}
	}
	return nil
}

// checkMarkdown reports entities of legacy Markdown that are never closed,
// e.g. the lone underscore of "user_name".
func checkMarkdown(text string) error {
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '\\':
			if i+1 < len(text) && strings.IndexByte("_*`[", text[i+1]) >= 0 {
				i++
			}
		case '*', '_':
			end := strings.IndexByte(text[i+1:], c)
			if end < 0 {
				return fmt.Errorf("Can't find end of the entity starting at byte offset %d", i)
			}
			i += end + 1
		case '`':
			delim := "`"
			if strings.HasPrefix(text[i:], "```") {
				delim = "```"
			}
			end := strings.Index(text[i+len(delim):], delim)
			if end < 0 {
				return fmt.Errorf("Can't find end of the entity starting at byte offset %d", i)
			}
			i += len(delim) + end + len(delim) - 1
		case '[':
			// Skip a complete [text](url) so that characters in the URL are
			// not taken for entity markers.
			closeText := strings.IndexByte(text[i:], ']')
			if closeText < 0 || i+closeText+1 >= len(text) || text[i+closeText+1] != '(' {
				continue
			}
			closeURL := strings.IndexByte(text[i+closeText:], ')')
			if closeURL >= 0 {
				i += closeText + closeURL
			}
		}
	}
	return nil
}
