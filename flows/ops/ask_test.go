package ops_test

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"klabot/flows/ops"
	"klabot/locales"
	"klabot/store"
)

// caseFixture is a report made anonymously by a reporter, a staff member,
// the volunteer it is assigned to and another volunteer, in a real
// database.
type caseFixture struct {
	db                          *store.DB
	path                        string
	now                         time.Time
	report                      store.Report
	reporter, staff, vol, other int64
	reporterContact             store.Contact
}

func newCase(t *testing.T) *caseFixture {
	t.Helper()
	f := &caseFixture{path: filepath.Join(t.TempDir(), "klabot.db"), now: time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)}
	var err error
	if f.db, err = store.Open(context.Background(), f.path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	f.reporterContact = store.Contact{Channel: "telegram", Address: "555"}
	f.tx(t, func(tx *store.Tx) error {
		user := func(c store.Contact, name string) int64 {
			u, _, err := tx.UserByContact(c, "id", f.now)
			if err != nil {
				t.Fatal(err)
			}
			u.Name, u.ConsentAt = name, f.now
			if err := tx.SaveUser(u); err != nil {
				t.Fatal(err)
			}
			return u.ID
		}
		f.reporter = user(f.reporterContact, "Siti Pelapor")
		f.staff = user(store.Contact{Channel: "telegram", Address: "9001"}, "Ani Petugas")
		f.vol = user(store.Contact{Channel: "telegram", Address: "7001"}, "Sari Relawan")
		f.other = user(store.Contact{Channel: "telegram", Address: "7002"}, "Budi Relawan")
		for _, v := range []int64{f.vol, f.other} {
			inv, err := tx.CreateInvite(store.RoleVolunteer, "6107010", f.staff, bytes.NewReader(bytes.Repeat([]byte{byte(v)}, 64)), f.now, time.Hour)
			if err != nil {
				return err
			}
			if _, err := tx.RedeemInvite(inv.Code, v, f.now); err != nil {
				return err
			}
		}
		f.report = store.Report{Category: "pekerja_anak", KecCode: "6107010", Description: "Anak-anak bekerja di kebun sawit.",
			Anonymous: true, ReporterID: f.reporter}
		if err := tx.CreateReport(&f.report, bytes.NewReader(bytes.Repeat([]byte{7}, 64)), f.now); err != nil {
			return err
		}
		return tx.AssignReport(f.report.ID, f.vol, f.staff, f.now)
	})
	return f
}

func (f *caseFixture) tx(t *testing.T, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := f.db.Tx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func (f *caseFixture) ask(t *testing.T, a ops.Actor, question string) ops.Result {
	t.Helper()
	var res ops.Result
	f.tx(t, func(tx *store.Tx) error {
		var err error
		res, err = ops.Ask(tx, a, f.report.Code, question, f.now)
		return err
	})
	return res
}

func (f *caseFixture) answer(t *testing.T, userID int64, in ops.AnswerInput) ops.Result {
	t.Helper()
	var res ops.Result
	f.tx(t, func(tx *store.Tx) error {
		var err error
		res, err = ops.Answer(tx, userID, f.report.Code, in, f.now)
		return err
	})
	return res
}

func (f *caseFixture) questions(t *testing.T) []store.Question {
	t.Helper()
	var qs []store.Question
	f.tx(t, func(tx *store.Tx) error {
		var err error
		qs, err = tx.Questions(f.report.ID)
		return err
	})
	return qs
}

// audit is every audit row as "actor action subject detail".
func (f *caseFixture) audit(t *testing.T) string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+f.path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT actor, action, subject, detail FROM audit ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var a, b2, c, d string
		rows.Scan(&a, &b2, &c, &d)
		b.WriteString(strings.Join([]string{a, b2, c, d}, " ") + "\n")
	}
	return b.String()
}

