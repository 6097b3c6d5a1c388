package flows

import (
	"fmt"
	"regexp"
	"strings"
)

// Choices in messages people receive on klabot's own (a status update, a
// staff alert, a volunteer's new task, a seat offer, a reminder, a
// question to a reporter): on channels without buttons they are numbered
// lines like those of the question the person is answering. A number or a
// choice's words typed next refer to the latest such message, as a tap on
// it would, until the person answers something else; where two messages,
// or such a message and the question on screen, could be meant, klabot
// asks which instead of guessing.

// Received is a message the person received on klabot's own since they
// last wrote, with its choices (command keys only: they work whatever the
// conversation does).
type Received struct {
	Head    string // the message's first line
	Options []Option
}

// pickCommand answers the question on screen with one of its choices
// ("/pilih <key>"), for the "which did you mean" question.
const pickCommand = "pilih"

// codeInKey finds what a command key is about, to tell two like choices
// apart: "/terima LPR-…".
var codeInKey = regexp.MustCompile(`[A-Z]{3}-[0-9A-Z]{4}-[0-9A-Z]{4}`)

// AddClarifying marks a command whose keys ask about what the person just
// sent (was it the answer to a question?), as klabot's own "which did you
// mean" does: a number typed next is surely meant for that question.
func (e *Engine) AddClarifying(name string) { e.clarifying[name] = true }

// asksWhich tells a message that asks about what the person just sent.
func (e *Engine) asksWhich(r Received) bool {
	for _, o := range r.Options {
		if name, _, ok := commandOf(Input{Kind: KindText, Text: o.Key}); ok && (name == pickCommand || e.clarifying[name]) {
			return true
		}
	}
	return false
}

// receivedChoice takes typed text that picks a choice of a received
// message; false leaves it to the question on screen.
func (e *Engine) receivedChoice(c *Ctx, flow *Flow, prompt Reply, in Input, received []Received) bool {
	if in.Kind != KindText || len(received) == 0 {
		return false
	}
	text := Normalize(in.Text)
	if text == "" {
		return false
	}
	type candidate struct {
		opt  Option
		head string
	}
	var cands []candidate
	add := func(o Option, head string) {
		for _, x := range cands {
			if x.opt.Key == o.Key {
				return
			}
		}
		cands = append(cands, candidate{o, head})
	}
	latest := received[len(received)-1]
	if n := OptionNumber(text); n > 0 {
		for i := len(received) - 1; i >= 0; i-- {
			if n <= len(received[i].Options) {
				add(received[i].Options[n-1], received[i].Head)
			}
		}
		if len(cands) == 0 {
			return false
		}
		// The latest message's number is meant, unless only an older
		// message has it, or the person is half-way through something
		// not yet sent (a report draft: its flow keeps it with Keep):
		// then the question on screen may be meant as well, and a "1"
		// for "is a child in danger now?" must not become an answer
		// elsewhere unasked.
		if n <= len(prompt.Options) && (n > len(latest.Options) || flow.Keep != nil && !e.asksWhich(latest)) {
			add(Option{Key: "/" + pickCommand + " " + prompt.Options[n-1].Key, Label: prompt.Options[n-1].Label}, "")
		}
	} else {
		for i := len(received) - 1; i >= 0; i-- {
			if key, ok := MatchOption(received[i].Options, in, false); ok {
				add(optionOf(received[i].Options, key), received[i].Head)
			}
		}
		if len(cands) == 0 {
			return false
		}
		if key, ok := MatchOption(prompt.Options, in, false); ok && !strings.HasPrefix(key, "/") {
			add(Option{Key: "/" + pickCommand + " " + key, Label: optionOf(prompt.Options, key).Label}, "")
		} else if ok {
			add(optionOf(prompt.Options, key), "")
		}
	}
	if len(cands) == 1 {
		e.runKey(c, cands[0].opt.Key)
		return true
	}
	// Two menus could be meant: ask, with keys that say which.
	r := Reply{Text: c.T("choice.which")}
	// Like choices are told apart by what they are about, or else by
	// their place in the list.
	labels := make([]string, len(cands))
	count := func() map[string]int {
		n := map[string]int{}
		for _, l := range labels {
			n[l]++
		}
		return n
	}
	for i, x := range cands {
		labels[i] = x.opt.Label
	}
	seen := count()
	for i, x := range cands {
		if code := codeInKey.FindString(x.opt.Key); seen[labels[i]] > 1 && code != "" {
			labels[i] += " " + code
		}
	}
	seen = count()
	for i := range cands {
		if seen[labels[i]] > 1 {
			labels[i] = fmt.Sprintf("%s (%d)", cands[i].opt.Label, i+1)
		}
	}
	var lines []string
	for i, x := range cands {
		label := labels[i]
		head := x.head
		if head == "" {
			head = c.T("choice.which_question")
		}
		lines = append(lines, "- "+label+": "+head)
		r.Options = append(r.Options, Option{Key: x.opt.Key, Label: label})
	}
	r.Text += "\n\n" + strings.Join(lines, "\n")
	c.out = append(c.out, Message{Reply: r, Separate: true})
	return true
}

