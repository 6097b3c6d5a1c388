package ops_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"klabot/flows/ops"
	"klabot/flows/wilayah"
	"klabot/store"
)

// world is a real database with one of each kind of person: staff, two
// volunteers (one the report is assigned to, one not), a villager, and a
// reporter with one report.
type world struct {
	t        *testing.T
	db       *store.DB
	now      time.Time
	kec      string
	staff    ops.Actor
	villager ops.Actor
	vol      ops.Actor // the report's volunteer, once assigned
	otherVol ops.Actor // a volunteer the report is not assigned to
	reporter int64
	code     string
}

func newWorld(t *testing.T, named bool) *world {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := &world{t: t, db: db, now: time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)}
	w.kec = wilayah.MatchKecamatan("sanggau ledo")[0].Code
	person := func(tx *store.Tx, address, name string) ops.Actor {
		u, _, err := tx.UserByContact(store.Contact{Channel: "console", Address: address}, "id", w.now)
		if err != nil {
			t.Fatal(err)
		}
		u.Name = name
		u.ConsentAt = w.now
		if err := tx.SaveUser(u); err != nil {
			t.Fatal(err)
		}
		return ops.Actor{UserID: u.ID}
	}
	w.do(func(tx *store.Tx) {
		w.staff = person(tx, "petugas", "Petugas")
		w.staff.Staff = true
		w.villager = person(tx, "warga", "Warga")
		w.vol = person(tx, "sari", "Sari")
		w.otherVol = person(tx, "eka", "Eka")
		w.reporter = person(tx, "rina-0812345", "Rina Wulandari").UserID
		for _, v := range []ops.Actor{w.vol, w.otherVol} {
			inv, err := ops.CreateInvite(tx, w.staff, w.kec, rand.Reader, w.now)
			if err != nil || inv.Outcome != ops.Done {
				t.Fatalf("invite: %v %v", inv.Outcome, err)
			}
			if j, err := ops.Join(tx, v, inv.Invite.Code, w.now); err != nil || j.Outcome != ops.Done {
				t.Fatalf("join: %v %v", j.Outcome, err)
			}
		}
		r := store.Report{Category: "kekerasan", KecCode: w.kec, Description: "Anak dipukul.", ChildrenCount: 1,
			Anonymous: !named, ReporterID: w.reporter, KLACluster: "V", KLAIndicator: "20"}
		if err := tx.CreateReport(&r, rand.Reader, w.now); err != nil {
			t.Fatal(err)
		}
		w.code = r.Code
	})
	return w
}

// do runs fn in a write transaction.
func (w *world) do(fn func(tx *store.Tx)) {
	w.t.Helper()
	if err := w.db.Tx(context.Background(), func(tx *store.Tx) error { fn(tx); return nil }); err != nil {
		w.t.Fatal(err)
	}
}

// later moves the clock on, so that audit rows and events are told apart.
func (w *world) later() time.Time { w.now = w.now.Add(time.Minute); return w.now }

