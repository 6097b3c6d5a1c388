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
	if in.Kind != KindText || isResumeWord(in) || Normalize(in.Text) == "" {
		return
	}
	if name, _, ok := commandOf(in); ok && (name == "start" || name == "menu") {
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
	menu := e.flows[FlowMenu]
	e.enter(c, FlowMenu, "")
	in := Input{Kind: KindText, Text: text}
	if name, args, ok := commandOf(in); ok {
		if cmd, found := e.commands[name]; found {
			e.follow(c, menu, cmd(c, args))
			return
		}
		e.ask(c)
		return
	}
	for _, fn := range e.menuText {
		if next, ok := fn(c, in); ok {
			e.follow(c, menu, next)
			return
		}
	}
	var opts []Option
	for _, m := range e.menuEntries {
		opts = append(opts, Option{Key: m.key, Label: c.T(m.label)})
	}
	choice, _ := matchOption(opts, in, true)
	story := isMoreStory(in)
	switch {
	case choice == "lapor" || (story && !otherWish[choice]):
		e.enter(c, FlowReport, "")
		if story {
			addToStory(c, text)
			c.Say(c.T("report.story_kept"))
		}
		e.ask(c)
		return
	case choice != "":
		for _, m := range e.menuEntries {
			if m.key == choice {
				e.follow(c, menu, m.run(c))
				return
			}
		}
	}
	e.ask(c)
}

// otherWish are the main-menu entries that a sentence naming them asks
// for even when it is long: "mau daftar pelatihan forum anak di Ledo" is
// no report. Help and information words ("tolong", "darurat") are said
// in stories too, so those go to a report.
var otherWish = map[string]bool{"pelatihan": true, "pengingat": true, "status": true, "bahasa": true}