// TextKey reads typed text for a received message's key, e.g. an answer
// to a question: args are the key's own, sure is false when the text may
// be meant for the question on screen: it must then ask which, in a
// message of its own (Separate), and change nothing yet.
type TextKey func(c *Ctx, args string, in Input, sure bool) Next

// AddTextKey lets text typed right after a received message with a key
// of the command name be taken as that key's input.
func (e *Engine) AddTextKey(name string, fn TextKey) { e.textKeys[name] = fn }

// receivedText gives text typed, or a photo, voice note, video or file
// sent, right after a received message whose key reads it (a question's
// Jawab) to that key, rather than have it misunderstood by the question on
// screen and lost; false leaves it to that question, which one of its
// choices or a menu name is for.
func (e *Engine) receivedText(c *Ctx, step *Step, prompt Reply, in Input, received []Received) bool {
	if len(received) == 0 {
		return false
	}
	switch {
	case in.HasMedia():
	case in.Kind != KindText || Normalize(in.Text) == "":
		return false
	default:
		if _, matched := MatchOption(prompt.Options, in, !step.FreeText || step.ChoiceOnly); matched || e.isMenuWord(c, in) {
			return false
		}
	}
	for _, o := range received[len(received)-1].Options {
		name, args, ok := commandOf(Input{Kind: KindText, Text: o.Key})
		fn, found := e.textKeys[name]
		if !ok || !found {
			continue
		}
		// A question that takes free text could be answered by it; at
		// the main menu only a code, which is one word, could be meant.
		// A file is surely the answer only where the screen offers just
		// choices: a question without them (a story, say) may take it.
		sure := !step.FreeText || c.state.Flow == FlowMenu && len(strings.Fields(in.Text)) > 1
		if in.HasMedia() {
			sure = c.state.Flow == FlowMenu || len(prompt.Options) > 0 && !step.FreeText
		}
		next := fn(c, args, in, sure)
		if sure {
			e.follow(c, e.leaving(c, next))
		}
		return true
	}
	return false
}

// runKey runs a command key as a tap on it would.
func (e *Engine) runKey(c *Ctx, key string) {
	if name, args, ok := commandOf(Input{Kind: KindText, Text: key}); ok {
		if cmd, found := e.commands[name]; found {
			e.follow(c, e.leaving(c, cmd(c, args)))
			return
		}
	}
	c.Say(c.T("input.stale_button"))
	e.ask(c)
}

// pick is "/pilih <key>": the choice with that key of the question on
// screen, as if it had been typed.
func (e *Engine) pick(c *Ctx, key string) Next {
	_, step := e.current(c)
	if step == nil {
		return Stay()
	}
	prompt := step.Prompt(c)
	if !hasOption(prompt.Options, key) {
		c.Say(c.T("input.stale_button"))
		return Stay()
	}
	return step.Handle(c, Input{Kind: KindText, Text: optionOf(prompt.Options, key).Label}, key)
}

func optionOf(opts []Option, key string) Option {
	for _, o := range opts {
		if o.Key == key {
			return o
		}
	}
	return Option{}
}
