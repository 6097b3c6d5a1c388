package schedule

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"klabot/bot"
	"klabot/flows/recurrence"
	"klabot/store"
)

var wib = mustZone("Asia/Pontianak")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a WIB time in November/December 2026 (24 November is a Tuesday).
func at(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, wib)
}

const staffContact = "telegram:900"

// env is a database with a scheduler on it, and helpers to make people,
// trainings and reports and to read what was queued.
type env struct {
	t     *testing.T
	db    *store.DB
	s     *Scheduler
	woken int
	mu    sync.Mutex
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, db: db}
	e.s = New(db, Config{Location: wib, Staff: map[string]bool{staffContact: true}, Wake: func() {
		e.mu.Lock()
		e.woken++
		e.mu.Unlock()
	}})
	return e
}

func (e *env) tx(fn func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.db.Tx(context.Background(), fn); err != nil {
		e.t.Fatal(err)
	}
}

// person makes someone who agreed to the data notice, writing from the
// console address name.
func (e *env) person(name, role string) store.User {
	e.t.Helper()
	var u store.User
	e.tx(func(tx *store.Tx) error {
		var err error
		u, _, err = tx.UserByContact(store.Contact{Channel: "console", Address: name}, "id", at(11, 1, 9, 0))
		if err != nil {
			return err
		}
		u.Name, u.Role, u.ConsentAt = name, role, at(11, 1, 9, 0)
		return tx.SaveUser(u)
	})
	return u
}

func (e *env) optOut(u store.User) {
	e.t.Helper()
	e.tx(func(tx *store.Tx) error {
		u.OptedOutAt = at(11, 2, 9, 0)
		return tx.SaveUser(u)
	})
}

// volunteer makes a person a Satgas PA volunteer of a kecamatan.
func (e *env) volunteer(u store.User, kec string) {
	e.t.Helper()
	e.tx(func(tx *store.Tx) error {
		inv, err := tx.CreateInvite(store.RoleSatgas, kec, u.ID, rand.Reader, at(11, 1, 9, 0), 24*time.Hour)
		if err != nil {
			return err
		}
		_, err = tx.RedeemInvite(inv.Code, u.ID, at(11, 1, 10, 0))
		return err
	})
}

func (e *env) training(title string, start time.Time) store.Training {
	e.t.Helper()
	var t store.Training
	e.tx(func(tx *store.Tx) error {
		var err error
		t, err = tx.CreateTraining(store.Training{Program: "wikapa", Title: title, KecCode: "61.07.04", Place: "Aula Camat",
			StartsAt: start, EndsAt: start.Add(3 * time.Hour), Capacity: 10, AttendanceCode: "K" + title[:1] + "2345"}, at(11, 1, 9, 0))
		return err
	})
	return t
}

// register registers a person and plans their reminders, as the training
// flow does.
func (e *env) register(t store.Training, u store.User, desa string, now time.Time) {
	e.t.Helper()
	e.tx(func(tx *store.Tx) error {
		if _, err := tx.Register(store.Registration{TrainingID: t.ID, UserID: u.ID, FullName: u.Name, Age: 30, DesaCode: desa}, now); err != nil {
			return err
		}
		return tx.SyncTrainingReminders(t.ID, wib, now)
	})
}

func (e *env) tick(now time.Time) {
	e.t.Helper()
	if err := e.s.Tick(context.Background(), now); err != nil {
		e.t.Fatal(err)
	}
}

