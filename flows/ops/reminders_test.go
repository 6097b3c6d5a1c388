package ops_test

import (
	"fmt"
	"testing"
	"time"

	"klabot/flows/ops"
	"klabot/flows/recurrence"
	"klabot/store"
)

func TestCreateAndStopReminder(t *testing.T) {
	w := newWorld(t, false)
	r := store.RecurringReminder{Spec: "0 8 * * 1", Audience: store.AudienceSatgas, KecCode: w.kec, Message: "Rapat Satgas PA."}
	var id int64
	w.do(func(tx *store.Tx) {
		m, err := ops.CreateReminder(tx, w.villager, r, w.local())
		want(t, "villager", m.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		m, err = ops.CreateReminder(tx, w.vol, r, w.local())
		want(t, "volunteer", m.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		bad := r
		bad.Spec = "* * * * *"
		m, err = ops.CreateReminder(tx, w.staff, bad, w.local())
		want(t, "every minute", m.Result, err, ops.Refused, ops.WhySpec)
		if _, ok := recurrence.IsSpecError(m.SpecErr); !ok {
			t.Errorf("spec error %v", m.SpecErr)
		}
		bad = r
		bad.Audience = "tetangga"
		m, err = ops.CreateReminder(tx, w.staff, bad, w.local())
		want(t, "unknown audience", m.Result, err, ops.Refused, ops.WhyAudience)
		bad = r
		bad.Message = " "
		m, err = ops.CreateReminder(tx, w.staff, bad, w.local())
		want(t, "no message", m.Result, err, ops.Refused, ops.WhyReminderEmpty)

		m, err = ops.CreateReminder(tx, w.staff, r, w.later().In(wib(t)))
		want(t, "staff", m.Result, err, ops.Done, "")
		id = m.Reminder.ID
		// Monday 30 November, 08:00 in Bengkayang.
		if want := time.Date(2026, 11, 30, 8, 0, 0, 0, wib(t)); !m.Reminder.NextDueAt.Equal(want) || m.Reminder.CreatedBy != w.staff.UserID {
			t.Errorf("made %+v, want due %v", m.Reminder, want)
		}
		again, err := ops.CreateReminder(tx, w.staff, r, w.later().In(wib(t)))
		want(t, "second click", again.Result, err, ops.AlreadyDone, "")
		if again.Reminder.ID != id {
			t.Errorf("second click names reminder %d, want %d", again.Reminder.ID, id)
		}

		l, err := ops.Reminders(tx, w.staff, w.local())
		want(t, "staff's list", l.Result, err, ops.Done, "")
		if len(l.Reminders) != 1 || !l.Reminders[0].Sends.Equal(l.Reminders[0].NextDueAt) || l.Reminders[0].Reach != 2 {
			t.Errorf("list %+v", l.Reminders)
		}
		l, err = ops.Reminders(tx, w.vol, w.local())
		want(t, "volunteer's list", l.Result, err, ops.NotAllowed, ops.WhyStaffOnly)

		res, err := ops.StopReminder(tx, w.villager, id, w.local())
		want(t, "villager stops", res, err, ops.NotAllowed, ops.WhyStaffOnly)
		res, err = ops.StopReminder(tx, w.staff, 99, w.local())
		want(t, "unknown", res, err, ops.NotFound, "")
		res, err = ops.StopReminder(tx, w.staff, id, w.later())
		want(t, "stop", res, err, ops.Done, "")
		res, err = ops.StopReminder(tx, w.staff, id, w.later())
		want(t, "second stop", res, err, ops.AlreadyDone, "")
		if l, _ := ops.Reminders(tx, w.staff, w.local()); len(l.Reminders) != 0 {
			t.Errorf("stopped reminder listed: %+v", l.Reminders)
		}
	})
	if got := w.audit("reminder_create"); len(got) != 1 ||
		got[0] != fmt.Sprintf("%s reminder:%d 0 8 * * 1 | satgas %s", w.staff.AuditName(), id, w.kec) {
		t.Errorf("audit: %q", got)
	}
	if got := w.audit("reminder_stop"); len(got) != 1 || got[0] != fmt.Sprintf("%s reminder:%d ", w.staff.AuditName(), id) {
		t.Errorf("audit of stops: %q", got)
	}
}

func TestQuietHours(t *testing.T) {
	loc := wib(t)
	night := time.Date(2026, 11, 30, 22, 0, 0, 0, loc)
	if !ops.InQuietHours(night, loc) || !ops.AfterQuietHours(night, loc).Equal(time.Date(2026, 12, 1, 6, 0, 0, 0, loc)) {
		t.Errorf("22.00 waits for 06.00 the next day: %v", ops.AfterQuietHours(night, loc))
	}
	if day := night.Add(-12 * time.Hour); ops.AfterQuietHours(day, loc) != day {
		t.Errorf("10.00 is not quiet")
	}
}
