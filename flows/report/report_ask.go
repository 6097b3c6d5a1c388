package report

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"klabot/flows"
	"klabot/flows/ops"
	"klabot/flows/place"
	"klabot/store"
)

// Asking the reporter, in the chat: staff and the assigned volunteer ask
// with /tanya (or the "Tanya pelapor" key on the report card); the
// reporter answers with /jawab (the Jawab key on the question, or "Jawab
// pertanyaan" on their report), at once wherever they are in a
// conversation, and is then taken back to it. The rules are in ops.Ask and
// ops.Answer; these steps only translate.

// Flow ids of asking and answering.
const (
	FlowAsk    = "ask"    // staff or volunteer writing a question
	FlowAnswer = "answer" // the reporter answering
)

const (
	dReturn   = "return"   // the conversation to go back to, as saved
	dQuestion = "question" // the id of the question being answered
	// dPendingAnswer is what was sent after a question while another
	// question was on screen, until the person says which it was for:
	// typed text, or a file as pendingFile and JSON.
	dPendingAnswer = "pending_answer"
	pendingFile    = "file:"
)

// AddAsking plugs in staff asking a reporter a question, and the
// reporter answering it.
func AddAsking(e *flows.Engine) {
	e.Register(askFlow())
	e.Register(answerFlow())
	e.AddCommand("tanya", cmdAsk)
	e.AddCommand("jawab", cmdAnswer)
	e.AddCommand("nanti", cmdLater)
	e.AddTextKey("jawab", typedAnswer)
	e.AddCommand("kirimjawaban", cmdSendPending)
	e.AddCommand("bukanjawaban", cmdNotAnswer)
	e.AddClarifying("kirimjawaban")
}

func askFlow() *flows.Flow {
	return &flows.Flow{ID: FlowAsk, Version: 1, Start: "question", Steps: map[string]*flows.Step{
		"question": {
			FreeText: true,
			Prompt: func(c *flows.Ctx) flows.Reply {
				return flows.Reply{Text: c.T("ask.question_prompt", c.Get(dCode), ops.MaxOpenQuestions)}
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				text, ok := typedText(in, maxDescRunes) // the operation refuses what is too long
				if !ok {
					c.Say(c.T(place.NotFoundKey(in, "ask.question_empty")))
					return flows.Stay()
				}
				return ask(c, c.Get(dCode), text)
			},
		},
	}}
}

// cmdAsk is "/tanya CODE question"; without the question it asks for it.
func cmdAsk(c *flows.Ctx, args string) flows.Next {
	_, r, text, ok := commandReport(c, args, false)
	if !ok {
		return flows.Stay()
	}
	if text == "" {
		// Nobody is asked to write a question that cannot be sent.
		can, err := ops.CanAsk(c.Tx, c.Actor(), r.Code)
		if err != nil {
			return c.Fail(err)
		}
		if refused(c, can, r.Code) {
			return flows.Stay()
		}
		if can.Outcome != ops.Done {
			c.Say(c.T(can.Why, r.Code, ops.MaxOpenQuestions))
			return flows.Stay()
		}
		if c.FlowID() == flows.FlowReport {
			c.Say(c.T("ask.question_typed", r.Code))
			return flows.Stay()
		}
		return openView(c, FlowAsk, "question", map[string]string{dCode: r.Code})
	}
	return ask(c, r.Code, text)
}

func ask(c *flows.Ctx, code, text string) flows.Next {
	res, err := ops.Ask(c.Tx, c.Actor(), code, text, c.Now.In(c.Loc))
	if err != nil {
		return c.Fail(err)
	}
	c.Deliver(res)
	if refused(c, res, code) {
		return flows.Stay()
	}
	switch res.Outcome {
	case ops.Done:
		if at := heldUntil(res); !at.IsZero() {
			c.Say(c.T("ask.sent_held", code, at.In(c.Loc).Format("15.04")))
		} else {
			c.Say(c.T("ask.sent", code))
		}
	case ops.AlreadyDone:
		c.Say(c.T("ask.already", code))
	default:
		// The Why texts name the report (%[1]s) and, for the limit, how many.
		c.Say(c.T(res.Why, code, ops.MaxOpenQuestions))
	}
	return openView(c, FlowTriage, "view", map[string]string{dCode: code, dBrief: "1"})
}