// audit is the audit log's rows of action: "actor subject detail".
func (w *world) audit(action string) []string {
	w.t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+w.db.Path()+"?mode=ro")
	if err != nil {
		w.t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT actor || ' ' || subject || ' ' || detail FROM audit WHERE action = ? ORDER BY id`, action)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			w.t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func (w *world) report() store.Report {
	w.t.Helper()
	var r store.Report
	w.do(func(tx *store.Tx) {
		var err error
		if r, err = tx.ReportByCode(w.code); err != nil {
			w.t.Fatal(err)
		}
	})
	return r
}

// assign gives the report to w.vol, as staff.
func (w *world) assign() {
	w.t.Helper()
	w.do(func(tx *store.Tx) {
		if res, err := ops.Assign(tx, w.staff, w.code, w.vol.UserID, w.later()); err != nil || res.Outcome != ops.Done {
			w.t.Fatalf("assign: %v %v", res.Outcome, err)
		}
	})
}

// want checks an operation's outcome and reason.
func want(t *testing.T, what string, res ops.Result, err error, o ops.Outcome, why string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if res.Outcome != o || res.Why != why {
		t.Errorf("%s: %v %q, want %v %q", what, res.Outcome, res.Why, o, why)
	}
	if o != ops.Done && len(res.Messages) > 0 {
		t.Errorf("%s: %v with messages %+v", what, res.Outcome, res.Messages)
	}
}

// to finds the messages to a person (0: to staff).
func to(res ops.Result, userID int64) []string {
	var texts []string
	for _, m := range res.Messages {
		if m.UserID == userID && (userID != 0 || m.ToStaff) {
			texts = append(texts, m.Reply.Text)
		}
	}
	return texts
}

func TestAcceptIsForStaffOnceOnly(t *testing.T) {
	w := newWorld(t, false)
	w.do(func(tx *store.Tx) {
		ch, err := ops.Accept(tx, w.villager, w.code, w.now)
		want(t, "villager", ch.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		ch, err = ops.Accept(tx, w.vol, w.code, w.now)
		want(t, "volunteer", ch.Result, err, ops.NotAllowed, ops.WhyVolunteerCannot)
		ch, err = ops.Accept(tx, w.staff, "LPR-AAAA-AAAA", w.now)
		want(t, "unknown code", ch.Result, err, ops.NotFound, "")

		ch, err = ops.Accept(tx, w.staff, w.code, w.later())
		want(t, "staff", ch.Result, err, ops.Done, "")
		if ch.From != store.StatusNew || len(to(ch.Result, w.reporter)) != 1 || len(ch.Messages) != 1 {
			t.Errorf("accept: from %q, messages %+v; want the reporter told once", ch.From, ch.Messages)
		}
		ch, err = ops.Accept(tx, w.staff, w.code, w.later())
		want(t, "second click", ch.Result, err, ops.AlreadyDone, "")
	})
	if got := w.audit("report:status"); len(got) != 1 || got[0] != w.staff.AuditName()+" "+w.code+" baru -> diterima" {
		t.Errorf("audit: %q", got)
	}
	if r := w.report(); r.Status != store.StatusAccepted {
		t.Errorf("status %s", r.Status)
	}
}

func TestChangeStatusRights(t *testing.T) {
	w := newWorld(t, false)
	w.assign()
	w.do(func(tx *store.Tx) {
		ch, err := ops.ChangeStatus(tx, w.villager, w.code, store.StatusVerified, "", w.now)
		want(t, "villager", ch.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		ch, err = ops.ChangeStatus(tx, w.otherVol, w.code, store.StatusVerified, "", w.now)
		want(t, "volunteer not assigned", ch.Result, err, ops.NotFound, "")
		ch, err = ops.ChangeStatus(tx, w.vol, w.code, store.StatusDone, "", w.now)
		want(t, "volunteer closing", ch.Result, err, ops.NotAllowed, ops.WhyVolunteerCannot)

		ch, err = ops.ChangeStatus(tx, w.vol, w.code, store.StatusVerified, "sudah dicek", w.later())
		want(t, "assigned volunteer", ch.Result, err, ops.Done, "")
		if len(to(ch.Result, 0)) != 1 || len(to(ch.Result, w.reporter)) != 1 {
			t.Errorf("verify: staff and reporter must be told: %+v", ch.Messages)
		}
		ch, err = ops.ChangeStatus(tx, w.vol, w.code, store.StatusVerified, "sudah dicek", w.later())
		want(t, "second click", ch.Result, err, ops.AlreadyDone, "")

		ch, err = ops.ChangeStatus(tx, w.staff, w.code, store.StatusReferred, " ", w.later())
		want(t, "referral without note", ch.Result, err, ops.Refused, ops.WhyNoteReferral)
		ch, err = ops.ChangeStatus(tx, w.staff, w.code, store.StatusAccepted, "", w.later())
		want(t, "backwards", ch.Result, err, ops.Refused, ops.WhyCannotChange)
		if ch.From != store.StatusVerified {
			t.Errorf("refusal from %q", ch.From)
		}
		ch, err = ops.ChangeStatus(tx, w.staff, w.code, store.StatusDone, "", w.later())
		want(t, "staff closing", ch.Result, err, ops.Done, "")
		if len(to(ch.Result, 0)) != 0 {
			t.Errorf("staff were told of their own change: %+v", ch.Messages)
		}

		ch, err = ops.ChangeStatus(tx, w.staff, w.code, store.StatusAccepted, "", w.later())
		want(t, "reopening without reason", ch.Result, err, ops.Refused, ops.WhyNoteReopen)
		ch, err = ops.ChangeStatus(tx, w.staff, w.code, store.StatusAccepted, "ada kejadian baru", w.later())
		want(t, "reopening", ch.Result, err, ops.Done, "")
		if len(to(ch.Result, w.reporter)) != 1 || len(to(ch.Result, w.vol.UserID)) != 1 {
			t.Errorf("reopening: reporter and volunteer must be told: %+v", ch.Messages)
		}
	})
	got := w.audit("report:status")
	wantRows := []string{"baru -> diterima", "diterima -> diverifikasi", "diverifikasi -> selesai", "selesai -> diterima"}
	if len(got) != len(wantRows) || !strings.HasSuffix(got[1], wantRows[1]) || !strings.HasPrefix(got[1], w.vol.AuditName()) {
		t.Errorf("audit: %q, want %q", got, wantRows)
	}
}

func TestAssignAndReassign(t *testing.T) {
	w := newWorld(t, true)
	w.do(func(tx *store.Tx) {
		res, err := ops.Assign(tx, w.villager, w.code, w.vol.UserID, w.now)
		want(t, "villager", res, err, ops.NotAllowed, ops.WhyStaffOnly)
		res, err = ops.Assign(tx, w.vol, w.code, w.vol.UserID, w.now)
		want(t, "volunteer", res, err, ops.NotAllowed, ops.WhyVolunteerCannot)
		res, err = ops.Assign(tx, w.staff, w.code, w.villager.UserID, w.now)
		want(t, "not a volunteer", res, err, ops.Refused, ops.WhyNotVolunteer)

		res, err = ops.Assign(tx, w.staff, w.code, w.vol.UserID, w.later())
		want(t, "staff", res, err, ops.Done, "")
		card := to(res, w.vol.UserID)
		if len(card) != 1 || !strings.Contains(card[0], w.code) || strings.Contains(card[0], "Rina") {
			t.Errorf("volunteer's card: %q (must name the report, never the reporter)", card)
		}
		if len(to(res, w.reporter)) != 2 { // taken on, and assigned
			t.Errorf("reporter told %q", to(res, w.reporter))
		}
		res, err = ops.Assign(tx, w.staff, w.code, w.vol.UserID, w.later())
		want(t, "second click", res, err, ops.AlreadyDone, "")

		res, err = ops.Assign(tx, w.staff, w.code, w.otherVol.UserID, w.later())
		want(t, "reassign", res, err, ops.Done, "")
		if len(res.Messages) != 1 || len(to(res, w.otherVol.UserID)) != 1 {
			t.Errorf("reassign: only the new volunteer is told: %+v", res.Messages)
		}
		if _, err := ops.ChangeStatus(tx, w.staff, w.code, store.StatusRejected, "bukan kasus", w.later()); err != nil {
			t.Fatal(err)
		}
		res, err = ops.Assign(tx, w.staff, w.code, w.vol.UserID, w.later())
		want(t, "closed", res, err, ops.Refused, ops.WhyClosed)
	})
	got := w.audit("report:assign")
	if len(got) != 2 || got[0] != w.staff.AuditName()+" "+w.code+" volunteer "+w.vol.AuditName() {
		t.Errorf("audit: %q", got)
	}
	if got := w.audit("report:status"); len(got) != 2 || !strings.HasSuffix(got[0], "baru -> diterima") {
		t.Errorf("assigning a new report takes it on: %q", got)
	}
}

func TestAddNote(t *testing.T) {
	w := newWorld(t, false)
	w.assign()
	w.do(func(tx *store.Tx) {
		res, err := ops.AddNote(tx, w.villager, w.code, "catatan", w.now)
		want(t, "villager", res, err, ops.NotAllowed, ops.WhyStaffOnly)
		res, err = ops.AddNote(tx, w.otherVol, w.code, "catatan", w.now)
		want(t, "volunteer not assigned", res, err, ops.NotFound, "")
		res, err = ops.AddNote(tx, w.vol, w.code, "  ", w.now)
		want(t, "empty", res, err, ops.Refused, ops.WhyNoteEmpty)

		res, err = ops.AddNote(tx, w.vol, w.code, "keluarga ditemui", w.later())
		want(t, "assigned volunteer", res, err, ops.Done, "")
		if len(to(res, 0)) != 1 {
			t.Errorf("staff not told of the volunteer's note: %+v", res.Messages)
		}
		res, err = ops.AddNote(tx, w.vol, w.code, "keluarga ditemui", w.later())
		want(t, "second click", res, err, ops.AlreadyDone, "")
		res, err = ops.AddNote(tx, w.staff, w.code, strings.Repeat("x", ops.MaxNoteRunes+10), w.later())
		want(t, "too long", res, err, ops.Refused, ops.WhyNoteLong) // refused, not cut
		res, err = ops.AddNote(tx, w.staff, w.code, strings.Repeat("x", ops.MaxNoteRunes), w.later())
		want(t, "staff", res, err, ops.Done, "")
		if len(res.Messages) != 0 {
			t.Errorf("staff told of their own note: %+v", res.Messages)
		}
		r, _ := tx.ReportByCode(w.code)
		events, _ := tx.ReportEvents(r.ID)
		notes := 0
		for _, e := range events {
			if e.Kind == store.EventNote {
				notes++
				if len([]rune(e.Note)) > ops.MaxNoteRunes {
					t.Errorf("note of %d characters kept", len([]rune(e.Note)))
				}
			}
		}
		if notes != 2 {
			t.Errorf("%d notes, want 2", notes)
		}
	})
	if got := w.audit("report:note"); len(got) != 2 || got[0] != w.vol.AuditName()+" "+w.code+" volunteer" {
		t.Errorf("audit: %q", got)
	}
}

func TestViewReportAndList(t *testing.T) {
	w := newWorld(t, true)
	w.assign()
	w.do(func(tx *store.Tx) {
		v, err := ops.ViewReport(tx, w.villager, w.code, w.now)
		want(t, "villager", v.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		v, err = ops.ViewReport(tx, w.otherVol, w.code, w.now)
		want(t, "volunteer not assigned", v.Result, err, ops.NotFound, "")
		if v.Report.Code != "" {
			t.Errorf("hidden report shown: %+v", v.Report)
		}

		v, err = ops.ViewReport(tx, w.vol, w.code, w.later())
		want(t, "assigned volunteer", v.Result, err, ops.Done, "")
		if v.Named || v.Reporter.Name != "" || v.Role != store.RoleVolunteer || len(v.Events) == 0 ||
			v.Volunteer != "Sari (#"+strconv.FormatInt(w.vol.UserID, 10)+")" {
			t.Errorf("volunteer's view: %+v", v)
		}
		card, err := ops.Card(tx, v.Report, "id", ops.CardVolunteer, time.UTC)
		if err != nil || strings.Contains(card, "Rina") || !strings.Contains(card, w.code) {
			t.Errorf("volunteer's card %q, %v", card, err)
		}
		v, err = ops.ViewReport(tx, w.staff, w.code, w.later())
		want(t, "staff", v.Result, err, ops.Done, "")
		if !v.Named || v.Reporter.Name != "Rina Wulandari" || v.Reporter.Contact.Address != "rina-0812345" ||
			len(v.Statuses) == 0 {
			t.Errorf("staff's view of a named report: %+v", v)
		}

		l, err := ops.ListReports(tx, w.otherVol, store.ReportFilter{}, "", w.later())
		want(t, "volunteer's list", l.Result, err, ops.Done, "")
		if len(l.Reports) != 0 {
			t.Errorf("a volunteer lists another's report: %+v", l.Reports)
		}
		l, err = ops.ListReports(tx, w.vol, store.ReportFilter{}, "", w.later())
		if err != nil || len(l.Reports) != 1 {
			t.Errorf("the assigned volunteer's list: %+v, %v", l.Reports, err)
		}
		l, err = ops.ListReports(tx, w.villager, store.ReportFilter{}, "", w.later())
		want(t, "villager's list", l.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		l, err = ops.ListReports(tx, w.staff, store.ReportFilter{OpenOnly: true}, "mendesak", w.later())
		if err != nil || len(l.Reports) != 1 {
			t.Errorf("staff's list: %+v, %v", l.Reports, err)
		}
	})
	if got := w.audit("report:view"); len(got) != 2 || got[0] != w.vol.AuditName()+" "+w.code+" " {
		t.Errorf("audit, one row per view: %q", got)
	}
	if got := w.audit("report:list"); len(got) != 3 || got[2] != w.staff.AuditName()+" mendesak staff" {
		t.Errorf("audit of lists: %q", got)
	}
}

func TestEvidence(t *testing.T) {
	w := newWorld(t, false)
	w.assign()
	w.do(func(tx *store.Tx) {
		r, err := tx.ReportByCode(w.code)
		if err != nil {
			t.Fatal(err)
		}
		id := r.ID
		saved, err := tx.AddReportMedia(id, store.Media{Kind: "photo", Channel: "console", Ref: "a"}, w.reporter, w.now)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.MediaSaved(saved, "00", 3, "/data/media/a.jpg"); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.AddReportMedia(id, store.Media{Kind: "voice", Channel: "console", Ref: "b"}, w.reporter, w.now); err != nil {
			t.Fatal(err)
		}
		ev, err := ops.ListEvidence(tx, w.villager, w.code, w.now)
		want(t, "villager", ev.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		ev, err = ops.ListEvidence(tx, w.otherVol, w.code, w.now)
		want(t, "volunteer not assigned", ev.Result, err, ops.NotFound, "")
		f, err := ops.OpenEvidence(tx, w.otherVol, w.code, 1, w.now)
		want(t, "volunteer not assigned, a file", f.Result, err, ops.NotFound, "")

		ev, err = ops.ListEvidence(tx, w.vol, w.code, w.later())
		want(t, "assigned volunteer", ev.Result, err, ops.Done, "")
		if len(ev.Media) != 2 || !ops.HasSavedEvidence(ev.Media) {
			t.Errorf("evidence: %+v", ev.Media)
		}
		f, err = ops.OpenEvidence(tx, w.staff, w.code, 1, w.later())
		want(t, "staff, a saved file", f.Result, err, ops.Done, "")
		if f.Media.Path != "/data/media/a.jpg" || f.Name != w.code+"-1.jpg" {
			t.Errorf("file %+v named %q", f.Media, f.Name)
		}
		f, err = ops.OpenEvidence(tx, w.staff, w.code, 2, w.later())
		want(t, "a file not saved yet", f.Result, err, ops.NotFound, "")
		f, err = ops.OpenEvidence(tx, w.staff, w.code, 3, w.later())
		want(t, "no such file", f.Result, err, ops.NotFound, "")
	})
	if got := w.audit("report:media_open"); len(got) != 1 || got[0] != w.staff.AuditName()+" "+w.code+" 1" {
		t.Errorf("audit of files opened: %q", got)
	}
	if got := w.audit("report:media_view"); len(got) != 1 || !strings.HasPrefix(got[0], w.vol.AuditName()) {
		t.Errorf("audit of evidence lists: %q", got)
	}
}

func TestInviteAndJoin(t *testing.T) {
	w := newWorld(t, false)
	w.do(func(tx *store.Tx) {
		inv, err := ops.CreateInvite(tx, w.villager, w.kec, rand.Reader, w.now)
		want(t, "villager", inv.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		inv, err = ops.CreateInvite(tx, w.vol, w.kec, rand.Reader, w.now)
		want(t, "volunteer", inv.Result, err, ops.NotAllowed, ops.WhyVolunteerCannot)
		inv, err = ops.CreateInvite(tx, w.staff, "99.99", rand.Reader, w.now)
		want(t, "unknown kecamatan", inv.Result, err, ops.NotFound, "")

		inv, err = ops.CreateInvite(tx, w.staff, w.kec, rand.Reader, w.later())
		want(t, "staff", inv.Result, err, ops.Done, "")
		if !inv.Invite.ExpiresAt.Equal(w.now.Add(ops.InviteTTL)) {
			t.Errorf("invite expires %v", inv.Invite.ExpiresAt)
		}
		j, err := ops.Join(tx, w.villager, "UND-0000-0000", w.now)
		want(t, "unknown code", j.Result, err, ops.Refused, ops.WhyInviteUnknown)
		j, err = ops.Join(tx, w.villager, "halo", w.now)
		want(t, "not a code", j.Result, err, ops.Refused, ops.WhyInviteUnknown)

		j, err = ops.Join(tx, w.villager, strings.ToLower(inv.Invite.Code), w.later())
		want(t, "join", j.Result, err, ops.Done, "")
		if j.KecName != "Sanggau Ledo" || len(to(j.Result, 0)) != 1 {
			t.Errorf("join: %q, messages %+v", j.KecName, j.Messages)
		}
		if u, _ := tx.User(w.villager.UserID); u.Role != store.RoleSatgas {
			t.Errorf("role %q", u.Role)
		}
		j, err = ops.Join(tx, w.villager, inv.Invite.Code, w.later())
		want(t, "second click", j.Result, err, ops.AlreadyDone, "")
		j, err = ops.Join(tx, ops.Actor{UserID: w.reporter}, inv.Invite.Code, w.later())
		want(t, "someone else's code", j.Result, err, ops.Refused, ops.WhyInviteUsed)

		old, err := ops.CreateInvite(tx, w.staff, w.kec, rand.Reader, w.now)
		if err != nil {
			t.Fatal(err)
		}
		j, err = ops.Join(tx, ops.Actor{UserID: w.reporter}, old.Invite.Code, w.now.Add(ops.InviteTTL))
		want(t, "expired", j.Result, err, ops.Refused, ops.WhyInviteExpired)
	})
	// Two invites and joins in newWorld, two here.
	if got := w.audit("invite:create"); len(got) != 4 || got[2] != w.staff.AuditName()+" "+w.kec+" " {
		t.Errorf("audit of invites: %q", got)
	}
	if got := w.audit("invite:redeem"); len(got) != 3 || got[2] != w.villager.AuditName()+" "+w.kec+" " {
		t.Errorf("audit of joins: %q", got)
	}
}

func TestEndVolunteer(t *testing.T) {
	w := newWorld(t, false)
	w.assign()
	w.do(func(tx *store.Tx) {
		e, err := ops.EndVolunteer(tx, w.villager, w.vol.UserID, w.now)
		want(t, "villager", e.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		e, err = ops.EndVolunteer(tx, w.otherVol, w.vol.UserID, w.now)
		want(t, "volunteer", e.Result, err, ops.NotAllowed, ops.WhyVolunteerCannot)
		e, err = ops.EndVolunteer(tx, w.staff, w.villager.UserID, w.now)
		want(t, "never a volunteer", e.Result, err, ops.NotFound, ops.WhyNotVolunteer)

		e, err = ops.EndVolunteer(tx, w.staff, w.vol.UserID, w.later())
		want(t, "staff", e.Result, err, ops.Done, "")
		if len(e.Unassigned) != 1 || e.Unassigned[0].Code != w.code || len(to(e.Result, w.vol.UserID)) != 1 {
			t.Errorf("ending: %+v", e)
		}
		e, err = ops.EndVolunteer(tx, w.staff, w.vol.UserID, w.later())
		want(t, "second click", e.Result, err, ops.AlreadyDone, "")

		v, err := ops.ViewReport(tx, w.vol, w.code, w.later())
		want(t, "a former volunteer's view", v.Result, err, ops.NotAllowed, ops.WhyStaffOnly)
		l, err := ops.Volunteers(tx, w.staff)
		want(t, "staff's list of volunteers", l.Result, err, ops.Done, "")
		if len(l.Volunteers) != 1 || l.Volunteers[0].UserID != w.otherVol.UserID || l.Volunteers[0].InvitedBy == "" {
			t.Errorf("volunteers: %+v", l.Volunteers)
		}
		l, err = ops.Volunteers(tx, w.otherVol)
		want(t, "a volunteer's list of volunteers", l.Result, err, ops.NotAllowed, ops.WhyVolunteerCannot)
		_, res, err := ops.Volunteer(tx, w.staff, w.vol.UserID)
		want(t, "a former volunteer", res, err, ops.NotFound, ops.WhyNotVolunteer)
	})
	if got := w.audit("volunteer:remove"); len(got) != 1 || got[0] != w.staff.AuditName()+" "+w.vol.AuditName()+" "+w.code {
		t.Errorf("audit: %q", got)
	}
	if r := w.report(); r.AssignedTo != 0 {
		t.Errorf("report still assigned to %d", r.AssignedTo)
	}
}

func TestAssignChoices(t *testing.T) {
	w := newWorld(t, false)
	w.do(func(tx *store.Tx) {
		ch, err := ops.AssignChoices(tx, w.vol, w.code)
		want(t, "volunteer", ch.Result, err, ops.NotAllowed, ops.WhyVolunteerCannot)
		ch, err = ops.AssignChoices(tx, w.staff, w.code)
		want(t, "staff", ch.Result, err, ops.Done, "")
		if !ch.InKec || len(ch.Volunteers) != 2 {
			t.Errorf("choices: %+v", ch)
		}
	})
}
