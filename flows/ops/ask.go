package ops

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"klabot/flows/out"
	"klabot/locales"
	"klabot/store"
)

// Asking the reporter: staff, or the Satgas PA volunteer a report is
// assigned to, put a question to whoever made the report, through the
// report alone. Neither side learns who the other is: the question is
// signed with the asker's role, and the answer reaches staff as an entry
// of the case history, announced with the report's code only.

const (
	// MaxOpenQuestions is how many unanswered questions a report may have.
	MaxOpenQuestions = 3
	// MaxQuestionRunes bounds a question.
	MaxQuestionRunes = 1000
	// MaxAnswerRunes bounds a typed answer: as long as a report's story,
	// since what a reporter writes is kept.
	MaxAnswerRunes = 10000
)

// Why keys of the asking operations (locales).
const (
	WhyAskEmpty       = "ask.why_empty"
	WhyAskLong        = "ask.why_long"
	WhyAskClosed      = "ask.why_closed"
	WhyAskLimit       = "ask.why_limit"
	WhyAskErased      = "ask.why_erased"
	WhyAskUnreachable = "ask.why_unreachable"
	// WhyAnswerClosed: the report was closed; its questions need no answer.
	WhyAnswerClosed = "ask.why_answer_closed"
)

// Ask puts a question to the reporter of the report with code. Staff may
// ask about any report, a volunteer only about one assigned to them; for
// anyone else the report is not found, as if it did not exist. The same
// question asked again while open is AlreadyDone.
func Ask(tx *store.Tx, a Actor, code, question string, now time.Time) (Result, error) {
	question = strings.TrimSpace(question)
	if utf8.RuneCountInString(question) > MaxQuestionRunes {
		// Refused rather than cut: a question sent half-way would
		// confuse the reporter.
		return Result{Outcome: Refused, Why: WhyAskLong}, nil
	}
	r, role, res, err := canAsk(tx, a, code, question)
	if err != nil || res.Outcome != Done {
		return res, err
	}
	open, err := tx.OpenQuestions(r.ID)
	if err != nil {
		return Result{}, err
	}
	for _, q := range open {
		if q.Text == question {
			return Result{Outcome: AlreadyDone}, nil
		}
	}
	if len(open) >= MaxOpenQuestions {
		return Result{Outcome: Refused, Why: WhyAskLimit}, nil
	}
	q := store.Question{ReportID: r.ID, AskedBy: a.UserID, Role: role, Text: question, AskedAt: now}
	if err := tx.AddQuestion(&q); err != nil {
		return Result{}, err
	}
	if err := tx.AddReportEvent(store.ReportEvent{ReportID: r.ID, At: now, ActorID: a.UserID, Role: role,
		Kind: store.EventQuestion, Note: question}); err != nil {
		return Result{}, err
	}
	if err := audit(tx, a, now, "report:ask", r.Code, role); err != nil {
		return Result{}, err
	}
	reporter, err := tx.User(r.ReporterID)
	if err != nil {
		return Result{}, err
	}
	q.ReportCode = r.Code
	// A phone that buzzes at night may be seen by the very person the
	// report is about: the question waits for the quiet hours to end.
	return Result{Outcome: Done, Messages: []out.Message{{UserID: reporter.ID, Priority: store.PriorityAlert,
		NotBefore: held(now), Reply: QuestionToReporter(reporter.Lang, q, false, r.Anonymous)}}}, nil
}

// held is when a message to a reporter written at now may go out: zero
// (at once) outside the quiet hours, else when they end, in now's
// location.
func held(now time.Time) time.Time {
	if !InQuietHours(now, now.Location()) {
		return time.Time{}
	}
	return AfterQuietHours(now, now.Location())
}

// CanAsk tells whether the actor could ask the reporter of the report
// with code a question now: Done, or why not (as Ask would answer), so
// that nobody is asked to write a question that cannot be sent.
func CanAsk(tx *store.Tx, a Actor, code string) (Result, error) {
	r, _, res, err := canAsk(tx, a, code, "?")
	if err != nil || res.Outcome != Done {
		return res, err
	}
	open, err := tx.OpenQuestions(r.ID)
	if err != nil {
		return Result{}, err
	}
	if len(open) >= MaxOpenQuestions {
		return Result{Outcome: Refused, Why: WhyAskLimit}, nil
	}
	return res, nil
}

// canAsk is Ask's checks of the actor's rights, the report and its
// reporter, for a question already trimmed.
func canAsk(tx *store.Tx, a Actor, code, question string) (store.Report, string, Result, error) {
	r, role, res, err := reportFor(tx, a, code)
	if err != nil || res.Outcome != Done {
		return r, role, res, err
	}
	refuse := func(why string) (store.Report, string, Result, error) {
		return r, role, Result{Outcome: Refused, Why: why}, nil
	}
	switch {
	case question == "":
		return refuse(WhyAskEmpty)
	case store.IsClosed(r.Status):
		return refuse(WhyAskClosed)
	}
	erased, reachable, err := tx.ReporterReach(r)
	switch {
	case err != nil:
		return r, role, Result{}, err
	case erased:
		return refuse(WhyAskErased)
	case !reachable:
		return refuse(WhyAskUnreachable)
	}
	return r, role, res, nil
}