// sent is what was queued for an address so far, oldest first.
func (e *env) sent(channel, address string) []bot.Outbound {
	e.t.Helper()
	rows, err := e.db.PendingOutbox(context.Background(), channel, 10000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []bot.Outbound
	for _, r := range rows {
		if r.Address != address {
			continue
		}
		raw, err := e.db.OutboxPayload(context.Background(), r.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		var m bot.Outbound
		if err := json.Unmarshal(raw, &m); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func (e *env) to(u store.User) []bot.Outbound { return e.sent("console", u.Name) }
func (e *env) toStaff() []bot.Outbound        { return e.sent("telegram", "900") }

func (e *env) expect(what string, got []bot.Outbound, n int, contains ...string) {
	e.t.Helper()
	if len(got) != n {
		e.t.Fatalf("%s: %d messages, want %d: %+v", what, len(got), n, got)
	}
	if n == 0 {
		return
	}
	last := got[n-1].Text
	for _, s := range contains {
		if !strings.Contains(last, s) {
			e.t.Errorf("%s: last message lacks %q:\n%s", what, s, last)
		}
	}
}

// Training reminders go at 07:00 WIB the day before and two hours before
// the start, not a minute earlier, with what, when and where.
func TestTrainingRemindersAtTheRightTimes(t *testing.T) {
	e := newEnv(t)
	ani := e.person("ani", "warga")
	tr := e.training("Usaha Kue", at(11, 26, 9, 0)) // Thursday 09:00 WIB
	e.register(tr, ani, "61.07.04.1010", at(11, 24, 10, 0))

	e.tick(at(11, 25, 6, 59))
	e.expect("day before, 06:59", e.to(ani), 0)
	e.tick(at(11, 25, 7, 0))
	e.expect("day before, 07:00", e.to(ani), 1, "besok", "Usaha Kue", "Kamis, 26 November 2026, 09.00-12.00 WIB", "Aula Camat")
	if e.woken != 1 {
		t.Errorf("senders woken %d times, want once", e.woken)
	}
	e.tick(at(11, 25, 7, 1))
	e.tick(at(11, 26, 6, 59))
	e.expect("until 2 hours before", e.to(ani), 1)
	e.tick(at(11, 26, 7, 0))
	e.expect("2 hours before", e.to(ani), 2, "hari ini pukul 09.00", "Usaha Kue")
	e.tick(at(11, 26, 9, 30))
	e.expect("after the start", e.to(ani), 2)

	// UTC is what is stored; the instants are WIB.
	var rems []store.TrainingReminder
	e.tx(func(tx *store.Tx) error {
		var err error
		rems, err = tx.UserTrainingReminders(ani.ID)
		return err
	})
	if len(rems) != 0 {
		t.Errorf("reminders still pending: %+v", rems)
	}
	dayBefore, twoHours := store.TrainingReminderTimes(tr.StartsAt, wib)
	if !dayBefore.Equal(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)) || !twoHours.Equal(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("reminder times %v and %v", dayBefore.UTC(), twoHours.UTC())
	}
}

// A moved session moves its reminders (and a reminder already sent is sent
// again for the new date); a cancelled registration or session sends none.
func TestTrainingMovedOrCancelled(t *testing.T) {
	e := newEnv(t)
	ani, budi, citra := e.person("ani", "warga"), e.person("budi", "warga"), e.person("citra", "warga")
	tr := e.training("Usaha Kue", at(11, 26, 9, 0))
	other := e.training("Bootcamp", at(11, 26, 13, 0))
	e.register(tr, ani, "", at(11, 24, 10, 0))
	e.register(tr, budi, "", at(11, 24, 10, 0))
	e.register(other, citra, "", at(11, 24, 10, 0))

	e.tick(at(11, 25, 7, 0))
	e.expect("ani, day before", e.to(ani), 1, "besok")

	// Staff move the session to Monday 30 November 14:00; budi cancels;
	// the other session is cancelled.
	e.tx(func(tx *store.Tx) error {
		moved := tr
		moved.StartsAt, moved.EndsAt = at(11, 30, 14, 0), at(11, 30, 16, 0)
		if _, err := tx.UpdateTraining(moved, at(11, 25, 8, 0)); err != nil {
			return err
		}
		if _, err := tx.CancelRegistration(tr.ID, budi.ID, at(11, 25, 8, 0)); err != nil {
			return err
		}
		if err := tx.CancelTraining(other.ID, at(11, 25, 8, 0)); err != nil {
			return err
		}
		for _, id := range []int64{tr.ID, other.ID} {
			if err := tx.SyncTrainingReminders(id, wib, at(11, 25, 8, 0)); err != nil {
				return err
			}
		}
		return nil
	})
	for _, now := range []time.Time{at(11, 26, 7, 0), at(11, 26, 11, 0), at(11, 29, 6, 59)} {
		e.tick(now)
	}
	e.expect("ani, before the new day", e.to(ani), 1)
	e.expect("budi, cancelled", e.to(budi), 1, "besok")  // only the one before he cancelled
	e.expect("citra, session cancelled", e.to(citra), 1) // only the one before it was cancelled
	e.tick(at(11, 29, 7, 0))
	e.expect("ani, new day before", e.to(ani), 2, "besok", "Senin, 30 November 2026, 14.00-16.00 WIB")
	e.tick(at(11, 30, 11, 59))
	e.expect("ani, new 2 hours before, not yet", e.to(ani), 2)
	e.tick(at(11, 30, 12, 0))
	e.expect("ani, new 2 hours before", e.to(ani), 3, "hari ini pukul 14.00")
	e.expect("budi, after all", e.to(budi), 1)
	e.expect("citra, after all", e.to(citra), 1)
}

// Bot down: a reminder due while it was down goes once at start if still
// useful; one whose training already started is marked missed; of two due
// at once only the latest goes.
func TestTrainingReminderCatchUp(t *testing.T) {
	e := newEnv(t)
	ani, budi := e.person("ani", "warga"), e.person("budi", "warga")
	soon := e.training("Usaha Kue", at(11, 26, 13, 0))
	early := e.training("Bootcamp", at(11, 26, 8, 0))
	e.register(soon, ani, "", at(11, 24, 10, 0))
	e.register(early, budi, "", at(11, 24, 10, 0))

	// Down from 24 November 12:00 until 26 November 10:00: ani's day-before
	// reminder fell due (her training is at 13:00, still to come); budi's
	// training started at 08:00, so both of his are too late.
	start := at(11, 26, 10, 0)
	e.s.cfg.Now = func() time.Time { return start }
	e.s.startUp(context.Background(), e.s.jobs[:1])
	e.expect("ani, caught up", e.to(ani), 1, "hari ini pukul 13.00")
	e.expect("budi, too late", e.to(budi), 0)
	e.tick(start.Add(time.Minute))
	e.expect("ani, once", e.to(ani), 1)
	e.tick(at(11, 26, 11, 0))
	e.expect("ani, 2 hours before", e.to(ani), 2, "hari ini pukul 13.00")

	var states []string
	e.tx(func(tx *store.Tx) error {
		rows, err := tx.DueTrainingReminders(at(12, 31, 0, 0))
		for _, r := range rows {
			states = append(states, r.State)
		}
		return err
	})
	if len(states) != 0 {
		t.Errorf("still pending: %v", states)
	}
}

// Training reminders wait for the end of the quiet hours, while still
// useful; someone who said berhenti gets none.
func TestTrainingReminderQuietHoursAndOptOut(t *testing.T) {
	e := newEnv(t)
	ani, budi := e.person("ani", "warga"), e.person("budi", "warga")
	e.optOut(budi)
	tr := e.training("Senam Pagi", at(11, 26, 7, 30)) // two hours before: 05:30
	e.register(tr, ani, "", at(11, 24, 10, 0))
	e.register(tr, budi, "", at(11, 24, 10, 0))

	e.tick(at(11, 25, 7, 0))
	e.expect("ani, day before", e.to(ani), 1, "besok")
	e.tick(at(11, 26, 5, 30))
	e.tick(at(11, 26, 5, 59))
	e.expect("ani, quiet hours", e.to(ani), 1)
	e.tick(at(11, 26, 6, 0))
	e.expect("ani, 06:00", e.to(ani), 2, "hari ini pukul 07.30")
	e.expect("budi, opted out", e.to(budi), 0)
}

// A recurring staff reminder fires at its times, only for its audience:
// the role and kecamatan asked for, people who agreed, not those who said
// berhenti or stopped this one.
func TestRecurringReminderAudience(t *testing.T) {
	e := newEnv(t)
	volLedo := e.person("vol_ledo", "warga") // invited volunteer of Ledo
	e.volunteer(volLedo, "61.07.06")
	volElse := e.person("vol_else", "satgas") // invited elsewhere
	e.volunteer(volElse, "61.07.04")
	saidSatgas := e.person("said_satgas", "satgas") // says so, place unknown
	traineeLedo := e.person("trainee_ledo", "warga")
	forum := e.person("forum", "forum_anak")
	warga := e.person("warga", "warga")
	stopped := e.person("stopped", "satgas")
	e.optOut(stopped)
	var noConsent store.User
	e.tx(func(tx *store.Tx) error {
		var err error
		noConsent, _, err = tx.UserByContact(store.Contact{Channel: "console", Address: "noconsent"}, "id", at(11, 1, 9, 0))
		noConsent.Name, noConsent.Role = "noconsent", "satgas"
		if err == nil {
			err = tx.SaveUser(noConsent)
		}
		return err
	})
	tr := e.training("Usaha Kue", at(12, 10, 9, 0))
	e.register(tr, traineeLedo, "61.07.06.2001", at(11, 24, 9, 0))

	var satgasLedo, satgasAll, trainees, all store.RecurringReminder
	e.tx(func(tx *store.Tx) error {
		var err error
		mk := func(spec, aud, kec, msg string) store.RecurringReminder {
			if err != nil {
				return store.RecurringReminder{}
			}
			var r store.RecurringReminder
			r, err = createRecurring(tx, store.RecurringReminder{Spec: spec, Audience: aud, KecCode: kec, Message: msg}, at(11, 24, 9, 0))
			return r
		}
		satgasLedo = mk("0 8 * * 1", store.AudienceSatgas, "61.07.06", "Rapat Satgas Ledo")
		satgasAll = mk("0 9 * * 1", store.AudienceSatgas, "", "Rapat Satgas semua")
		trainees = mk("0 10 * * 1", store.AudienceTrainees, "61.07.06", "Peserta Ledo")
		all = mk("0 11 * * 1", store.AudienceAll, "", "Untuk semua")
		return err
	})
	if !satgasLedo.NextDueAt.Equal(at(11, 30, 8, 0)) {
		t.Fatalf("first due %v, want Monday 30 November 08:00 WIB", satgasLedo.NextDueAt.In(wib))
	}
	people := []store.User{volLedo, volElse, saidSatgas, traineeLedo, forum, warga, stopped, noConsent}
	got := func() map[string]int {
		out := map[string]int{}
		for _, p := range people {
			if n := len(e.to(p)); n > 0 {
				out[p.Name] = n
			}
		}
		return out
	}
	e.tick(at(11, 30, 7, 59))
	if g := got(); len(g) != 0 {
		t.Fatalf("before 08:00: %v", g)
	}
	e.tick(at(11, 30, 8, 0))
	e.tick(at(11, 30, 8, 1))
	want := map[string]int{"vol_ledo": 1}
	if g := got(); !equalCounts(g, want) {
		t.Errorf("satgas in Ledo: %v, want %v", g, want)
	}
	e.expect("vol_ledo", e.to(volLedo), 1, "Pengingat dari dinas", "Rapat Satgas Ledo", "Pengingat saya")
	e.tick(at(11, 30, 9, 0))
	want = map[string]int{"vol_ledo": 2, "vol_else": 1, "said_satgas": 1}
	if g := got(); !equalCounts(g, want) {
		t.Errorf("satgas everywhere: %v, want %v", g, want)
	}
	e.tick(at(11, 30, 10, 0))
	want["trainee_ledo"] = 1
	if g := got(); !equalCounts(g, want) {
		t.Errorf("trainees in Ledo: %v, want %v", g, want)
	}
	// warga stops "Untuk semua" in Pengingat saya.
	e.tx(func(tx *store.Tx) error { return tx.SetRecurringOptOut(all.ID, warga.ID, true, at(11, 30, 10, 30)) })
	e.tick(at(11, 30, 11, 0))
	want = map[string]int{"vol_ledo": 3, "vol_else": 2, "said_satgas": 2, "trainee_ledo": 2, "forum": 1}
	if g := got(); !equalCounts(g, want) {
		t.Errorf("everyone: %v, want %v", g, want)
	}
	// Next week again, once.
	e.tx(func(tx *store.Tx) error {
		r, err := tx.RecurringReminder(satgasAll.ID)
		if err == nil && !r.NextDueAt.Equal(at(12, 7, 9, 0)) {
			t.Errorf("next due %v, want 7 December 09:00", r.NextDueAt.In(wib))
		}
		if err == nil && (r.SentCount != 1 || r.MissedCount != 0) {
			t.Errorf("sent %d missed %d", r.SentCount, r.MissedCount)
		}
		return err
	})
	_ = trainees
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// Bot down over a recurring reminder's time: the latest missed occurrence
// goes once if it is still the same day; older or too late ones are
// counted missed and not sent.
func TestRecurringReminderCatchUp(t *testing.T) {
	e := newEnv(t)
	ani := e.person("ani", "warga")
	var daily, weekly store.RecurringReminder
	e.tx(func(tx *store.Tx) error {
		var err error
		daily, err = createRecurring(tx, store.RecurringReminder{Spec: "0 8 * * *", Audience: store.AudienceAll, Message: "Harian"}, at(11, 22, 12, 0))
		if err != nil {
			return err
		}
		weekly, err = createRecurring(tx, store.RecurringReminder{Spec: "0 9 * * 1", Audience: store.AudienceAll, Message: "Mingguan"}, at(11, 22, 12, 0))
		return err
	})
	// Last tick Monday 07:00; down until Tuesday 10:30: Monday's daily and
	// weekly occurrences passed, and Tuesday's daily one.
	e.tick(at(11, 23, 7, 0))
	e.s.cfg.Now = func() time.Time { return at(11, 24, 10, 30) }
	e.s.startUp(context.Background(), e.s.jobs[:1])
	msgs := e.to(ani)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "Harian") {
		t.Fatalf("after start: %+v, want one Harian", msgs)
	}
	e.tick(at(11, 24, 10, 31))
	e.expect("once", e.to(ani), 1)
	e.tx(func(tx *store.Tx) error {
		d, err := tx.RecurringReminder(daily.ID)
		if err != nil {
			return err
		}
		w, err := tx.RecurringReminder(weekly.ID)
		if err != nil {
			return err
		}
		if d.SentCount != 1 || d.MissedCount != 1 || !d.NextDueAt.Equal(at(11, 25, 8, 0)) {
			t.Errorf("daily: sent %d missed %d next %v", d.SentCount, d.MissedCount, d.NextDueAt.In(wib))
		}
		if w.SentCount != 0 || w.MissedCount != 1 || !w.NextDueAt.Equal(at(11, 30, 9, 0)) {
			t.Errorf("weekly: sent %d missed %d next %v", w.SentCount, w.MissedCount, w.NextDueAt.In(wib))
		}
		return nil
	})
}

// Reminders' messages are counted as they are queued and delivered, under
// the reminder, and the counts stay when retention removes the messages.
func TestReminderDeliveryCountsKept(t *testing.T) {
	e := newEnv(t)
	ani, budi := e.person("ani", "warga"), e.person("budi", "warga")
	var daily store.RecurringReminder
	e.tx(func(tx *store.Tx) error {
		var err error
		daily, err = createRecurring(tx, store.RecurringReminder{Spec: "0 8 * * *", Audience: store.AudienceAll, Message: "Harian"}, at(11, 22, 12, 0))
		return err
	})
	tr := e.training("Usaha Kue", at(11, 26, 9, 0))
	e.register(tr, ani, "61.07.04.1010", at(11, 24, 10, 0))
	e.tick(at(11, 25, 8, 0)) // the daily one at 08:00, after the training's day-before one at 07:00
	e.expect("ani", e.to(ani), 2, "Harian")
	e.expect("budi", e.to(budi), 1, "Harian")

	ctx := context.Background()
	pending, err := e.db.PendingOutbox(ctx, "console", 100)
	if err != nil {
		t.Fatal(err)
	}
	var ds []store.Delivery
	for i, m := range pending {
		ds = append(ds, store.Delivery{ID: m.ID, Sent: i > 0, Failed: i == 0, Error: "ditolak"})
	}
	if err := e.db.RecordDeliveries(ctx, ds, at(11, 25, 8, 1)); err != nil {
		t.Fatal(err)
	}
	counts := func() (recurring, training store.DeliveryCounts) {
		e.tx(func(tx *store.Tx) error {
			var err error
			if recurring, err = tx.DeliveryCountsOf(store.RecurringReminderSubject(daily.ID)); err == nil {
				training, err = tx.DeliveryCountsOf(store.TrainingReminderSubject(tr.ID))
			}
			return err
		})
		return
	}
	r, tc := counts()
	if r.Total != 2 || r.Sent+r.Failed != 2 || tc.Total != 1 || tc.Sent+tc.Failed != 1 || r.Failed+tc.Failed != 1 {
		t.Fatalf("counts: recurring %+v, training %+v; want 2 and 1 delivered, one of them failed", r, tc)
	}
	if _, err := e.db.ApplyRetention(ctx, at(11, 25, 8, 0).AddDate(0, 0, store.OutboxKeepDays+1), store.DefaultRetentionDays); err != nil {
		t.Fatal(err)
	}
	if _, sent, failed, _ := e.db.OutboxCounts(ctx, "console"); sent+failed != 0 {
		t.Errorf("retention kept %d reminder messages", sent+failed)
	}
	if r2, tc2 := counts(); r2 != r || tc2 != tc {
		t.Errorf("after retention: %+v %+v, want %+v %+v", r2, tc2, r, tc)
	}
}

// A recurring reminder that falls in the quiet hours goes at 06:00, once.
func TestRecurringReminderQuietHours(t *testing.T) {
	e := newEnv(t)
	ani := e.person("ani", "warga")
	e.tx(func(tx *store.Tx) error {
		_, err := createRecurring(tx, store.RecurringReminder{Spec: "30 22 * * *", Audience: store.AudienceAll, Message: "Malam"}, at(11, 24, 12, 0))
		return err
	})
	for _, now := range []time.Time{at(11, 24, 22, 30), at(11, 25, 2, 0), at(11, 25, 5, 59)} {
		e.tick(now)
	}
	e.expect("quiet hours", e.to(ani), 0)
	e.tick(at(11, 25, 6, 0))
	e.tick(at(11, 25, 6, 1))
	e.expect("06:00", e.to(ani), 1, "Malam")
}

// Two ticks at the same moment, even from two connections to the database
// (two processes), send each message once.
func TestConcurrentTicksSendOnce(t *testing.T) {
	e := newEnv(t)
	var people []store.User
	for _, name := range []string{"a1", "a2", "a3", "a4", "a5"} {
		people = append(people, e.person(name, "satgas"))
	}
	tr := e.training("Usaha Kue", at(11, 26, 9, 0))
	for _, p := range people {
		e.register(tr, p, "", at(11, 24, 9, 0))
	}
	e.tx(func(tx *store.Tx) error {
		_, err := createRecurring(tx, store.RecurringReminder{Spec: "0 7 * * *", Audience: store.AudienceSatgas, Message: "Pagi"}, at(11, 24, 9, 0))
		return err
	})
	other, err := store.Open(context.Background(), e.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	second := New(other, Config{Location: wib})

	now := at(11, 25, 7, 0)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		s := e.s
		if i%2 == 1 {
			s = second
		}
		wg.Add(1)
		go func() { defer wg.Done(); errs <- s.Tick(context.Background(), now) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range people {
		msgs := e.to(p)
		if len(msgs) != 2 { // the training's day-before reminder and "Pagi"
			t.Errorf("%s: %d messages, want 2", p.Name, len(msgs))
		}
	}
}

// Reports: still baru after two working days reminds staff once; an
// assigned report quiet for three days reminds the volunteer, after five
// staff; urgent ones do not wait for the end of the quiet hours.
func TestReportFollowUps(t *testing.T) {
	e := newEnv(t)
	reporter := e.person("pelapor", "warga")
	vol := e.person("relawan", "satgas")
	e.volunteer(vol, "61.07.06")
	var fri, assigned, urgent store.Report
	e.tx(func(tx *store.Tx) error {
		random := rand.Reader
		fri = store.Report{Category: "kekerasan", KecCode: "61.07.06", ReporterID: reporter.ID}
		if err := tx.CreateReport(&fri, random, at(11, 20, 15, 0)); err != nil { // a Friday
			return err
		}
		assigned = store.Report{Category: "penelantaran", KecCode: "61.07.06", ReporterID: reporter.ID}
		if err := tx.CreateReport(&assigned, random, at(11, 16, 9, 0)); err != nil {
			return err
		}
		if _, err := tx.ChangeReportStatus(assigned.ID, store.StatusAccepted, 0, store.RoleStaff, "", at(11, 16, 10, 0)); err != nil {
			return err
		}
		if err := tx.AssignReport(assigned.ID, vol.ID, 0, at(11, 20, 0, 30)); err != nil {
			return err
		}
		urgent = store.Report{Category: "kekerasan", Urgent: true, KecCode: "61.07.04", ReporterID: reporter.ID}
		return tx.CreateReport(&urgent, random, at(11, 20, 20, 0))
	})
	run := func(now time.Time) {
		t.Helper()
		if err := e.s.FollowUps(context.Background(), now); err != nil {
			t.Fatal(err)
		}
	}
	staffAbout := func(code string) int {
		n := 0
		for _, m := range e.toStaff() {
			if strings.Contains(m.Text, code) {
				n++
			}
		}
		return n
	}
	run(at(11, 23, 10, 0)) // Monday: assigned three days ago
	e.expect("volunteer after 3 days", e.to(vol), 1, assigned.Code, "3 hari")
	if got := e.to(vol)[0].Buttons; len(got) != 1 || got[0].Data != "/buka "+assigned.Code {
		t.Errorf("volunteer's button: %+v", got)
	}
	run(at(11, 24, 14, 59))
	if staffAbout(fri.Code) != 0 {
		t.Errorf("Friday 15:00 report: staff told before two working days")
	}
	// The urgent report of Friday 20:00 falls due Tuesday 20:00; at 22:00
	// (quiet hours) it still goes, the non-urgent ones wait.
	run(at(11, 24, 15, 0))
	if staffAbout(fri.Code) != 1 {
		t.Errorf("Friday report on Tuesday 15:00: %d staff messages, want 1", staffAbout(fri.Code))
	}
	run(at(11, 24, 22, 0))
	if staffAbout(urgent.Code) != 1 {
		t.Errorf("urgent report in quiet hours: %d staff messages, want 1", staffAbout(urgent.Code))
	}
	run(at(11, 25, 2, 0)) // assigned five days ago, but quiet hours
	if staffAbout(assigned.Code) != 0 {
		t.Errorf("escalation in quiet hours")
	}
	run(at(11, 25, 6, 0))
	run(at(11, 25, 6, 15))
	if staffAbout(assigned.Code) != 1 || staffAbout(fri.Code) != 1 || len(e.to(vol)) != 1 {
		t.Errorf("after 06:00: staff %d/%d, volunteer %d; want 1/1, 1", staffAbout(assigned.Code), staffAbout(fri.Code), len(e.to(vol)))
	}
	// The volunteer writes a note: a new quiet spell starts.
	e.tx(func(tx *store.Tx) error {
		return tx.AddReportEvent(store.ReportEvent{ReportID: assigned.ID, At: at(11, 25, 9, 0), ActorID: vol.ID,
			Role: store.RoleVolunteer, Kind: store.EventNote, Note: "dikunjungi"})
	})
	run(at(11, 27, 9, 0))
	e.expect("volunteer, 2 days after the note", e.to(vol), 1)
	run(at(11, 28, 9, 0))
	e.expect("volunteer, 3 days after the note", e.to(vol), 2, assigned.Code)
}

// The morning digest lists new, urgent and overdue reports and the day's
// trainings, once a day; a 07:00 missed while down is caught up the same
// day, not later than 12 hours.
func TestStaffDigest(t *testing.T) {
	e := newEnv(t)
	reporter := e.person("pelapor", "warga")
	ani := e.person("ani", "warga")
	var old, fresh store.Report
	e.tx(func(tx *store.Tx) error {
		random := rand.Reader
		old = store.Report{Category: "kekerasan", KecCode: "61.07.06", ReporterID: reporter.ID, Urgent: true}
		if err := tx.CreateReport(&old, random, at(11, 19, 9, 0)); err != nil {
			return err
		}
		fresh = store.Report{Category: "putus_sekolah", KecCode: "61.07.04", ReporterID: reporter.ID}
		return tx.CreateReport(&fresh, random, at(11, 24, 18, 0))
	})
	tr := e.training("Usaha Kue", at(11, 25, 13, 0))
	e.register(tr, ani, "", at(11, 24, 9, 0))
	e.training("Besok Saja", at(11, 26, 9, 0))

	digest := e.s.jobs[slices.IndexFunc(e.s.jobs, func(j *job) bool { return j.name == JobDigest })]
	// First start ever, Tuesday 20:00: nothing to catch up.
	e.s.cfg.Now = func() time.Time { return at(11, 24, 20, 0) }
	e.s.startUp(context.Background(), []*job{digest})
	e.expect("first start", e.toStaff(), 0)
	// Down over Wednesday 07:00, back at 09:00: caught up.
	e.s.cfg.Now = func() time.Time { return at(11, 25, 9, 0) }
	e.s.startUp(context.Background(), []*job{digest})
	e.expect("caught up", e.toStaff(), 1, "Ringkasan pagi, Rabu, 25 November 2026",
		"Laporan baru yang belum diterima: 2", "Laporan mendesak yang masih terbuka: 1",
		"Laporan yang terlambat ditangani: 1", old.Code+" Kekerasan", "(MENDESAK)",
		"Pelatihan hari ini: 1", "13.00 Usaha Kue", "(1 terdaftar)")
	if strings.Contains(e.toStaff()[0].Text, "Besok Saja") {
		t.Errorf("tomorrow's training in today's digest")
	}
	// Run again the same day (cron at 07:00 after a restart): not twice.
	if err := e.s.Digest(context.Background(), at(11, 25, 9, 5)); err != nil {
		t.Fatal(err)
	}
	e.expect("same day", e.toStaff(), 1)
	// Down from Wednesday until Thursday 19:30: too late for Thursday's.
	e.s.cfg.Now = func() time.Time { return at(11, 26, 19, 30) }
	e.s.startUp(context.Background(), []*job{digest})
	e.expect("too late", e.toStaff(), 1)
	// Friday 07:00 as cron runs it.
	e.s.run(context.Background(), digest, at(11, 27, 7, 0))
	e.expect("Friday", e.toStaff(), 2, "Jumat, 27 November 2026")
}

// Every: specs are checked (a TZ= prefix is refused, never a panic), names
// are unique, and nothing is added once the scheduler runs. Run stops
// cleanly when its context ends, waiting for a running job.
func TestEveryAndRun(t *testing.T) {
	e := newEnv(t)
	job := func(context.Context, time.Time) error { return nil }
	for _, spec := range []string{"TZ=Asia/Jakarta", "CRON_TZ=", "TZ=UTC 0 2 * * *", "not a spec", "61 * * * *", ""} {
		if err := e.s.Every("bad", spec, job); err == nil {
			t.Errorf("Every(%q): want an error", spec)
		}
	}
	if err := e.s.Every(JobDigest, "0 7 * * *", job); err == nil {
		t.Errorf("a second job named %s was accepted", JobDigest)
	}
	ran := make(chan time.Time, 1)
	if err := e.s.Every("backup", "0 2 * * *", func(ctx context.Context, now time.Time) error {
		ran <- now
		return nil
	}, AtStart()); err != nil {
		t.Fatal(err)
	}
	start := at(11, 24, 10, 0)
	e.s.cfg.Now = func() time.Time { return start }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.s.Run(ctx) }()
	if got := <-ran; !got.Equal(start) {
		t.Errorf("AtStart job ran for %v, want %v", got, start)
	}
	if err := e.s.Every("late", "@daily", job); err == nil {
		t.Errorf("Every after Run: want an error")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Cron reads the specs in the office's time zone (KLABOT_TIMEZONE): the
// staff digest's "0 7 * * *" is 07:00 WIB, not 07:00 of the machine's zone.
func TestCronRunsInOfficeTime(t *testing.T) {
	e := newEnv(t)
	if got := e.s.newCron().Location(); got != wib {
		t.Errorf("cron location %v, want %v", got, wib)
	}
}

// A panicking job is logged and does not stop the scheduler.
func TestJobPanicRecovered(t *testing.T) {
	e := newEnv(t)
	if err := e.s.Every("boom", "@hourly", func(context.Context, time.Time) error { panic("boom") }); err != nil {
		t.Fatal(err)
	}
	e.s.run(context.Background(), e.s.jobs[len(e.s.jobs)-1], at(11, 24, 10, 0)) // must not panic
}

// A job that panics in the middle of a write transaction leaves no
// transaction open: the next job and the next person's message can still
// write, well within their deadline.
func TestJobPanicInsideTransactionFreesWriter(t *testing.T) {
	e := newEnv(t)
	if err := e.s.Every("boom", "@hourly", func(ctx context.Context, now time.Time) error {
		return e.db.Tx(ctx, func(tx *store.Tx) error {
			if err := tx.RecordJobRun("boom", now); err != nil {
				return err
			}
			panic("boom")
		})
	}); err != nil {
		t.Fatal(err)
	}
	e.s.run(context.Background(), e.s.jobs[len(e.s.jobs)-1], at(11, 24, 10, 0))
	if last, err := e.db.LastJobRun("boom"); err != nil || !last.IsZero() {
		t.Errorf("the panicking job's write was kept: %v, %v", last, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.db.Tx(ctx, func(tx *store.Tx) error { return tx.RecordJobRun("after", at(11, 24, 10, 1)) }); err != nil {
		t.Fatalf("write after the panic: %v", err)
	}
	ani := e.person("ani", "warga")
	tr := e.training("Usaha Kue", at(11, 26, 9, 0))
	e.register(tr, ani, "61.07.04.1010", at(11, 24, 10, 0))
	if err := e.s.Tick(ctx, at(11, 25, 7, 0)); err != nil {
		t.Fatalf("tick after the panic: %v", err)
	}
	e.expect("reminder after the panic", e.to(ani), 1, "Usaha Kue")
}

func TestAddWorkingDays(t *testing.T) {
	for _, tc := range []struct{ from, want time.Time }{
		{at(11, 20, 15, 0), at(11, 24, 15, 0)}, // Friday 15:00 -> Tuesday 15:00
		{at(11, 21, 10, 0), at(11, 25, 0, 0)},  // Saturday -> Wednesday 00:00
		{at(11, 23, 9, 0), at(11, 25, 9, 0)},   // Monday -> Wednesday
		{at(11, 26, 23, 0), at(11, 30, 23, 0)}, // Thursday 23:00 -> Monday 23:00
	} {
		if got := addWorkingDays(tc.from, 2, wib); !got.Equal(tc.want) {
			t.Errorf("%v + 2 working days = %v, want %v", tc.from, got, tc.want)
		}
	}
}

// A volunteer whose access staff ended is no longer Satgas PA: the
// volunteers' reminders stop reaching them, and Pengingat saya no longer
// lists them.
func TestRecurringReminderLeavesOutRemovedVolunteer(t *testing.T) {
	e := newEnv(t)
	kept, removed := e.person("kept", "warga"), e.person("removed", "warga")
	e.volunteer(kept, "61.07.06")
	e.volunteer(removed, "61.07.06")
	e.tx(func(tx *store.Tx) error {
		for _, u := range []store.User{kept, removed} { // as redeeming the invite does
			u.Role = store.RoleSatgas
			if err := tx.SaveUser(u); err != nil {
				return err
			}
		}
		if _, err := tx.RemoveVolunteer(removed.ID, 0, at(11, 24, 9, 0)); err != nil {
			return err
		}
		_, err := createRecurring(tx, store.RecurringReminder{Spec: "0 8 * * *", Audience: store.AudienceSatgas, Message: "Rapat Satgas"}, at(11, 24, 9, 0))
		return err
	})
	e.tick(at(11, 25, 8, 0))
	e.expect("kept", e.to(kept), 1, "Rapat Satgas")
	e.expect("removed", e.to(removed), 0)
	e.tx(func(tx *store.Tx) error {
		mine, err := tx.RecurringRemindersFor(removed.ID, at(11, 25, 9, 0))
		if len(mine) != 0 {
			t.Errorf("Pengingat saya of the removed volunteer lists %d reminders", len(mine))
		}
		return err
	})
}

// createRecurring stores a recurring reminder as the staff flow does: the
// spec checked, its first run after now the first due time.
func createRecurring(tx *store.Tx, r store.RecurringReminder, now time.Time) (store.RecurringReminder, error) {
	spec, err := recurrence.ParseSpec(r.Spec)
	if err != nil {
		return r, err
	}
	r.Spec, r.NextDueAt = spec.Text, spec.Next(now, wib)
	return tx.CreateRecurringReminder(r, now)
}
