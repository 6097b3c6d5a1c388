package flows

import (
	"strings"
	"time"
)

// Words that work anywhere in a conversation.
const (
	wordMenu   = "menu"
	wordCancel = "batal"
	wordBack   = "kembali"
	wordHelp   = "bantuan"
	wordStop   = "berhenti"
	wordResume = "mulai"
)

// globalWords maps what people type (normalised, whole message) to the word
// it means. Several ways of saying stop are honoured, not one exact word.
var globalWords = map[string]string{
	"menu": wordMenu, "start": wordMenu, "menu utama": wordMenu,
	"batal": wordCancel, "batalkan": wordCancel, "cancel": wordCancel,
	"kembali": wordBack, "back": wordBack,
	"bantuan": wordHelp, "help": wordHelp, "tolong bantu": wordHelp,
	"berhenti": wordStop, "stop": wordStop, "unsubscribe": wordStop, "jangan kirim lagi": wordStop,
	"berhenti kirim": wordStop, "stop kirim": wordStop,
	"mulai": wordResume, "mulai lagi": wordResume, "subscribe": wordResume,
}

// globalWord recognises a global word or Telegram command such as
// "/batal@klabot_bot"; "" if the input is anything else. What follows a
// command is left aside: "/start poster" is what Telegram sends when a
// link to the bot carries a tag.
func (e *Engine) globalWord(in Input) string {
	if in.Kind != KindText {
		return ""
	}
	text := strings.TrimSpace(in.Text)
	if name, _, ok := commandOf(in); ok {
		text = name
	}
	text = Normalize(text)
	if w, ok := globalWords[text]; ok {
		return w
	}
	return e.phrases[text]
}

// global acts on a global word; false leaves the input to the current step.
func (e *Engine) global(c *Ctx, word string) bool {
	consented := !c.User.ConsentAt.IsZero()
	switch word {
	case wordMenu:
		if !consented {
			e.enter(c, FlowWelcome, "")
		} else if next := e.leaving(c, Menu()); next.flow != "" {
			e.enter(c, next.flow, next.step)
		}
	case wordCancel:
		if f := e.flows[c.state.Flow]; consented && f != nil && f.Cancel != nil {
			f.Cancel(c)
		} else if consented && c.state.Flow != FlowMenu {
			c.Say(c.T("global.cancelled"))
			e.enter(c, FlowMenu, "")
		}
	case wordBack:
		if n := len(c.state.Back); n > 0 {
			c.state.Step, c.state.Back = c.state.Back[n-1], c.state.Back[:n-1]
		} else if consented {
			e.enter(c, FlowMenu, "")
		}
	case wordHelp:
		c.Say(c.T("help.text"))
	case wordStop:
		u := c.User
		if u.OptedOutAt.IsZero() {
			u.OptedOutAt = c.Now
			c.SetUser(u)
		}
		c.Say(c.T("global.stopped"))
	case wordResume:
		u := c.User
		u.OptedOutAt = time.Time{}
		c.SetUser(u)
		c.Say(c.T("global.resumed"))
	default:
		act, ok := e.words[word]
		if !ok {
			return false
		}
		if next := e.leaving(c, act(c)); next.flow != "" {
			e.enter(c, next.flow, next.step)
		}
	}
	e.ask(c)
	return true
}

// AddWord makes phrases (whole messages, normalised) work anywhere in a
// conversation, like "menu": typed at any question, they take the person
// where act says, the current flow's Keep permitting.
func (e *Engine) AddWord(word string, act func(c *Ctx) Next, phrases ...string) {
	e.words[word] = act
	for _, p := range phrases {
		e.phrases[Normalize(p)] = word
	}
}

// commandOf reads "/name args" (also "/name@bot args"); ok is false for
// anything else.
func commandOf(in Input) (name, args string, ok bool) {
	text := strings.TrimSpace(in.Text)
	if in.Kind != KindText || !strings.HasPrefix(text, "/") {
		return "", "", false
	}
	word, args, _ := strings.Cut(text[1:], " ")
	if at := strings.IndexByte(word, '@'); at >= 0 {
		word = word[:at]
	}
	return strings.ToLower(word), strings.TrimSpace(args), word != ""
}
