package flows

import (
	"strconv"
	"strings"
	"time"

	"klabot/flows/ops"
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
	// dPendingAnswer is text typed after a question while another
	// question was on screen, until the person says which it was for.
	dPendingAnswer = "pending_answer"
)

func addAsking(e *Engine) {
	e.Register(askFlow())
	e.Register(answerFlow())
	e.AddCommand("tanya", cmdAsk)
	e.AddCommand("jawab", cmdAnswer)
	e.AddCommand("nanti", cmdLater)
	e.AddTextKey("jawab", typedAnswer)
	e.AddCommand("kirimjawaban", cmdSendPending)
	e.AddCommand("bukanjawaban", cmdNotAnswer)
}

func askFlow() *Flow {
	return &Flow{ID: FlowAsk, Version: 1, Start: "question", Steps: map[string]*Step{
		"question": {
			FreeText: true,
			Prompt: func(c *Ctx) Reply {
				return Reply{Text: c.T("ask.question_prompt", c.Get(dCode), ops.MaxOpenQuestions)}
			},
			Handle: func(c *Ctx, in Input, choice string) Next {
				text, ok := typedText(in, ops.MaxQuestionRunes)
				if !ok {
					c.Say(c.T(notFoundKey(in, "ask.question_empty")))
					return Stay()
				}
				return ask(c, c.Get(dCode), text)
			},
		},
	}}
}

// cmdAsk is "/tanya CODE question"; without the question it asks for it.
func cmdAsk(c *Ctx, args string) Next {
	_, r, text, ok := commandReport(c, args, false)
	if !ok {
		return Stay()
	}
	if text == "" {
		// Nobody is asked to write a question that cannot be sent.
		can, err := ops.CanAsk(c.Tx, c.Actor(), r.Code)
		if err != nil {
			return c.Fail(err)
		}
		if refused(c, can, r.Code) {
			return Stay()
		}
		if can.Outcome != ops.Done {
			c.Say(c.T(can.Why, r.Code, ops.MaxOpenQuestions))
			return Stay()
		}
		if c.FlowID() == FlowReport {
			c.Say(c.T("ask.question_typed", r.Code))
			return Stay()
		}
		return openView(c, FlowAsk, "question", map[string]string{dCode: r.Code})
	}
	return ask(c, r.Code, text)
}

