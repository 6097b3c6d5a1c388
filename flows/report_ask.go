package flows

import (
	"encoding/json"
	"strconv"
	"strings"

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
)

func addAsking(e *Engine) {
	e.Register(askFlow())
	e.Register(answerFlow())
	e.AddCommand("tanya", cmdAsk)
	e.AddCommand("jawab", cmdAnswer)
	e.AddCommand("nanti", cmdLater)
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
		if c.state.Flow == FlowReport {
			c.Say(c.T("ask.question_typed", r.Code))
			return Stay()
		}
		return openView(c, FlowAsk, "question", map[string]string{dCode: r.Code})
	}
	return ask(c, r.Code, text)
}

func ask(c *Ctx, code, text string) Next {
	res, err := ops.Ask(c.Tx, actorOf(c), code, text, c.Now)
	if err != nil {
		return c.Fail(err)
	}
	c.deliver(res)
	if refused(c, res, code) {
		return Stay()
	}
	switch res.Outcome {
	case ops.Done:
		c.Say(c.T("ask.sent", code))
	case ops.AlreadyDone:
		c.Say(c.T("ask.already", code))
	default:
		// The Why texts name the report (%[1]s) and, for the limit, how many.
		c.Say(c.T(res.Why, code, ops.MaxOpenQuestions))
	}
	return openView(c, FlowTriage, "view", map[string]string{dCode: code})
}

func answerFlow() *Flow {
	return &Flow{ID: FlowAnswer, Version: 1, Start: "answer", Cancel: cancelAnswer, Steps: map[string]*Step{
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
			Handle: func(c *Ctx, in Input, choice string) Next {
				if choice == "later" {
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
					c.Say(c.T(misunderstoodKey(in)))
					return Stay()
				}
				res, err := ops.Answer(c.Tx, c.User.ID, code, a, c.Now)
				if err != nil {
					return c.Fail(err)
				}
				c.deliver(res)
				switch res.Outcome {
				case ops.Done:
					c.Say(c.T("ask.thanks", code))
				case ops.Refused:
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
			},
		},
	}}
}

// openQuestion is an open question of the person's own report: the one
// with id if it is open, else the oldest.
func openQuestion(c *Ctx, code, id string) (store.Question, bool, error) {
	r, own, err := ownReport(c, code)
	if err != nil || !own {
		return store.Question{}, false, err
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
		if _, own, err := ownReport(c, code); err != nil {
			return c.Fail(err)
		} else if !own {
			c.Say(c.T("track.not_found", code))
		} else {
			c.Say(c.T("ask.none_open", code))
		}
		return Stay()
	}
	saved := ""
	if c.state.Flow == FlowAnswer {
		saved = c.Get(dReturn) // answering already: keep where to go back to
	} else if raw, err := json.Marshal(c.state); err == nil {
		saved = string(raw)
	}
	c.engine.enter(c, FlowAnswer, "answer")
	c.Set(dCode, code)
	c.Set(dQuestion, strconv.FormatInt(q.ID, 10))
	c.Set(dReturn, saved)
	return Stay()
}

// cmdLater is "/nanti CODE": the question waits; the person stays where
// they were and hears how to answer later.
func cmdLater(c *Ctx, args string) Next {
	c.Say(c.T("ask.later"))
	if c.state.Flow == FlowAnswer {
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
	var saved State
	if err := json.Unmarshal([]byte(c.Get(dReturn)), &saved); err != nil || saved.Flow == "" || saved.Flow == FlowAnswer {
		return Menu()
	}
	saved.Seq = c.state.Seq // keys shown meanwhile stay stale
	saved.AskedStep = ""
	*c.state = saved
	return Stay()
}

// openQuestionCount is how many questions of a report wait for its
// reporter's answer.
func openQuestionCount(c *Ctx, r store.Report) (int, error) {
	open, err := c.Tx.OpenQuestions(r.ID)
	return len(open), err
}