// Staff ask; the question reaches the reporter signed by the office, with
// Jawab and Nanti, and names nobody; asking it again changes nothing. The
// assigned volunteer asks too, signed as a volunteer; another volunteer
// finds no such report, and someone with no role may not ask at all.
func TestAskRights(t *testing.T) {
	f := newCase(t)
	res := f.ask(t, ops.Actor{UserID: f.staff, Staff: true}, "Di kebun mana anak-anak itu bekerja?")
	if res.Outcome != ops.Done || len(res.Messages) != 1 {
		t.Fatalf("staff asking: %+v", res)
	}
	m := res.Messages[0]
	want := "Pertanyaan tentang laporan " + f.report.Code + ": Di kebun mana anak-anak itu bekerja?"
	if m.UserID != f.reporter || !strings.Contains(m.Reply.Text, want) || !strings.Contains(m.Reply.Text, "Petugas DISKOPNAKERTRANS") {
		t.Errorf("to the reporter: %+v", m)
	}
	if strings.Contains(m.Reply.Text, "Ani") || strings.Contains(m.Reply.Text, "9001") {
		t.Errorf("the question names who asked: %q", m.Reply.Text)
	}
	if len(m.Reply.Options) != 2 || m.Reply.Options[0].Label != "Jawab" || m.Reply.Options[1].Label != "Nanti" ||
		m.Reply.Options[0].Key != "/jawab "+f.report.Code+" 1" {
		t.Errorf("choices: %+v", m.Reply.Options)
	}
	if again := f.ask(t, ops.Actor{UserID: f.staff, Staff: true}, "Di kebun mana anak-anak itu bekerja?"); again.Outcome != ops.AlreadyDone || len(again.Messages) != 0 {
		t.Errorf("the same question again: %+v", again)
	}

	res = f.ask(t, ops.Actor{UserID: f.vol}, "Berapa umur anak-anak itu?")
	if res.Outcome != ops.Done || !strings.Contains(res.Messages[0].Reply.Text, "Relawan Satgas PA") ||
		strings.Contains(res.Messages[0].Reply.Text, "Sari") {
		t.Errorf("the assigned volunteer asking: %+v", res)
	}
	if res := f.ask(t, ops.Actor{UserID: f.other}, "Siapa nama pemilik kebun?"); res.Outcome != ops.NotFound || len(res.Messages) != 0 {
		t.Errorf("a volunteer asking about a report not theirs: %+v", res)
	}
	if res := f.ask(t, ops.Actor{UserID: f.reporter}, "Halo?"); res.Outcome != ops.NotAllowed {
		t.Errorf("someone with no role asking: %+v", res)
	}
	if qs := f.questions(t); len(qs) != 2 {
		t.Errorf("questions stored: %+v", qs)
	}
	audit := f.audit(t)
	if n := strings.Count(audit, "report:ask"); n != 2 {
		t.Errorf("%d ask audit rows, want 2:\n%s", n, audit)
	}
	if !strings.Contains(audit, "user:"+itoa(f.vol)+" report:ask "+f.report.Code+" volunteer") {
		t.Errorf("the volunteer's question is not audited as theirs:\n%s", audit)
	}
}

func itoa(n int64) string { return ops.Actor{UserID: n}.AuditName()[len("user:"):] }

// At most three questions wait at once; an empty question, or one about a
// closed report, is refused with the reason.
func TestAskLimits(t *testing.T) {
	f := newCase(t)
	staff := ops.Actor{UserID: f.staff, Staff: true}
	if res := f.ask(t, staff, "   "); res.Outcome != ops.Refused || res.Why != ops.WhyAskEmpty {
		t.Errorf("empty question: %+v", res)
	}
	for _, q := range []string{"Satu?", "Dua?", "Tiga?"} {
		if res := f.ask(t, staff, q); res.Outcome != ops.Done {
			t.Fatalf("question %q: %+v", q, res)
		}
	}
	if res := f.ask(t, staff, "Empat?"); res.Outcome != ops.Refused || res.Why != ops.WhyAskLimit || len(res.Messages) != 0 {
		t.Errorf("a fourth open question: %+v", res)
	}
	f.answer(t, f.reporter, ops.AnswerInput{Text: "Jawaban satu"})
	if res := f.ask(t, staff, "Empat?"); res.Outcome != ops.Done {
		t.Errorf("after an answer, a question fits again: %+v", res)
	}
	f.tx(t, func(tx *store.Tx) error {
		_, err := tx.ChangeReportStatus(f.report.ID, store.StatusNotOurs, f.staff, store.RoleStaff, "bukan wewenang dinas", f.now)
		return err
	})
	if res := f.ask(t, staff, "Lima?"); res.Outcome != ops.Refused || res.Why != ops.WhyAskClosed {
		t.Errorf("asking about a closed report: %+v", res)
	}
}