func ask(c *Ctx, code, text string) Next {
	res, err := ops.Ask(c.Tx, c.Actor(), code, text, c.Now.In(c.Loc))
	if err != nil {
		return c.Fail(err)
	}
	c.Deliver(res)
	if refused(c, res, code) {
		return Stay()
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
	return openView(c, FlowTriage, "view", map[string]string{dCode: code})
}

func answerFlow() *Flow {
	return &Flow{ID: FlowAnswer, Version: 1, Start: "answer", Cancel: cancelAnswer, Keep: keepReturn, Steps: map[string]*Step{
		"answer": {
			FreeText: true,
			Prompt: func(c *Ctx) Reply {
				q, ok, err := openQuestion(c, c.Get(dCode), c.Get(dQuestion))
				if err != nil {
					c.Fail(err)
					return Reply{}
				}
				if !ok {
					return Reply{Text: c.T("ask.none_open", c.Get(dCode))}
				}
				return Reply{Text: c.T("ask.answer_prompt", q.ReportCode, q.Text),
					Options: []Option{{Key: "later", Label: c.T("ask.opt_later")}}}
			},
			Handle: answerStep,
		},
	}}
}

// answerStep takes the reporter's answer. Typed text is the answer, even
// "1": "Nanti" counts only as its key or its very word.
func answerStep(c *Ctx, in Input, choice string) Next {
	if choice == "later" && (in.Kind != KindText || Normalize(in.Text) == Normalize(c.T("ask.opt_later"))) {
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
			return Stay()
		}
		a.Kind = string(in.Kind)
		a.Media = &store.Media{Channel: c.Channel, Ref: in.Media.Ref, Mime: in.Media.Mime, Size: in.Media.Size}
	case in.Kind != KindText:
		c.Say(c.T(MisunderstoodKey(in)))
		return Stay()
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
		return Stay()
	default:
		c.Say(c.T("ask.none_open", code))
	}
	if _, more, err := openQuestion(c, code, ""); err != nil {
		return c.Fail(err)
	} else if more {
		c.Set(dQuestion, "")
		return Stay() // the next question
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
func openQuestion(c *Ctx, code, id string) (store.Question, bool, error) {
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
func cmdAnswer(c *Ctx, args string) Next {
	word, id, _ := strings.Cut(strings.TrimSpace(args), " ")
	code, valid := store.ParseReportCode(word)
	q, open, err := openQuestion(c, code, strings.TrimSpace(id))
	switch {
	case err != nil:
		return c.Fail(err)
	case !valid:
		c.Say(c.T("track.code_invalid"))
		return Stay()
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
		return Stay()
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
	return Stay()
}

// typedAnswer takes text typed right after a question (instead of
// tapping Jawab) as the answer; args are the Jawab key's. When the
// question on screen could take the text too, the person is asked which
// it was for, and the text is kept meanwhile.
func typedAnswer(c *Ctx, args string, in Input, sure bool) Next {
	if sure {
		return answerNow(c, args, in)
	}
	word, _, _ := strings.Cut(args, " ")
	c.Set(dPendingAnswer, in.Text)
	c.Queue(Message{Separate: true, Reply: Reply{Text: c.T("ask.typed_which", word), Options: []Option{
		{Key: "/kirimjawaban " + args, Label: c.T("ask.typed_yes")},
		{Key: "/bukanjawaban", Label: c.T("ask.typed_no")},
	}}})
	return Stay()
}

// answerNow opens the answer to the question args name and gives it in.
func answerNow(c *Ctx, args string, in Input) Next {
	cmdAnswer(c, args)
	if c.FlowID() != FlowAnswer {
		return Stay() // no question open: cmdAnswer said why
	}
	return answerStep(c, in, "")
}

// cmdSendPending is "Ya" to "send this as the answer?".
func cmdSendPending(c *Ctx, args string) Next {
	text := c.Get(dPendingAnswer)
	if text == "" {
		c.Say(c.T("input.stale_button"))
		return Stay()
	}
	c.Set(dPendingAnswer, "")
	return answerNow(c, args, Input{Kind: KindText, Text: text})
}

// cmdNotAnswer is "Bukan" to "send this as the answer?": the text was
// for the question on screen after all.
func cmdNotAnswer(c *Ctx, args string) Next {
	text := c.Get(dPendingAnswer)
	_, step := c.Current()
	if text == "" || step == nil {
		c.Say(c.T("input.stale_button"))
		return Stay()
	}
	c.Set(dPendingAnswer, "")
	in := Input{Kind: KindText, Text: text}
	choice, _ := MatchOption(step.Prompt(c).Options, in, !step.FreeText || step.ChoiceOnly)
	return step.Handle(c, in, choice)
}

// keepReturn: leaving the answer for elsewhere (a menu, a command) goes
// through the conversation the person had left to answer, whose own Keep
// decides (a half-done report is offered to be kept).
func keepReturn(c *Ctx, next Next) Next {
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
func cmdLater(c *Ctx, args string) Next {
	c.Say(c.T("ask.later"))
	if c.FlowID() == FlowAnswer {
		return resume(c)
	}
	return Stay()
}

// cancelAnswer: "batal" while answering drops the answer, not what the
// person had left to answer (a half-done report, say).
func cancelAnswer(c *Ctx) {
	c.Say(c.T("ask.later"))
	resume(c)
}

// resume goes back to the conversation the person left to answer: the
// same question, with what they had typed so far.
func resume(c *Ctx) Next {
	if !c.Resume(c.Get(dReturn), FlowAnswer) {
		return Menu()
	}
	return Stay()
}

// openQuestionCount is how many questions of a report wait for its
// reporter's answer.
func openQuestionCount(c *Ctx, r store.Report) (int, error) {
	open, err := c.Tx.OpenQuestions(r.ID)
	return len(open), err
}
