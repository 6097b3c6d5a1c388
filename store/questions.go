package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Question is one question staff or the assigned volunteer asked a
// report's reporter, with the answer once it came.
type Question struct {
	ID         int64
	ReportID   int64
	ReportCode string
	AskedBy    int64
	Role       string // staff or volunteer
	Text       string
	AskedAt    time.Time
	RemindedAt time.Time
	AnsweredAt time.Time // zero while open
	Answer     string    // the text, or a file's caption
	AnswerKind string    // text, photo, voice, video, document
}

// Open tells whether the question still waits for its answer.
func (q Question) Open() bool { return q.AnsweredAt.IsZero() }

const questionColumns = `q.id, q.report_id, r.code, COALESCE(q.asked_by, 0), q.role, q.question, q.asked_at,
	COALESCE(q.reminded_at, ''), COALESCE(q.answered_at, ''), q.answer, q.answer_kind`

func scanQuestion(row rowScanner) (Question, error) {
	var q Question
	var asked, reminded, answered string
	err := row.Scan(&q.ID, &q.ReportID, &q.ReportCode, &q.AskedBy, &q.Role, &q.Text, &asked, &reminded, &answered,
		&q.Answer, &q.AnswerKind)
	q.AskedAt, q.RemindedAt, q.AnsweredAt = ParseTime(asked), ParseTime(reminded), ParseTime(answered)
	return q, err
}

// AddQuestion records a question to a report's reporter and fills in its ID.
func (tx *Tx) AddQuestion(q *Question) error {
	var by any
	if q.AskedBy != 0 {
		by = q.AskedBy
	}
	res, err := tx.exec(`INSERT INTO report_questions(report_id, asked_by, role, question, asked_at) VALUES (?, ?, ?, ?, ?)`,
		q.ReportID, by, q.Role, q.Text, FormatTime(q.AskedAt))
	if err != nil {
		return fmt.Errorf("record question: %w", err)
	}
	q.ID, err = res.LastInsertId()
	return err
}

// Questions lists a report's questions, oldest first.
func (tx *Tx) Questions(reportID int64) ([]Question, error) {
	rows, err := tx.query(`SELECT `+questionColumns+` FROM report_questions q JOIN reports r ON r.id = q.report_id
		WHERE q.report_id = ? ORDER BY q.id`, reportID)
	if err != nil {
		return nil, fmt.Errorf("list questions: %w", err)
	}
	return scanAll(rows, "scan question", scanQuestion)
}

// OpenQuestions lists a report's unanswered questions, oldest first.
func (tx *Tx) OpenQuestions(reportID int64) ([]Question, error) {
	all, err := tx.Questions(reportID)
	var open []Question
	for _, q := range all {
		if q.Open() {
			open = append(open, q)
		}
	}
	return open, err
}

// AnswerQuestion records the reporter's answer; false if the question was
// answered already (a second press, or two answers at once).
func (tx *Tx) AnswerQuestion(id int64, answer, kind string, now time.Time) (bool, error) {
	res, err := tx.exec(`UPDATE report_questions SET answered_at = ?, answer = ?, answer_kind = ?
		WHERE id = ? AND answered_at IS NULL`, FormatTime(now), answer, kind, id)
	if err != nil {
		return false, fmt.Errorf("record answer: %w", err)
	}
	n, _ := res.RowsAffected()
	if n != 1 {
		return false, nil
	}
	// The question itself may still wait to go (asked at night, held
	// until morning): answered already, it is not sent any more.
	if _, err := tx.exec(`DELETE FROM outbox WHERE state = 'pending' AND subject = ?`, QuestionSubject(id)); err != nil {
		return false, fmt.Errorf("drop the answered question's message: %w", err)
	}
	return true, nil
}

// QuestionSubject is the subject of the messages that put a question to
// its reporter (outbox rows).
func QuestionSubject(id int64) string { return "question:" + strconv.FormatInt(id, 10) }

// DueQuestion is an open question old enough to be reminded, with whom to
// remind.
type DueQuestion struct {
	Question
	ReporterID int64
	Anonymous  bool // the report is anonymous: its reporter is told their identity stays hidden
}

// QuestionsToRemind lists the open questions asked at or before cutoff
// that were never reminded, on reports still open, oldest first.
func (tx *Tx) QuestionsToRemind(cutoff time.Time) ([]DueQuestion, error) {
	rows, err := tx.query(`SELECT `+questionColumns+`, r.reporter_user_id, r.anonymous FROM report_questions q
		JOIN reports r ON r.id = q.report_id
		WHERE q.answered_at IS NULL AND q.reminded_at IS NULL AND q.asked_at <= ?
		AND r.status NOT IN (?, ?, ?) AND r.reporter_erased_at IS NULL ORDER BY q.asked_at, q.id`,
		FormatTime(cutoff), StatusDone, StatusRejected, StatusNotOurs)
	if err != nil {
		return nil, fmt.Errorf("list questions to remind: %w", err)
	}
	return scanAll(rows, "scan question to remind", func(row rowScanner) (DueQuestion, error) {
		var d DueQuestion
		var err error
		d.Question, err = scanQuestion(extraScanner{row, []any{&d.ReporterID, &d.Anonymous}})
		return d, err
	})
}

// MarkQuestionReminded claims a question's one reminder; false if it was
// claimed already.
func (tx *Tx) MarkQuestionReminded(id int64, now time.Time) (bool, error) {
	res, err := tx.exec(`UPDATE report_questions SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL
		AND answered_at IS NULL`, FormatTime(now), id)
	if err != nil {
		return false, fmt.Errorf("mark question reminded: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ReporterReach tells whether a report's reporter can still be asked: not
// if they erased their data (or retention detached them), nor if every
// contact of theirs is unreachable.
func (tx *Tx) ReporterReach(r Report) (erased, reachable bool, err error) {
	err = tx.queryRow(`SELECT r.reporter_erased_at IS NOT NULL OR u.erased_at IS NOT NULL FROM reports r
		JOIN users u ON u.id = r.reporter_user_id WHERE r.id = ?`, r.ID).Scan(&erased)
	if errors.Is(err, sql.ErrNoRows) {
		return true, false, nil
	}
	if err != nil || erased {
		return erased, false, wrapErr("check reporter", err)
	}
	contacts, err := tx.ContactsOf(r.ReporterID)
	return false, len(contacts) > 0, err
}

func wrapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Report history kinds of the questions to a reporter and their answers.
const (
	EventQuestion = "question"
	EventAnswer   = "answer"
)