// A reporter who blocked klabot, or who erased their data, cannot be
// asked: staff hear why, and nothing is stored or sent.
func TestAskUnreachableOrErasedReporter(t *testing.T) {
	f := newCase(t)
	staff := ops.Actor{UserID: f.staff, Staff: true}
	f.tx(t, func(tx *store.Tx) error { return tx.MarkUnreachable(f.reporterContact, f.now) })
	if res := f.ask(t, staff, "Masih di sana?"); res.Outcome != ops.Refused || res.Why != ops.WhyAskUnreachable || len(res.Messages) != 0 {
		t.Errorf("unreachable reporter: %+v", res)
	}
	f.tx(t, func(tx *store.Tx) error { return tx.MarkReachable(f.reporterContact) })
	f.tx(t, func(tx *store.Tx) error { _, err := tx.ErasePerson(f.reporter, f.now); return err })
	if res := f.ask(t, staff, "Masih di sana?"); res.Outcome != ops.Refused || res.Why != ops.WhyAskErased || len(res.Messages) != 0 {
		t.Errorf("erased reporter: %+v", res)
	}
	if qs := f.questions(t); len(qs) != 0 {
		t.Errorf("questions stored: %+v", qs)
	}
}

// The reporter's answer goes into the history as the reporter's; staff
// and the volunteer who asked are told the report's code, nothing more.
// A file answers too and becomes evidence. Only the reporter can answer,
// and an answer with no question open changes nothing.
func TestAnswer(t *testing.T) {
	f := newCase(t)
	f.ask(t, ops.Actor{UserID: f.vol}, "Di kebun mana?")
	if res := f.answer(t, f.other, ops.AnswerInput{Text: "Saya tahu!"}); res.Outcome != ops.NotFound {
		t.Errorf("someone else answering: %+v", res)
	}
	res := f.answer(t, f.reporter, ops.AnswerInput{Text: "Kebun PT Sawit Jaya, blok 7."})
	if res.Outcome != ops.Done || len(res.Messages) != 2 {
		t.Fatalf("answer: %+v", res)
	}
	for _, m := range res.Messages {
		if !m.ToStaff && m.UserID != f.vol {
			t.Errorf("told someone else: %+v", m)
		}
		if m.Reply.Text != "Pelapor menjawab pertanyaan tentang laporan "+f.report.Code+"." {
			t.Errorf("alert says more than the code: %q", m.Reply.Text)
		}
	}
	f.ask(t, ops.Actor{UserID: f.staff, Staff: true}, "Ada foto?")
	res = f.answer(t, f.reporter, ops.AnswerInput{Kind: "photo", Text: "ini fotonya",
		Media: &store.Media{Channel: "telegram", Ref: "file-1", Mime: "image/jpeg", Size: 1000}})
	if res.Outcome != ops.Done || len(res.Messages) != 1 || !res.Messages[0].ToStaff {
		t.Errorf("photo answer to staff's question: %+v", res)
	}
	if res := f.answer(t, f.reporter, ops.AnswerInput{Text: "lagi"}); res.Outcome != ops.AlreadyDone {
		t.Errorf("answer with nothing open: %+v", res)
	}
	qs := f.questions(t)
	if len(qs) != 2 || qs[0].Answer != "Kebun PT Sawit Jaya, blok 7." || qs[1].AnswerKind != "photo" || qs[1].Open() {
		t.Errorf("questions: %+v", qs)
	}
	var events []store.ReportEvent
	var media []store.Media
	f.tx(t, func(tx *store.Tx) error {
		var err error
		if events, err = tx.ReportEvents(f.report.ID); err != nil {
			return err
		}
		media, err = tx.ReportMedia(f.report.ID)
		return err
	})
	answers := 0
	for _, e := range events {
		if e.Kind == store.EventAnswer {
			answers++
			if e.Role != store.RoleReporter || e.ActorID != 0 {
				t.Errorf("an answer names its author: %+v", e)
			}
		}
	}
	if answers != 2 || len(media) != 1 || media[0].Ref != "file-1" {
		t.Errorf("%d answers in the history, evidence %+v", answers, media)
	}
	audit := f.audit(t)
	if strings.Contains(audit, "user:"+itoa(f.reporter)) || strings.Count(audit, "reporter report:answer "+f.report.Code) != 2 {
		t.Errorf("the audit names the reporter or lacks the answers:\n%s", audit)
	}
}