func answerFlow() *flows.Flow {
	return &flows.Flow{ID: FlowAnswer, Version: 1, Start: "answer", Cancel: cancelAnswer, Keep: keepReturn, Steps: map[string]*flows.Step{
		"answer": {
			FreeText: true,
			Prompt: func(c *flows.Ctx) flows.Reply {
				q, ok, err := openQuestion(c, c.Get(dCode), c.Get(dQuestion))
				if err != nil {
					c.Fail(err)
					return flows.Reply{}
				}
				if !ok {
					return flows.Reply{Text: c.T("ask.none_open", c.Get(dCode))}
				}
				return flows.Reply{Text: c.T("ask.answer_prompt", q.ReportCode, q.Text),
					Options: []flows.Option{{Key: "later", Label: c.T("ask.opt_later")}}}
			},
			Handle: answerStep,
		},
		// After an answer with a file: the rest of an album, or files
		// sent one by one, go with it as the report's evidence rather
		// than to whatever screen the person left to answer.
		"more": {
			FreeText: true,
			Repeats:  true,
			Prompt: func(c *flows.Ctx) flows.Reply {
				return flows.Reply{Text: c.T("ask.more_prompt"), Options: []flows.Option{{Key: "done", Label: c.T("report.done")}}}
			},
			Handle: moreFiles,
		},
	}}
}

// closingWords end a conversation politely; after an answer they are no
// information for the report.
var closingWords = map[string]bool{"terima kasih": true, "makasih": true, "trims": true, "ok": true, "oke": true,
	"okay": true, "baik": true, "siap": true, "thanks": true, "thank you": true}

// moreFiles keeps a file sent after a file answer with the report, and
// words typed there as information for it.
func moreFiles(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	if choice == "done" || flows.IsGreeting(in) || in.Kind == flows.KindText && closingWords[flows.Normalize(in.Text)] {
		return resume(c)
	}
	text, typed := typedText(in, maxDescRunes)
	if !in.HasMedia() && !typed {
		c.Misunderstood(in)
		return flows.Stay()
	}
	r, open, err := ownOpenReport(c)
	if err != nil {
		return c.Fail(err)
	}
	if !open {
		c.Say(c.T(ops.WhyAnswerClosed, c.Get(dCode)))
		return resume(c)
	}
	if !in.HasMedia() {
		// More words about it: kept as information for the report.
		if err := addInfo(c, r, text); err != nil {
			return c.Fail(err)
		}
		return resume(c)
	}
	if next := addEvidence(c, r, in, ""); c.Failed() {
		return next
	}
	n, _ := strconv.Atoi(c.Get(dMediaAdded))
	c.Say(c.T("ask.more_saved", n, r.Code))
	return flows.Stay()
}

// answerStep takes the reporter's answer. Typed text is the answer, even
// "1": "Nanti" counts only as its key or its very word.
func answerStep(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	if choice == "later" && (in.Kind != flows.KindText || flows.Normalize(in.Text) == flows.Normalize(c.T("ask.opt_later"))) {
		c.Say(c.T("ask.later"))
		return resume(c)
	}
	code := c.Get(dCode)
	id, _ := strconv.ParseInt(c.Get(dQuestion), 10, 64)
	a := ops.AnswerInput{Question: id, Kind: "text", Text: in.Text}
	switch {
	case in.HasMedia():
		if in.Media.Size > MaxMediaBytes {
			c.Say(c.T("report.evidence_too_big"))
			return flows.Stay()
		}
		a.Kind = string(in.Kind)
		a.Media = &store.Media{Channel: c.Channel, Ref: in.Media.Ref, Mime: in.Media.Mime, Size: in.Media.Size}
	case in.Kind != flows.KindText:
		c.Say(c.T(flows.MisunderstoodKey(in)))
		return flows.Stay()
	}
	res, err := ops.Answer(c.Tx, c.User.ID, code, a, c.Now.In(c.Loc))
	if err != nil {
		return c.Fail(err)
	}
	c.Deliver(res)
	switch res.Outcome {
	case ops.Done:
		c.Say(c.T("ask.thanks", code))
	case ops.Refused:
		if res.Why == ops.WhyAnswerClosed {
			c.Say(c.T(res.Why, code))
			return resume(c)
		}
		c.Say(c.T("ask.answer_empty"))
		return flows.Stay()
	default:
		c.Say(c.T("ask.none_open", code))
	}
	if _, more, err := openQuestion(c, code, ""); err != nil {
		return c.Fail(err)
	} else if more {
		c.Set(dQuestion, "")
		return flows.Stay() // the next question
	}
	if in.HasMedia() && res.Outcome == ops.Done {
		return flows.Goto("more")
	}
	return resume(c)
}

