package flows

import "strings"

// A newcomer's first message is often the reason they came: a case told
// in a sentence, or the /kode a volunteer was told to send. Nothing may be
// done with it before they agree to the data notice, so the welcome keeps
// it and, once they have chosen their role, it is acted on as if typed at
// the main menu.

// dFirst holds the first message in the welcome flow's data.
const dFirst = "first"

// keepFirstMessage holds in on to the end of the welcome, unless it
// carries nothing (a greeting, /start).
func keepFirstMessage(c *Ctx, in Input) {
	if in.Kind != KindText || IsGreeting(in) || Normalize(in.Text) == "" {
		return
	}
	if name, _, ok := commandOf(in); ok && (name == "start" || name == "menu") {
		return
	}
	if OptionNumber(Normalize(in.Text)) > 0 {
		// A bare number answers something seen before (an alert's
		// choices), not the main menu the newcomer has not seen yet.
		return
	}
	c.Set(dFirst, strings.TrimSpace(in.Text))
}

// takeFirstMessage is the message kept through the welcome, now that it
// has done; "" when there is none.
func takeFirstMessage(c *Ctx) string {
	text := c.Get(dFirst)
	c.Set(dFirst, "")
	return text
}

// actOnFirst takes the first message at the main menu: a command runs;
// a main-menu entry named in it is opened; a sentence about a case starts
// a report with the sentence kept as its story. Anything else shows the
// menu, without a "not understood" for a message sent before it existed.
func (e *Engine) actOnFirst(c *Ctx, text string) {
	e.enter(c, FlowMenu, "")
	in := Input{Kind: KindText, Text: text}
	if name, args, ok := commandOf(in); ok {
		if cmd, found := e.commands[name]; found {
			e.follow(c, cmd(c, args))
			return
		}
		e.ask(c)
		return
	}
	for _, fn := range e.menuText {
		if next, ok := fn(c, in); ok {
			e.follow(c, next)
			return
		}
	}
	var opts []Option
	for _, m := range e.menuEntries {
		opts = append(opts, Option{Key: m.Key, Label: c.T(m.Label)})
	}
	choice, _ := MatchOption(opts, in, true)
	for _, fn := range e.firstText {
		if next, ok := fn(c, text, choice); ok {
			e.follow(c, next)
			return
		}
	}
	for _, m := range e.menuEntries {
		if choice != "" && m.Key == choice {
			e.follow(c, m.Run(c))
			return
		}
	}
	e.ask(c)
}

// FirstText acts on a newcomer's first message, given the main-menu
// entry it names ("" for none); false leaves it to the next one, and in
// the end to the menu entry. A sentence about a case starts a report.
type FirstText func(c *Ctx, text, entry string) (Next, bool)

// AddFirstText adds a reader of newcomers' first messages.
func (e *Engine) AddFirstText(fn FirstText) { e.firstText = append(e.firstText, fn) }

// ActOnFirstMessage: the welcome is done; the message the newcomer opened
// with is acted on as if typed at the main menu.
func (c *Ctx) ActOnFirstMessage() { c.first = takeFirstMessage(c) }

// DropFirstMessage forgets the message a newcomer opened with (they did
// not agree to the data notice).
func (c *Ctx) DropFirstMessage() { c.Set(dFirst, "") }

// greetings are what people send to get a conversation going again:
// they carry no wish of their own.
var greetings = map[string]bool{
	"halo": true, "hallo": true, "helo": true, "hello": true, "hai": true, "hi": true, "hey": true,
	"p": true, "ping": true, "tes": true, "test": true, "permisi": true, "assalamualaikum": true,
	"selamat pagi": true, "selamat siang": true, "selamat sore": true, "selamat malam": true,
	"lanjut": true, "lanjutkan": true, "teruskan": true, "continue": true,
}

// IsGreeting tells a greeting, or a word asking to go on, from a wish.
func IsGreeting(in Input) bool { return in.Kind == KindText && greetings[Normalize(in.Text)] }