// A closed report takes no answers: the reporter is refused kindly and
// nothing is recorded or announced.
func TestAnswerClosedReport(t *testing.T) {
	f := newCase(t)
	f.ask(t, ops.Actor{UserID: f.staff, Staff: true}, "Di kebun mana?")
	f.tx(t, func(tx *store.Tx) error {
		_, err := tx.ChangeReportStatus(f.report.ID, store.StatusRejected, f.staff, store.RoleStaff, "bukan kasus anak", f.now)
		return err
	})
	res := f.answer(t, f.reporter, ops.AnswerInput{Text: "Kebun PT Sawit Jaya."})
	if res.Outcome != ops.Refused || res.Why != ops.WhyAnswerClosed || len(res.Messages) != 0 {
		t.Errorf("answer to a closed report: %+v", res)
	}
	if qs := f.questions(t); len(qs) != 1 || !qs[0].Open() {
		t.Errorf("questions: %+v", qs)
	}
}

// Asked in the quiet hours, the question waits in the outbox until they
// end; asked in the day, it goes at once.
func TestQuestionWaitsOutTheNight(t *testing.T) {
	f := newCase(t)
	loc, _ := time.LoadLocation("Asia/Pontianak")
	staff := ops.Actor{UserID: f.staff, Staff: true}
	var res ops.Result
	f.tx(t, func(tx *store.Tx) error {
		var err error
		res, err = ops.Ask(tx, staff, f.report.Code, "Siang?", time.Date(2026, 11, 24, 14, 0, 0, 0, loc))
		return err
	})
	if len(res.Messages) != 1 || !res.Messages[0].NotBefore.IsZero() {
		t.Errorf("a question in the day is held: %+v", res.Messages)
	}
	f.tx(t, func(tx *store.Tx) error {
		var err error
		res, err = ops.Ask(tx, staff, f.report.Code, "Malam?", time.Date(2026, 11, 24, 22, 30, 0, 0, loc))
		return err
	})
	if want := time.Date(2026, 11, 25, 6, 0, 0, 0, loc); len(res.Messages) != 1 || !res.Messages[0].NotBefore.Equal(want) {
		t.Errorf("a question at night goes at %+v, want %s", res.Messages, want)
	}
}

// Only the reporter of an anonymous report is promised that who they are
// stays hidden: one who gave their name is not told otherwise.
func TestQuestionPromisesAnonymityOnlyWhenAnonymous(t *testing.T) {
	q := store.Question{ID: 1, ReportCode: "LPR-AAAA-BBBB", Role: store.RoleStaff, Text: "Di mana?"}
	for _, again := range []bool{false, true} {
		if got := ops.QuestionToReporter("id", q, again, true).Text; !strings.Contains(got, "Identitas Anda tetap dirahasiakan") {
			t.Errorf("anonymous (again %v): %q", again, got)
		}
		if got := ops.QuestionToReporter("id", q, again, false).Text; strings.Contains(got, "dirahasiakan") {
			t.Errorf("named (again %v): %q", again, got)
		}
	}
}

// A question too long to send is refused, not cut, and the note says the
// limit the constant sets.
func TestAskTooLongRefused(t *testing.T) {
	w := newWorld(t, true)
	w.do(func(tx *store.Tx) {
		res, err := ops.Ask(tx, w.staff, w.code, strings.Repeat("x", ops.MaxQuestionRunes+1), w.now)
		want(t, "too long", res, err, ops.Refused, ops.WhyAskLong)
		if open, _ := tx.OpenQuestions(mustReport(t, tx, w.code).ID); len(open) != 0 {
			t.Errorf("a refused question was kept: %+v", open)
		}
	})
	for key, limit := range map[string]int{ops.WhyAskLong: ops.MaxQuestionRunes, ops.WhyNoteLong: ops.MaxNoteRunes} {
		for _, lang := range []string{"id", "en"} {
			if text := locales.T(lang, key, "LPR-X"); !strings.Contains(text, strconv.Itoa(limit)) {
				t.Errorf("%s %s does not name the limit %d: %q", lang, key, limit, text)
			}
		}
	}
}

func mustReport(t *testing.T, tx *store.Tx, code string) store.Report {
	t.Helper()
	r, err := tx.ReportByCode(code)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