// heldUntil is when the question of res goes out, if it waits for the
// quiet hours to end.
func heldUntil(res ops.Result) time.Time {
	for _, m := range res.Messages {
		if !m.NotBefore.IsZero() {
			return m.NotBefore
		}
	}
	return time.Time{}
}

// openQuestion is an open question of the person's own report: the one
// with id if it is open, else the oldest.
func openQuestion(c *flows.Ctx, code, id string) (store.Question, bool, error) {
	r, own, err := ownReport(c, code)
	if err != nil || !own || store.IsClosed(r.Status) {
		return store.Question{}, false, err // a closed report needs no answers
	}
	open, err := c.Tx.OpenQuestions(r.ID)
	if err != nil || len(open) == 0 {
		return store.Question{}, false, err
	}
	for _, q := range open {
		if strconv.FormatInt(q.ID, 10) == id {
			return q, true, nil
		}
	}
	return open[0], true, nil
}

// cmdAnswer is "/jawab CODE [question id]": the reporter answers an open
// question of the report now, whatever they were doing, and goes back to
// it afterwards.
func cmdAnswer(c *flows.Ctx, args string) flows.Next {
	word, id, _ := strings.Cut(strings.TrimSpace(args), " ")
	code, valid := store.ParseReportCode(word)
	q, open, err := openQuestion(c, code, strings.TrimSpace(id))
	switch {
	case err != nil:
		return c.Fail(err)
	case !valid:
		c.Say(c.T("track.code_invalid"))
		return flows.Stay()
	case !open:
		if r, own, err := ownReport(c, code); err != nil {
			return c.Fail(err)
		} else if !own {
			c.Say(c.T("track.not_found", code))
		} else if store.IsClosed(r.Status) {
			c.Say(c.T(ops.WhyAnswerClosed, code))
		} else {
			c.Say(c.T("ask.none_open", code))
		}
		return flows.Stay()
	}
	saved := ""
	if c.FlowID() == FlowAnswer {
		saved = c.Get(dReturn) // answering already: keep where to go back to
	} else {
		saved = c.Snapshot()
	}
	c.Enter(FlowAnswer, "answer")
	c.Set(dCode, code)
	c.Set(dQuestion, strconv.FormatInt(q.ID, 10))
	c.Set(dReturn, saved)
	return flows.Stay()
}

// typedAnswer takes text typed right after a question (instead of
// tapping Jawab) as the answer; args are the Jawab key's. When the
// question on screen could take the text too, the person is asked which
// it was for, and the text is kept meanwhile.
func typedAnswer(c *flows.Ctx, args string, in flows.Input, sure bool) flows.Next {
	if sure {
		return answerNow(c, args, in)
	}
	word, _, _ := strings.Cut(args, " ")
	c.Set(dPendingAnswer, encodePending(in))
	c.Queue(flows.Message{Separate: true, Reply: flows.Reply{Text: c.T("ask.typed_which", word), Options: []flows.Option{
		{Key: "/kirimjawaban " + args, Label: c.T("ask.typed_yes")},
		{Key: "/bukanjawaban", Label: c.T("ask.typed_no")},
	}}})
	return flows.Stay()
}

