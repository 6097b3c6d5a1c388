package ops_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"klabot/flows/exportdata"
	"klabot/flows/ops"
	"klabot/store"
)

// wib is the office's time zone: operations write times in now's.
func wib(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Pontianak")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// session is a training a week ahead, as staff would make it.
func (w *world) session(title string, capacity int) store.Training {
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, wib(w.t))
	return store.Training{Program: "wikapa", Title: title, KecCode: w.kec, Place: "Aula Kantor Camat",
		StartsAt: start, EndsAt: start.Add(3 * time.Hour), Capacity: capacity}
}

// create makes a session as staff.
func (w *world) create(title string, capacity int) store.Training {
	w.t.Helper()
	var t store.Training
	w.do(func(tx *store.Tx) {
		ch, err := ops.CreateTraining(tx, w.staff, w.session(title, capacity), rand.Reader, w.local())
		if err != nil || ch.Outcome != ops.Done {
			w.t.Fatalf("create: %v %v", ch.Outcome, err)
		}
		t = ch.Training
	})
	return t
}

// local is now in the office's time zone.
func (w *world) local() time.Time { return w.now.In(wib(w.t)) }

// register gives a person a seat (or a place in line) in a session.
func (w *world) register(tx *store.Tx, trainingID, userID int64) store.Registration {
	w.t.Helper()
	r, err := tx.Register(store.Registration{TrainingID: trainingID, UserID: userID, FullName: fmt.Sprint("Peserta ", userID),
		Age: 30, Phone: "6281234567890"}, w.local())
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

func (w *world) training(id int64) store.Training {
	w.t.Helper()
	var t store.Training
	w.do(func(tx *store.Tx) {
		var err error
		if t, err = tx.Training(id); err != nil {
			w.t.Fatal(err)
		}
	})
	return t
}

func TestCreateTraining(t *testing.T) {
	w := newWorld(t, false)
	w.do(func(tx *store.Tx) {
		good := w.session("Pelatihan Usaha Kecil", 20)
		ch, err := ops.CreateTraining(tx, w.villager, good, rand.Reader, w.local())
		want(t, "villager", ch.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		ch, err = ops.CreateTraining(tx, w.vol, good, rand.Reader, w.local())
		want(t, "volunteer", ch.Result, err, ops.NotAllowed, ops.WhyStaffOnly)

		bad := good
		bad.Title = "ab"
		ch, err = ops.CreateTraining(tx, w.staff, bad, rand.Reader, w.local())
		want(t, "short title", ch.Result, err, ops.Refused, ops.WhyTitle)
		if ch.Field != ops.FieldTitle {
			t.Errorf("field %q", ch.Field)
		}
		bad = good
		bad.StartsAt, bad.EndsAt = w.now.Add(-time.Hour), w.now.Add(time.Hour)
		ch, err = ops.CreateTraining(tx, w.staff, bad, rand.Reader, w.local())
		want(t, "in the past", ch.Result, err, ops.Refused, ops.WhyStartPast)
		bad = good
		bad.Program = "memasak"
		ch, err = ops.CreateTraining(tx, w.staff, bad, rand.Reader, w.local())
		want(t, "unknown programme", ch.Result, err, ops.Refused, ops.WhyProgram)

		ch, err = ops.CreateTraining(tx, w.staff, good, rand.Reader, w.local())
		want(t, "staff", ch.Result, err, ops.Done, "")
		if ch.Training.ID == 0 || len(ch.Training.AttendanceCode) != ops.AttendanceCodeLen || ch.Training.CreatedBy != w.staff.UserID {
			t.Errorf("made %+v", ch.Training)
		}
		ch, err = ops.CreateTraining(tx, w.staff, good, rand.Reader, w.local())
		want(t, "second click", ch.Result, err, ops.AlreadyDone, ops.WhyTrainingExists)
		l, err := ops.Sessions(tx, w.staff, w.now)
		want(t, "staff's list", l.Result, err, ops.Done, "")
		if len(l.Trainings) != 1 {
			t.Errorf("%d sessions, want 1", len(l.Trainings))
		}
		l, err = ops.Sessions(tx, w.villager, w.now)
		want(t, "villager's list", l.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
	})
	if got := w.audit("training_create"); len(got) != 1 || got[0] != w.staff.AuditName()+" training:1 Pelatihan Usaha Kecil" {
		t.Errorf("audit: %q", got)
	}
}

func TestImportTrainingsAsCLI(t *testing.T) {
	w := newWorld(t, false)
	list := []store.Training{w.session("Sesi Satu", 10), w.session("Sesi Dua", 10)}
	w.do(func(tx *store.Tx) {
		im, err := ops.ImportTrainings(tx, w.villager, list, rand.Reader, w.local())
		want(t, "villager", im.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		im, err = ops.ImportTrainings(tx, ops.CLI, list, rand.Reader, w.local())
		want(t, "cli", im.Result, err, ops.Done, "")
		if len(im.Trainings) != 2 || im.Trainings[0].CreatedBy != 0 {
			t.Errorf("imported %+v", im.Trainings)
		}
		again := append(list, w.session("x", 10))
		im, err = ops.ImportTrainings(tx, ops.CLI, again, rand.Reader, w.local())
		want(t, "again", im.Result, err, ops.Refused, "")
		if len(im.Problems) != 3 || im.Problems[0].Outcome != ops.AlreadyDone || im.Problems[2].Field != ops.FieldTitle {
			t.Errorf("problems %+v", im.Problems)
		}
	})
	if got := w.audit("training_import"); len(got) != 2 || got[0] != "cli training:1 Sesi Satu" || got[1] != "cli training:2 Sesi Dua" {
		t.Errorf("audit: %q", got)
	}
}

func TestUpdateTrainingMovesAndPromotes(t *testing.T) {
	w := newWorld(t, false)
	tr := w.create("Pelatihan Usaha Kecil", 1)
	w.do(func(tx *store.Tx) {
		w.register(tx, tr.ID, w.villager.UserID)
		if r := w.register(tx, tr.ID, w.reporter); r.Status != store.RegWaitlisted {
			t.Fatalf("second person %s", r.Status)
		}
	})
	moved := tr
	moved.StartsAt, moved.EndsAt, moved.Capacity = tr.StartsAt.Add(24*time.Hour), tr.EndsAt.Add(24*time.Hour), 2
	w.do(func(tx *store.Tx) {
		ch, err := ops.UpdateTraining(tx, w.villager, moved, w.local())
		want(t, "villager", ch.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		small := moved
		small.Capacity = 0
		ch, err = ops.UpdateTraining(tx, w.staff, small, w.local())
		want(t, "no seats", ch.Result, err, ops.Refused, ops.WhyCapacity)
		missing := moved
		missing.ID = 99
		ch, err = ops.UpdateTraining(tx, w.staff, missing, w.local())
		want(t, "unknown session", ch.Result, err, ops.NotFound, "")

		ch, err = ops.UpdateTraining(tx, w.staff, moved, w.later().In(wib(t)))
		want(t, "staff", ch.Result, err, ops.Done, "")
		if len(ch.Promoted) != 1 || ch.Promoted[0].UserID != w.reporter || ch.Told != 2 {
			t.Errorf("promoted %+v, told %d", ch.Promoted, ch.Told)
		}
		promoted, told := to(ch.Result, w.reporter), to(ch.Result, w.villager.UserID)
		if len(ch.Messages) != 2 || len(promoted) != 1 || len(told) != 1 || !strings.Contains(told[0], "Rabu, 2 Desember 2026") {
			t.Errorf("messages: %+v", ch.Messages)
		}
		ch, err = ops.UpdateTraining(tx, w.staff, moved, w.later().In(wib(t)))
		want(t, "second click", ch.Result, err, ops.AlreadyDone, "")

		fewer := moved
		fewer.Capacity = 1
		ch, err = ops.UpdateTraining(tx, w.staff, fewer, w.local())
		want(t, "fewer seats than people", ch.Result, err, ops.Refused, ops.WhyCapacityBelow)
	})
	if got := w.audit("training_update"); len(got) != 1 || got[0] != fmt.Sprintf("%s training:%d %s", w.staff.AuditName(), tr.ID, tr.Title) {
		t.Errorf("audit: %q", got)
	}
	if got := w.training(tr.ID); got.Registered != 2 || got.Capacity != 2 || !got.StartsAt.Equal(moved.StartsAt) {
		t.Errorf("saved %+v", got)
	}
}

func TestCancelTraining(t *testing.T) {
	w := newWorld(t, false)
	tr := w.create("Pelatihan Usaha Kecil", 1)
	w.do(func(tx *store.Tx) {
		w.register(tx, tr.ID, w.villager.UserID)
		w.register(tx, tr.ID, w.reporter)
	})
	w.do(func(tx *store.Tx) {
		ch, err := ops.CancelTraining(tx, w.villager, tr.ID, w.local())
		want(t, "villager", ch.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		ch, err = ops.CancelTraining(tx, w.staff, 99, w.local())
		want(t, "unknown session", ch.Result, err, ops.NotFound, "")
		ch, err = ops.CancelTraining(tx, w.staff, tr.ID, tr.StartsAt)
		want(t, "started", ch.Result, err, ops.Refused, ops.WhyTrainingClosed)

		ch, err = ops.CancelTraining(tx, w.staff, tr.ID, w.later().In(wib(t)))
		want(t, "staff", ch.Result, err, ops.Done, "")
		if ch.Told != 2 || len(to(ch.Result, w.villager.UserID)) != 1 || len(to(ch.Result, w.reporter)) != 1 {
			t.Errorf("told %d: %+v", ch.Told, ch.Messages)
		}
		ch, err = ops.CancelTraining(tx, w.staff, tr.ID, w.later().In(wib(t)))
		want(t, "second click", ch.Result, err, ops.AlreadyDone, "")
	})
	if got := w.audit("training_cancel"); len(got) != 1 || got[0] != fmt.Sprintf("%s training:%d %s", w.staff.AuditName(), tr.ID, tr.Title) {
		t.Errorf("audit: %q", got)
	}
}

func TestMessageTraining(t *testing.T) {
	w := newWorld(t, false)
	tr := w.create("Pelatihan Usaha Kecil", 1)
	w.do(func(tx *store.Tx) {
		w.register(tx, tr.ID, w.villager.UserID)
		w.register(tx, tr.ID, w.reporter)
	})
	const text = "Bawa KTP ya."
	w.do(func(tx *store.Tx) {
		ch, err := ops.MessageTraining(tx, w.vol, tr.ID, text, w.local())
		want(t, "volunteer", ch.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		ch, err = ops.MessageTraining(tx, w.staff, tr.ID, " x ", w.local())
		want(t, "too short", ch.Result, err, ops.Refused, ops.WhyMessageEmpty)

		ch, err = ops.MessageTraining(tx, w.staff, tr.ID, text, w.later())
		want(t, "staff", ch.Result, err, ops.Done, "")
		got := to(ch.Result, w.reporter)
		if ch.Told != 2 || len(ch.Messages) != 2 || len(got) != 1 || !strings.Contains(got[0], text) {
			t.Errorf("told %d: %+v", ch.Told, ch.Messages)
		}
		ch, err = ops.MessageTraining(tx, w.staff, tr.ID, text+"\n", w.later())
		want(t, "second click", ch.Result, err, ops.AlreadyDone, "")
		ch, err = ops.MessageTraining(tx, w.staff, tr.ID, "Mulai jam 10.", w.later())
		want(t, "another message", ch.Result, err, ops.Done, "")
	})
	sum := sha256.Sum256([]byte(text))
	wantRow := fmt.Sprintf("%s training:%d 2 people, text %s", w.staff.AuditName(), tr.ID, hex.EncodeToString(sum[:4]))
	if got := w.audit("training_message"); len(got) != 2 || got[0] != wantRow {
		t.Errorf("audit: %q, want first %q", got, wantRow)
	}
}

func TestAttendanceAndCheckIn(t *testing.T) {
	w := newWorld(t, false)
	tr := w.create("Pelatihan Usaha Kecil", 1)
	w.do(func(tx *store.Tx) {
		w.register(tx, tr.ID, w.villager.UserID)
		w.register(tx, tr.ID, w.reporter)
	})
	onTheDay := tr.StartsAt.Add(10 * time.Minute)
	reporter := ops.Actor{UserID: w.reporter}
	w.do(func(tx *store.Tx) {
		a, err := ops.MarkAttendance(tx, w.villager, tr.ID, w.villager.UserID, true, onTheDay)
		want(t, "villager marks", a.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		a, err = ops.MarkAttendance(tx, w.staff, tr.ID, w.reporter, true, onTheDay)
		want(t, "waiting", a.Result, err, ops.Refused, ops.WhyNotSeated)
		a, err = ops.MarkAttendance(tx, w.staff, tr.ID, w.villager.UserID, false, onTheDay)
		want(t, "unmark who is not marked", a.Result, err, ops.AlreadyDone, "")

		ci, err := ops.CheckInByCode(tx, w.villager, tr.AttendanceCode, tr.StartsAt.AddDate(0, 0, -1))
		want(t, "the day before", ci.Result, err, ops.Refused, ops.WhyCheckinEarly)
		ci, err = ops.CheckInByCode(tx, w.villager, "ZZZZ22", onTheDay)
		want(t, "unknown code", ci.Result, err, ops.NotFound, "")
		ci, err = ops.CheckInByCode(tx, reporter, tr.AttendanceCode, onTheDay)
		want(t, "waiting", ci.Result, err, ops.Refused, ops.WhyCheckinWaitlisted)
		ci, err = ops.CheckInByCode(tx, w.staff, tr.AttendanceCode, onTheDay)
		want(t, "not registered", ci.Result, err, ops.Refused, ops.WhyNotSeated)

		ci, err = ops.CheckInByCode(tx, w.villager, tr.AttendanceCode, onTheDay)
		want(t, "check-in", ci.Result, err, ops.Done, "")
		ci, err = ops.CheckInByCode(tx, w.villager, tr.AttendanceCode, onTheDay.Add(time.Minute))
		want(t, "second check-in", ci.Result, err, ops.AlreadyDone, "")
		if !ci.Registration.AttendedAt.Equal(onTheDay) {
			t.Errorf("attended at %v, want the first check-in", ci.Registration.AttendedAt)
		}
		a, err = ops.MarkAttendance(tx, w.staff, tr.ID, w.villager.UserID, true, onTheDay)
		want(t, "mark who checked in", a.Result, err, ops.AlreadyDone, "")
		a, err = ops.MarkAttendance(tx, w.staff, tr.ID, w.villager.UserID, false, onTheDay)
		want(t, "unmark", a.Result, err, ops.Done, "")
		a, err = ops.MarkAttendance(tx, w.staff, tr.ID, w.villager.UserID, true, onTheDay.Add(time.Minute))
		want(t, "mark", a.Result, err, ops.Done, "")
		if a.Registration.MarkedBy != w.staff.UserID {
			t.Errorf("marked by %d", a.Registration.MarkedBy)
		}
		ci, err = ops.CheckInByCode(tx, w.villager, tr.AttendanceCode, tr.EndsAt.Add(ops.CheckinLate+time.Minute))
		want(t, "too late", ci.Result, err, ops.Refused, ops.WhyCheckinLate)

		v, err := ops.Session(tx, w.staff, tr.ID)
		want(t, "staff's view", v.Result, err, ops.Done, "")
		if len(v.Seated) != 1 || len(v.Waiting) != 1 || v.Attended != 1 || v.Waiting[0].Position != 1 {
			t.Errorf("view: %+v", v)
		}
		v, err = ops.Session(tx, w.vol, tr.ID)
		want(t, "volunteer's view", v.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
	})
	subject := fmt.Sprintf("training:%d", tr.ID)
	if got := w.audit("training_checkin"); len(got) != 1 || got[0] != w.villager.AuditName()+" "+subject+" " {
		t.Errorf("audit of check-ins: %q", got)
	}
	person := " " + subject + " " + w.villager.AuditName()
	if got := w.audit("training_attendance_unmark"); len(got) != 1 || got[0] != w.staff.AuditName()+person {
		t.Errorf("audit of unmarks: %q", got)
	}
	if got := w.audit("training_attendance_mark"); len(got) != 1 || got[0] != w.staff.AuditName()+person {
		t.Errorf("audit of marks: %q", got)
	}
}

func TestCancelRegistrationGivesTheSeatOn(t *testing.T) {
	w := newWorld(t, false)
	tr := w.create("Pelatihan Usaha Kecil", 1)
	w.do(func(tx *store.Tx) {
		w.register(tx, tr.ID, w.villager.UserID)
		w.register(tx, tr.ID, w.reporter)
		w.register(tx, tr.ID, w.vol.UserID)
	})
	w.do(func(tx *store.Tx) {
		ch, err := ops.CancelRegistration(tx, w.vol, tr.ID, w.villager.UserID, w.local())
		want(t, "someone else's", ch.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		ch, err = ops.CancelRegistration(tx, w.otherVol, tr.ID, w.otherVol.UserID, w.local())
		want(t, "never registered", ch.Result, err, ops.NotFound, ops.WhyNotSeated)
		ch, err = ops.CancelRegistration(tx, w.villager, tr.ID, w.villager.UserID, tr.StartsAt)
		want(t, "started", ch.Result, err, ops.Refused, ops.WhyTrainingClosed)

		ch, err = ops.CancelRegistration(tx, w.villager, tr.ID, w.villager.UserID, w.later().In(wib(t)))
		want(t, "own", ch.Result, err, ops.Done, "")
		if len(ch.Promoted) != 1 || ch.Promoted[0].UserID != w.reporter || len(ch.Messages) != 1 ||
			len(to(ch.Result, w.reporter)) != 1 {
			t.Errorf("promoted %+v, messages %+v", ch.Promoted, ch.Messages)
		}
		ch, err = ops.CancelRegistration(tx, w.villager, tr.ID, w.villager.UserID, w.later().In(wib(t)))
		want(t, "second click", ch.Result, err, ops.AlreadyDone, "")
		ch, err = ops.CancelRegistration(tx, w.staff, tr.ID, w.vol.UserID, w.later().In(wib(t)))
		want(t, "staff for someone", ch.Result, err, ops.Done, "")
	})
	got := w.audit("registration_cancel")
	subject := fmt.Sprintf(" training:%d ", tr.ID)
	if len(got) != 2 || got[0] != w.villager.AuditName()+subject+w.villager.AuditName() ||
		got[1] != w.staff.AuditName()+subject+w.vol.AuditName() {
		t.Errorf("audit: %q", got)
	}
}

// An export of a session is asked for, to be made (and audited) after the
// commit: the operation writes no file.
func TestExportRegistrations(t *testing.T) {
	w := newWorld(t, false)
	tr := w.create("Pelatihan Usaha Kecil", 1)
	dir := t.TempDir()
	w.do(func(tx *store.Tx) {
		w.register(tx, tr.ID, w.villager.UserID)
		w.register(tx, tr.ID, w.reporter)
		ex, err := ops.ExportRegistrations(tx, w.villager, tr.ID, dir, w.local())
		want(t, "villager", ex.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		ex, err = ops.ExportRegistrations(tx, w.staff, tr.ID, "", w.local())
		want(t, "no data folder", ex.Result, err, ops.Refused, ops.WhyNoExports)
		ex, err = ops.ExportRegistrations(tx, w.staff, tr.ID, dir, w.local())
		want(t, "staff", ex.Result, err, ops.Done, "")
		if ex.Rows != 2 || ex.Name != fmt.Sprintf("pelatihan-%d-20261124-100000.csv", tr.ID) || ex.File == nil ||
			ex.File.Kind != exportdata.FileTrainingList || ex.File.Args[exportdata.ArgTraining] != strconv.FormatInt(tr.ID, 10) ||
			ex.File.Args[exportdata.ArgActor] != w.staff.AuditName() {
			t.Errorf("export %+v %+v", ex, ex.File)
		}
	})
	if files, _ := os.ReadDir(filepath.Join(dir, "exports")); len(files) != 0 {
		t.Errorf("the operation wrote %d files", len(files))
	}
}

func TestPromotedAreTold(t *testing.T) {
	w := newWorld(t, false)
	tr := w.create("Pelatihan Usaha Kecil", 1)
	var promoted []store.Registration
	w.do(func(tx *store.Tx) {
		w.register(tx, tr.ID, w.villager.UserID)
		w.register(tx, tr.ID, w.reporter)
		var err error
		if promoted, err = tx.CancelRegistration(tr.ID, w.villager.UserID, w.local()); err != nil {
			t.Fatal(err)
		}
		res, err := ops.Promoted(tx, promoted, w.local())
		if err != nil || len(res.Messages) != 1 || len(to(res, w.reporter)) != 1 {
			t.Errorf("promoted told: %+v, %v", res.Messages, err)
		}
		planned, err := tx.UserTrainingReminders(w.reporter)
		if err != nil || len(planned) == 0 {
			t.Errorf("no reminders planned for the promoted: %+v %v", planned, err)
		}
	})
}