// QuestionToReporter is a question as its reporter receives it, signed
// with the asker's role only; again is the one reminder. The reporter of
// an anonymous report is told their identity stays hidden; one who gave
// their name is not promised it.
func QuestionToReporter(lang string, q store.Question, again, anonymous bool) out.Reply {
	sign := locales.T(lang, "ask.signed_staff")
	if q.Role == store.RoleVolunteer {
		sign = locales.T(lang, "ask.signed_volunteer")
	}
	key := "ask.to_reporter"
	if again {
		key = "ask.to_reporter_again"
	}
	text := locales.T(lang, key, q.ReportCode, q.Text, sign)
	if anonymous {
		text += " " + locales.T(lang, "ask.identity_hidden")
	}
	return out.Reply{Text: text, Options: []out.Option{
		{Key: "/jawab " + q.ReportCode + " " + strconv.FormatInt(q.ID, 10), Label: locales.T(lang, "ask.opt_answer")},
		{Key: "/nanti " + q.ReportCode, Label: locales.T(lang, "ask.opt_later")},
	}, Subject: store.QuestionSubject(q.ID)}
}

// AnswerInput is what the reporter sent as an answer: text, or a file
// (photo, voice note, video, document) with its caption in Text.
type AnswerInput struct {
	// Question is the id of the question answered; 0 (or one answered
	// already) answers the oldest open one.
	Question int64
	Kind     string // "text", or the kind of file
	Text     string
	Media    *store.Media // the file as the channel gave it; nil for text
}

// Answer records the reporter's answer to a question of their report (the
// one in.Question names if open, else the oldest open one): in the case history as the reporter's answer, a file as
// evidence of the report. Staff, and a volunteer who asked, are told the
// report's code only. Someone who is not the report's reporter finds no
// report; with no question open the answer is AlreadyDone.
func Answer(tx *store.Tx, reporterID int64, code string, in AnswerInput, now time.Time) (Result, error) {
	r, err := tx.ReportByCode(code)
	if errors.Is(err, store.ErrNotFound) || err == nil && r.ReporterID != reporterID {
		return Result{Outcome: NotFound}, nil
	}
	if err != nil {
		return Result{}, err
	}
	if store.IsClosed(r.Status) {
		return Result{Outcome: Refused, Why: WhyAnswerClosed}, nil
	}
	open, err := tx.OpenQuestions(r.ID)
	if err != nil || len(open) == 0 {
		return Result{Outcome: AlreadyDone}, err
	}
	q := open[0]
	for _, o := range open {
		if o.ID == in.Question {
			q = o
		}
	}
	text := cut(strings.TrimSpace(in.Text), MaxAnswerRunes)
	kind := in.Kind
	if in.Media == nil {
		kind = "text"
		if text == "" {
			return Result{Outcome: Refused, Why: WhyAskEmpty}, nil
		}
	} else {
		m := *in.Media
		m.Kind = kind
		if _, err := tx.AddReportMedia(r.ID, m, reporterID, now); err != nil {
			return Result{}, err
		}
	}
	if ok, err := tx.AnswerQuestion(q.ID, text, kind, now); err != nil || !ok {
		return Result{Outcome: AlreadyDone}, err
	}
	note := text
	if kind != "text" {
		note = strings.TrimSpace("[" + locales.T(locales.Default, answerKinds[kind]) + "] " + text)
	}
	// The history line quotes the question answered: questions may be
	// answered in any order.
	note = "«" + cut(q.Text, 80) + "» " + note
	if err := tx.AddReportEvent(store.ReportEvent{ReportID: r.ID, At: now, Role: store.RoleReporter,
		Kind: store.EventAnswer, Note: note}); err != nil {
		return Result{}, err
	}
	// The audit names the role, not the person: an anonymous reporter
	// must not become known through the log.
	if err := tx.Audit(now, store.RoleReporter, "report:answer", r.Code, kind); err != nil {
		return Result{}, err
	}
	openKey := func(lang string) out.Option {
		return out.Option{Key: "/buka " + r.Code, Label: locales.T(lang, "triage.open")}
	}
	res := Result{Outcome: Done, Messages: []out.Message{{ToStaff: true, Priority: store.PriorityAlert,
		Reply: out.Reply{Text: staffT("ask.answered_alert", r.Code), Options: []out.Option{openKey(locales.Default)},
			Subject: store.ReportSubject(r.Code)}}}}
	if q.Role == store.RoleVolunteer && q.AskedBy != 0 && q.AskedBy == r.AssignedTo {
		vol, err := tx.User(q.AskedBy)
		if err != nil {
			return Result{}, err
		}
		res.Messages = append(res.Messages, out.Message{UserID: vol.ID, Priority: store.PriorityAlert,
			Reply: out.Reply{Text: locales.T(vol.Lang, "ask.answered_alert", r.Code), Options: []out.Option{openKey(vol.Lang)},
				Subject: store.ReportSubject(r.Code)}})
	}
	return res, nil
}

// answerKinds name the kinds of file an answer can be, in the history.
var answerKinds = map[string]string{
	"photo": "ask.kind.photo", "voice": "ask.kind.voice", "video": "ask.kind.video", "document": "ask.kind.document",
}

func cut(s string, n int) string {
	if utf8.RuneCountInString(s) > n {
		return string([]rune(s)[:n])
	}
	return s
}