// answerNow opens the answer to the question args name and gives it in.
func answerNow(c *flows.Ctx, args string, in flows.Input) flows.Next {
	cmdAnswer(c, args)
	if c.FlowID() != FlowAnswer {
		return flows.Stay() // no question open: cmdAnswer said why
	}
	return answerStep(c, in, "")
}

// cmdSendPending is "Ya" to "send this as the answer?".
func cmdSendPending(c *flows.Ctx, args string) flows.Next {
	in, ok := decodePending(c.Get(dPendingAnswer))
	if !ok {
		c.Say(c.T("input.stale_button"))
		return flows.Stay()
	}
	c.Set(dPendingAnswer, "")
	return answerNow(c, args, in)
}

// encodePending keeps what was sent in the session: text as it is, a
// file by its reference (the file itself stays with the channel).
func encodePending(in flows.Input) string {
	if !in.HasMedia() {
		return in.Text
	}
	raw, err := json.Marshal(pendingInput{Kind: in.Kind, Caption: in.Text, Media: *in.Media})
	if err != nil {
		return ""
	}
	return pendingFile + string(raw)
}

// decodePending is what encodePending kept; false when nothing is kept.
func decodePending(s string) (flows.Input, bool) {
	raw, isFile := strings.CutPrefix(s, pendingFile)
	if !isFile {
		return flows.Input{Kind: flows.KindText, Text: s}, s != ""
	}
	var p pendingInput
	if err := json.Unmarshal([]byte(raw), &p); err != nil || p.Media.Ref == "" {
		return flows.Input{}, false
	}
	return flows.Input{Kind: p.Kind, Text: p.Caption, Media: &p.Media}, true
}

type pendingInput struct {
	Kind    flows.Kind  `json:"kind"`
	Caption string      `json:"caption,omitempty"`
	Media   flows.Media `json:"media"`
}

// cmdNotAnswer is "Bukan" to "send this as the answer?": the text or file
// was for the question on screen after all.
func cmdNotAnswer(c *flows.Ctx, args string) flows.Next {
	in, ok := decodePending(c.Get(dPendingAnswer))
	_, step := c.Current()
	if !ok || step == nil {
		c.Say(c.T("input.stale_button"))
		return flows.Stay()
	}
	c.Set(dPendingAnswer, "")
	choice, _ := flows.MatchOption(step.Prompt(c).Options, in, !step.FreeText || step.ChoiceOnly)
	return step.Handle(c, in, choice)
}

// keepReturn: leaving the answer for elsewhere (a menu, a command) goes
// through the conversation the person had left to answer, whose own Keep
// decides (a half-done report is offered to be kept).
func keepReturn(c *flows.Ctx, next flows.Next) flows.Next {
	if next.FlowID() == "" || resume(c).FlowID() != "" {
		return next
	}
	if f, _ := c.Current(); f != nil && f.Keep != nil {
		return f.Keep(c, next)
	}
	return next
}

// cmdLater is "/nanti CODE": the question waits; the person stays where
// they were and hears how to answer later.
func cmdLater(c *flows.Ctx, args string) flows.Next {
	c.Say(c.T("ask.later"))
	if c.FlowID() == FlowAnswer {
		return resume(c)
	}
	return flows.Stay()
}

// cancelAnswer: "batal" while answering drops the answer, not what the
// person had left to answer (a half-done report, say).
func cancelAnswer(c *flows.Ctx) {
	c.Say(c.T("ask.later"))
	resume(c)
}

// resume goes back to the conversation the person left to answer: the
// same question, with what they had typed so far.
func resume(c *flows.Ctx) flows.Next {
	if !c.Resume(c.Get(dReturn), FlowAnswer) {
		return flows.Menu()
	}
	return flows.Stay()
}

// openQuestionCount is how many questions of a report wait for its
// reporter's answer.
func openQuestionCount(c *flows.Ctx, r store.Report) (int, error) {
	open, err := c.Tx.OpenQuestions(r.ID)
	return len(open), err
}
