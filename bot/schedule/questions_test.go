package schedule

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"klabot/flows/ops"
	"klabot/store"
)

// A question the reporter has not answered after 24 hours is reminded
// once: not earlier, not in the quiet hours (it waits for 06:00), never
// twice, and not when the answer came, the report was closed, the
// reporter erased their data or said berhenti.
func TestQuestionReminders(t *testing.T) {
	e := newEnv(t)
	reporter := e.person("pelapor", "warga")
	other := e.person("pelapor2", "warga")
	gone := e.person("pelapor3", "warga")
	quiet := e.person("pelapor4", "warga")
	e.optOut(quiet)
	staff := ops.Actor{UserID: e.person("petugas", "lainnya").ID, Staff: true}
	var open, answered, closed, erased, stopped store.Report
	asked := at(11, 24, 21, 30) // a Tuesday evening
	e.tx(func(tx *store.Tx) error {
		for _, r := range []struct {
			rep *store.Report
			by  store.User
		}{{&open, reporter}, {&answered, other}, {&closed, other}, {&erased, gone}, {&stopped, quiet}} {
			*r.rep = store.Report{Category: "pekerja_anak", KecCode: "61.07.06", ReporterID: r.by.ID, Anonymous: true}
			if err := tx.CreateReport(r.rep, rand.Reader, at(11, 24, 9, 0)); err != nil {
				return err
			}
			if res, err := ops.Ask(tx, staff, r.rep.Code, "Di kebun mana?", asked); err != nil || res.Outcome != ops.Done {
				t.Fatalf("ask: %+v %v", res, err)
			}
		}
		if _, err := ops.Answer(tx, other.ID, answered.Code, ops.AnswerInput{Text: "Kebun blok 7"}, asked.Add(time.Hour)); err != nil {
			return err
		}
		if _, err := tx.ChangeReportStatus(closed.ID, store.StatusNotOurs, staff.UserID, store.RoleStaff, "bukan wewenang", asked); err != nil {
			return err
		}
		_, err := tx.ErasePerson(gone.ID, asked)
		return err
	})
	run := func(now time.Time) {
		t.Helper()
		if err := e.s.QuestionReminders(context.Background(), now); err != nil {
			t.Fatal(err)
		}
	}
	run(asked.Add(23 * time.Hour))
	e.expect("before 24 hours", e.to(reporter), 0)
	run(at(11, 25, 22, 0)) // 24.5 hours, but in the quiet hours
	e.expect("in the quiet hours", e.to(reporter), 0)
	run(at(11, 26, 6, 0))
	e.expect("the morning after", e.to(reporter), 1, "Pengingat", "pertanyaan tentang laporan", open.Code, "Di kebun mana?", "Petugas DISKOPNAKERTRANS")
	if b := e.to(reporter)[0].Buttons; len(b) != 2 || b[0].Label != "Jawab" || b[1].Label != "Nanti" {
		t.Errorf("reminder's keys: %+v", b)
	}
	run(at(11, 27, 9, 0))
	e.expect("a second time", e.to(reporter), 1)
	e.expect("answered or closed", e.to(other), 0)
	e.expect("erased", e.to(gone), 0)
	e.expect("said berhenti", e.to(quiet), 0)
}
