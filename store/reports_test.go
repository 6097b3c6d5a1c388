package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"klabot/store"
)

var codeForm = regexp.MustCompile(`^LPR-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)

func TestReportCodesAreReadableAndUseFortyBits(t *testing.T) {
	src := rand.NewChaCha8([32]byte{1})
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		code, err := store.NewReportCode(src)
		if err != nil {
			t.Fatal(err)
		}
		if !codeForm.MatchString(code) {
			t.Fatalf("code %q is not LPR-XXXX-XXXX in Crockford base32", code)
		}
		if seen[code] {
			t.Fatalf("code %q repeated after %d codes", code, i)
		}
		seen[code] = true
	}
	// Every bit of the 40 reaches the code: all-zero and all-one bytes
	// give the first and last code.
	if c, _ := store.NewReportCode(bytes.NewReader(make([]byte, 5))); c != "LPR-0000-0000" {
		t.Errorf("zero bits gave %s", c)
	}
	if c, _ := store.NewReportCode(bytes.NewReader(bytes.Repeat([]byte{0xff}, 5))); c != "LPR-ZZZZ-ZZZZ" {
		t.Errorf("all bits gave %s", c)
	}
	if _, err := store.NewReportCode(bytes.NewReader([]byte{1, 2})); err == nil {
		t.Error("a short random source must be an error, not a weak code")
	}
}

func TestParseReportCodeForgives(t *testing.T) {
	for in, want := range map[string]string{
		"LPR-AB12-CD34":   "LPR-AB12-CD34",
		"lpr-ab12-cd34":   "LPR-AB12-CD34",
		"LPRAB12CD34":     "LPR-AB12-CD34",
		"ab12cd34":        "LPR-AB12-CD34",
		"AB12 CD34":       "LPR-AB12-CD34",
		" lpr ab12 cd34 ": "LPR-AB12-CD34",
		"LPR-OB1L-CDI4":   "LPR-0B11-CD14", // O is 0, I and L are 1
	} {
		if got, ok := store.ParseReportCode(in); !ok || got != want {
			t.Errorf("ParseReportCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "LPR", "LPR-AB12-CD3", "LPR-AB12-CD345", "LPR-AU12-CD34", "'; DROP TABLE reports; --", "LPR-AB12-CD34/../x"} {
		if got, ok := store.ParseReportCode(in); ok {
			t.Errorf("ParseReportCode(%q) = %q, want no code", in, got)
		}
	}
	if got, ok := store.ParseInviteCode("und ab12 cd34"); !ok || got != "UND-AB12-CD34" {
		t.Errorf("ParseInviteCode = %q %v", got, ok)
	}
}

// fixture is a database with a reporter, a staff member and a volunteer.
type fixture struct {
	db                            *store.DB
	reporter, staff, volunteer    int64
	other                         int64 // someone else
	now                           time.Time
	ctx                           context.Context
	random                        *rand.ChaCha8
	reporterContact, staffContact store.Contact
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, _ := openTemp(t)
	f := &fixture{db: db, now: time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC), ctx: context.Background(),
		random: rand.NewChaCha8([32]byte{7}), reporterContact: store.Contact{Channel: "telegram", Address: "5001"},
		staffContact: store.Contact{Channel: "telegram", Address: "9001"}}
	f.tx(t, func(tx *store.Tx) error {
		for _, p := range []struct {
			id   *int64
			c    store.Contact
			name string
		}{
			{&f.reporter, f.reporterContact, "Rina Reporter"},
			{&f.staff, f.staffContact, "Ani"},
			{&f.volunteer, store.Contact{Channel: "telegram", Address: "7001"}, "Sari"},
			{&f.other, store.Contact{Channel: "telegram", Address: "7002"}, "Joko"},
		} {
			u, _, err := tx.UserByContact(p.c, "id", f.now)
			if err != nil {
				return err
			}
			u.Name = p.name
			if err := tx.SaveUser(u); err != nil {
				return err
			}
			*p.id = u.ID
		}
		inv, err := tx.CreateInvite(store.RoleSatgas, "61.07.06", f.staff, f.random, f.now, 7*24*time.Hour)
		if err != nil {
			return err
		}
		_, err = tx.RedeemInvite(inv.Code, f.volunteer, f.now)
		return err
	})
	return f
}

func (f *fixture) tx(t *testing.T, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := f.db.Tx(f.ctx, fn); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) report(t *testing.T, anonymous bool) store.Report {
	t.Helper()
	r := store.Report{Category: "bpta_sawit", KecCode: "61.07.06", DesaCode: "61.07.06.2003", Description: "anak memanen sawit",
		ChildrenCount: 2, ChildrenAge: "13-15 tahun", Anonymous: anonymous, ReporterID: f.reporter, KLACluster: "V", KLAIndicator: "21"}
	f.tx(t, func(tx *store.Tx) error { return tx.CreateReport(&r, f.random, f.now) })
	return r
}

func TestCreateReportRetriesOnCodeCollision(t *testing.T) {
	f := newFixture(t)
	// The same 40 bits twice, then others: the second report must not
	// share the first one's code.
	bits := append(bytes.Repeat([]byte{9, 9, 9, 9, 9}, 2), 1, 2, 3, 4, 5)
	src := bytes.NewReader(bits)
	var first, second store.Report
	f.tx(t, func(tx *store.Tx) error {
		first = store.Report{Category: "kekerasan", ReporterID: f.reporter}
		if err := tx.CreateReport(&first, src, f.now); err != nil {
			return err
		}
		second = store.Report{Category: "kekerasan", ReporterID: f.reporter}
		return tx.CreateReport(&second, src, f.now)
	})
	if first.Code == second.Code || !codeForm.MatchString(second.Code) {
		t.Errorf("codes %s and %s", first.Code, second.Code)
	}
	f.tx(t, func(tx *store.Tx) error {
		got, err := tx.ReportByCode(second.Code)
		if err != nil || got.ID != second.ID || got.Status != store.StatusNew || got.Anonymous != second.Anonymous {
			t.Errorf("ReportByCode = %+v, %v", got, err)
		}
		if _, err := tx.ReportByCode("LPR-ZZZZ-ZZZZ"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown code: %v, want ErrNotFound", err)
		}
		return nil
	})
}

func TestLifecycleRules(t *testing.T) {
	s, v := store.RoleStaff, store.RoleVolunteer
	cases := []struct {
		from, to, role string
		ok             bool
	}{
		{store.StatusNew, store.StatusAccepted, s, true},
		{store.StatusNew, store.StatusAccepted, v, false},
		{store.StatusNew, store.StatusVerified, s, false}, // accepted first
		{store.StatusNew, store.StatusRejected, s, true},
		{store.StatusNew, store.StatusNotOurs, s, true},
		{store.StatusAccepted, store.StatusVerified, v, true},
		{store.StatusAccepted, store.StatusVerified, s, true},
		{store.StatusAccepted, store.StatusReferred, s, true},
		{store.StatusAccepted, store.StatusReferred, v, false},
		{store.StatusAccepted, store.StatusDone, s, false},
		{store.StatusVerified, store.StatusReferred, s, true},
		{store.StatusVerified, store.StatusDone, s, true},
		{store.StatusVerified, store.StatusDone, v, false},
		{store.StatusReferred, store.StatusDone, s, true},
		{store.StatusReferred, store.StatusRejected, s, false},
		// Staff (only) reopen a closed report; it goes back to diterima.
		{store.StatusDone, store.StatusAccepted, s, true},
		{store.StatusRejected, store.StatusAccepted, s, true},
		{store.StatusNotOurs, store.StatusAccepted, s, true},
		{store.StatusRejected, store.StatusAccepted, v, false},
		{store.StatusDone, store.StatusVerified, s, false},
		{store.StatusRejected, store.StatusNew, s, false},
		{store.StatusNew, store.StatusAccepted, store.RoleReporter, false},
	}
	for _, c := range cases {
		if got := store.CanChangeStatus(c.from, c.to, c.role); got != c.ok {
			t.Errorf("%s may move %s -> %s: %v, want %v", c.role, c.from, c.to, got, c.ok)
		}
	}
	for _, st := range []string{store.StatusReferred, store.StatusRejected, store.StatusNotOurs} {
		if !store.NeedsNote(st) {
			t.Errorf("%s needs a note (to whom, or why)", st)
		}
	}
}

func TestChangeReportStatusRecordsWhoWhenAndNote(t *testing.T) {
	f := newFixture(t)
	r := f.report(t, true)
	at := func(min int) time.Time { return f.now.Add(time.Duration(min) * time.Minute) }
	f.tx(t, func(tx *store.Tx) error {
		// A volunteer cannot accept, and cannot verify what is not theirs.
		if _, err := tx.ChangeReportStatus(r.ID, store.StatusAccepted, f.volunteer, store.RoleVolunteer, "", at(1)); !errors.Is(err, store.ErrNotAllowed) {
			t.Errorf("volunteer accepting: %v", err)
		}
		if _, err := tx.ChangeReportStatus(r.ID, store.StatusVerified, f.staff, store.RoleStaff, "", at(1)); !errors.Is(err, store.ErrBadTransition) {
			t.Errorf("verifying a new report: %v", err)
		}
		if _, err := tx.ChangeReportStatus(r.ID, store.StatusAccepted, f.staff, store.RoleStaff, "", at(2)); err != nil {
			return err
		}
		if _, err := tx.ChangeReportStatus(r.ID, store.StatusVerified, f.volunteer, store.RoleVolunteer, "", at(3)); !errors.Is(err, store.ErrNotAllowed) {
			t.Errorf("unassigned volunteer verifying: %v", err)
		}
		if err := tx.AssignReport(r.ID, f.other, f.staff, at(4)); !errors.Is(err, store.ErrNotAllowed) {
			t.Errorf("assigning to someone who is not a volunteer: %v", err)
		}
		if err := tx.AssignReport(r.ID, f.volunteer, f.staff, at(4)); err != nil {
			return err
		}
		if _, err := tx.ChangeReportStatus(r.ID, store.StatusVerified, f.volunteer, store.RoleVolunteer, "sudah dicek", at(5)); err != nil {
			return err
		}
		if _, err := tx.ChangeReportStatus(r.ID, store.StatusReferred, f.staff, store.RoleStaff, " ", at(6)); !errors.Is(err, store.ErrNoteRequired) {
			t.Errorf("referring without saying where: %v", err)
		}
		if _, err := tx.ChangeReportStatus(r.ID, store.StatusReferred, f.staff, store.RoleStaff, "UPTD PPA", at(6)); err != nil {
			return err
		}
		before, err := tx.ChangeReportStatus(r.ID, store.StatusDone, f.staff, store.RoleStaff, "", at(7))
		if err != nil || before.Status != store.StatusReferred {
			t.Errorf("closing: before %q, %v", before.Status, err)
		}
		if err := tx.AssignReport(r.ID, f.volunteer, f.staff, at(8)); !errors.Is(err, store.ErrClosed) {
			t.Errorf("assigning a closed report: %v", err)
		}
		return nil
	})
	f.tx(t, func(tx *store.Tx) error {
		got, _ := tx.ReportByCode(r.Code)
		if got.Status != store.StatusDone || !got.ClosedAt.Equal(at(7)) || got.AssignedTo != f.volunteer {
			t.Errorf("report after closing: status %s closed %v assigned %d", got.Status, got.ClosedAt, got.AssignedTo)
		}
		return nil
	})
	// Reopening needs a reason, and makes the report open again.
	f.tx(t, func(tx *store.Tx) error {
		if _, err := tx.ChangeReportStatus(r.ID, store.StatusAccepted, f.staff, store.RoleStaff, "", at(9)); !errors.Is(err, store.ErrNoteRequired) {
			t.Errorf("reopening without a reason: %v", err)
		}
		if _, err := tx.ChangeReportStatus(r.ID, store.StatusAccepted, f.volunteer, store.RoleVolunteer, "ada lagi", at(9)); !errors.Is(err, store.ErrNotAllowed) {
			t.Errorf("a volunteer reopening: %v", err)
		}
		if _, err := tx.ChangeReportStatus(r.ID, store.StatusAccepted, f.staff, store.RoleStaff, "anak bekerja lagi", at(9)); err != nil {
			return err
		}
		got, _ := tx.ReportByCode(r.Code)
		if got.Status != store.StatusAccepted || !got.ClosedAt.IsZero() {
			t.Errorf("reopened report: status %s closed %v", got.Status, got.ClosedAt)
		}
		open, _ := tx.ListReports(store.ReportFilter{OpenOnly: true})
		if len(open) != 1 || open[0].ID != r.ID {
			t.Errorf("the reopened report is not among the open ones: %v", open)
		}
		return nil
	})
	f.tx(t, func(tx *store.Tx) error {
		_, err := tx.ChangeReportStatus(r.ID, store.StatusDone, f.staff, store.RoleStaff, "", at(10))
		if !errors.Is(err, store.ErrBadTransition) {
			t.Errorf("closing a reopened report before it is checked again: %v", err)
		}
		return nil
	})
	f.tx(t, func(tx *store.Tx) error {
		events, err := tx.ReportEvents(r.ID)
		if err != nil {
			return err
		}
		var trail []string
		for _, e := range events {
			trail = append(trail, e.Kind+":"+e.Role+":"+e.ToStatus+":"+e.Note)
		}
		want := []string{"created:reporter:baru:", "status:staff:diterima:", "assign:staff::", "status:volunteer:diverifikasi:sudah dicek",
			"status:staff:ditindaklanjuti:UPTD PPA", "status:staff:selesai:", "status:staff:diterima:anak bekerja lagi"}
		if strings.Join(trail, " | ") != strings.Join(want, " | ") {
			t.Errorf("history\n got %v\nwant %v", trail, want)
		}
		if events[2].AssigneeID != f.volunteer || events[3].ActorID != f.volunteer || !events[5].At.Equal(at(7)) {
			t.Errorf("events do not say who and when: %+v", events)
		}
		return nil
	})
}

func TestReporterIdentityOnlyForNamedReports(t *testing.T) {
	f := newFixture(t)
	anon, named := f.report(t, true), f.report(t, false)
	f.tx(t, func(tx *store.Tx) error {
		name, contact, ok, err := tx.ReporterIdentity(anon)
		if err != nil || ok || name != "" || contact != (store.Contact{}) {
			t.Errorf("anonymous report gave %q %v %v %v", name, contact, ok, err)
		}
		name, contact, ok, err = tx.ReporterIdentity(named)
		if err != nil || !ok || name != "Rina Reporter" || contact != f.reporterContact {
			t.Errorf("named report gave %q %v %v %v", name, contact, ok, err)
		}
		// Lists never carry identity, but the reporter's own list works.
		mine, err := tx.ListReports(store.ReportFilter{ReporterID: f.reporter})
		if err != nil || len(mine) != 2 {
			t.Errorf("own reports: %d %v", len(mine), err)
		}
		theirs, _ := tx.ListReports(store.ReportFilter{ReporterID: f.other})
		if len(theirs) != 0 {
			t.Errorf("someone else sees %d reports as theirs", len(theirs))
		}
		return nil
	})
}

func TestListReportsFilters(t *testing.T) {
	f := newFixture(t)
	a, b := f.report(t, true), f.report(t, true)
	c := store.Report{Category: "perkawinan_anak", KecCode: "61.07.03", Urgent: true, ReporterID: f.reporter, Anonymous: true}
	f.tx(t, func(tx *store.Tx) error {
		if err := tx.CreateReport(&c, f.random, f.now); err != nil {
			return err
		}
		if _, err := tx.ChangeReportStatus(b.ID, store.StatusRejected, f.staff, store.RoleStaff, "ganda", f.now); err != nil {
			return err
		}
		return tx.AssignReport(a.ID, f.volunteer, f.staff, f.now)
	})
	codes := func(rs []store.Report) string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Code)
		}
		return strings.Join(out, ",")
	}
	f.tx(t, func(tx *store.Tx) error {
		for name, c2 := range map[string]struct {
			f    store.ReportFilter
			want string
		}{
			"open, urgent first": {store.ReportFilter{OpenOnly: true}, c.Code + "," + a.Code},
			"status":             {store.ReportFilter{Statuses: []string{store.StatusRejected}}, b.Code},
			"kecamatan":          {store.ReportFilter{KecCode: "61.07.03"}, c.Code},
			"category":           {store.ReportFilter{Categories: []string{"bpta_sawit"}, OpenOnly: true}, a.Code},
			"assigned":           {store.ReportFilter{AssignedTo: f.volunteer}, a.Code},
			"urgent":             {store.ReportFilter{UrgentOnly: true}, c.Code},
			"all, closed last":   {store.ReportFilter{}, c.Code + "," + a.Code + "," + b.Code},
		} {
			got, err := tx.ListReports(c2.f)
			if err != nil {
				return err
			}
			if codes(got) != c2.want {
				t.Errorf("%s: got %s, want %s", name, codes(got), c2.want)
			}
		}
		return nil
	})
}

func TestInvitesAreOneTimeAndExpire(t *testing.T) {
	f := newFixture(t)
	var inv store.Invite
	f.tx(t, func(tx *store.Tx) error {
		var err error
		inv, err = tx.CreateInvite(store.RoleSatgas, "61.07.03", f.staff, f.random, f.now, 7*24*time.Hour)
		return err
	})
	if ok, _ := regexp.MatchString(`^UND-[0-9A-Z]{4}-[0-9A-Z]{4}$`, inv.Code); !ok {
		t.Fatalf("invite code %q", inv.Code)
	}
	f.tx(t, func(tx *store.Tx) error {
		if _, err := tx.RedeemInvite("UND-0000-0000", f.other, f.now); !errors.Is(err, store.ErrInviteUnknown) {
			t.Errorf("unknown code: %v", err)
		}
		if _, err := tx.RedeemInvite(inv.Code, f.other, f.now.Add(7*24*time.Hour)); !errors.Is(err, store.ErrInviteExpired) {
			t.Errorf("expired code: %v", err)
		}
		if _, err := tx.RedeemInvite(inv.Code, f.other, f.now.Add(time.Hour)); err != nil {
			return err
		}
		if _, err := tx.RedeemInvite(inv.Code, f.reporter, f.now.Add(2*time.Hour)); !errors.Is(err, store.ErrInviteUsed) {
			t.Errorf("used code: %v", err)
		}
		v, ok, err := tx.Volunteer(f.other)
		if err != nil || !ok || v.KecCode != "61.07.03" || v.InvitedBy != f.staff || v.Name != "Joko" {
			t.Errorf("volunteer = %+v %v %v", v, ok, err)
		}
		if _, ok, _ := tx.Volunteer(f.reporter); ok {
			t.Error("the second person became a volunteer with a used code")
		}
		in03, _ := tx.Volunteers("61.07.03")
		all, _ := tx.Volunteers("")
		if len(in03) != 1 || len(all) != 2 {
			t.Errorf("volunteers: %d in Ledo, %d in all", len(in03), len(all))
		}
		return nil
	})
}

// A volunteer who is removed loses every report at once: open ones go back
// to staff unassigned (with a line in their history), closed ones keep the
// record of who checked them. An invite brings them back.
func TestRemoveVolunteer(t *testing.T) {
	f := newFixture(t)
	open, closed, other := f.report(t, true), f.report(t, true), f.report(t, true)
	f.tx(t, func(tx *store.Tx) error {
		for _, r := range []store.Report{open, closed} {
			if _, err := tx.ChangeReportStatus(r.ID, store.StatusAccepted, f.staff, store.RoleStaff, "", f.now); err != nil {
				return err
			}
			if err := tx.AssignReport(r.ID, f.volunteer, f.staff, f.now); err != nil {
				return err
			}
		}
		_, err := tx.ChangeReportStatus(closed.ID, store.StatusRejected, f.staff, store.RoleStaff, "bukan anak", f.now)
		return err
	})
	later := f.now.Add(time.Hour)
	f.tx(t, func(tx *store.Tx) error {
		if _, err := tx.RemoveVolunteer(f.other, f.staff, later); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("removing someone who is no volunteer: %v", err)
		}
		unassigned, err := tx.RemoveVolunteer(f.volunteer, f.staff, later)
		if err != nil {
			return err
		}
		if len(unassigned) != 1 || unassigned[0].ID != open.ID || unassigned[0].AssignedTo != 0 {
			t.Errorf("unassigned %+v, want only the open report", unassigned)
		}
		if _, ok, _ := tx.Volunteer(f.volunteer); ok {
			t.Error("still a volunteer")
		}
		got, _ := tx.ReportByCode(open.Code)
		if got.AssignedTo != 0 {
			t.Errorf("open report still assigned to %d", got.AssignedTo)
		}
		if got, _ := tx.ReportByCode(closed.Code); got.AssignedTo != f.volunteer {
			t.Errorf("closed report lost who checked it: %d", got.AssignedTo)
		}
		if got, _ := tx.ReportByCode(other.Code); got.AssignedTo != 0 || got.Status != store.StatusNew {
			t.Errorf("an unrelated report changed: %+v", got)
		}
		events, _ := tx.ReportEvents(open.ID)
		last := events[len(events)-1]
		if last.Kind != store.EventUnassign || last.AssigneeID != f.volunteer || last.ActorID != f.staff || !last.At.Equal(later) {
			t.Errorf("history of the open report ends with %+v", last)
		}
		if mine, _ := tx.ListReports(store.ReportFilter{AssignedTo: f.volunteer, OpenOnly: true}); len(mine) != 0 {
			t.Errorf("the removed volunteer still has open reports: %v", mine)
		}
		inv, err := tx.CreateInvite(store.RoleSatgas, "61.07.06", f.staff, f.random, later, time.Hour)
		if err != nil {
			return err
		}
		if _, err := tx.RedeemInvite(inv.Code, f.volunteer, later); err != nil {
			t.Errorf("invited again: %v", err)
		}
		if _, ok, _ := tx.Volunteer(f.volunteer); !ok {
			t.Error("a new invite did not make them a volunteer again")
		}
		return nil
	})
}

func TestMediaQueueRetriesAndRecords(t *testing.T) {
	f := newFixture(t)
	r := f.report(t, true)
	var id int64
	f.tx(t, func(tx *store.Tx) error {
		var err error
		id, err = tx.AddReportMedia(r.ID, store.Media{Kind: "photo", Channel: "telegram", Ref: "file-1", Mime: "image/jpeg"}, f.reporter, f.now)
		if err != nil {
			return err
		}
		_, err = tx.AddReportMedia(r.ID, store.Media{Kind: "voice", Channel: "whatsapp", Ref: "wa-1"}, f.reporter, f.now)
		return err
	})
	due, err := f.db.DueMedia(f.ctx, []string{"telegram"}, f.now, 10)
	if err != nil || len(due) != 1 || due[0].ID != id || due[0].ReportCode != r.Code || due[0].Ref != "file-1" {
		t.Fatalf("due = %+v, %v", due, err)
	}
	f.tx(t, func(tx *store.Tx) error { return tx.MediaRetry(id, "HTTP 502", f.now.Add(time.Minute)) })
	if due, _ := f.db.DueMedia(f.ctx, []string{"telegram"}, f.now, 10); len(due) != 0 {
		t.Error("a retry is due before its time")
	}
	if next, _ := f.db.NextMediaTry(f.ctx, []string{"telegram"}); !next.Equal(f.now.Add(time.Minute)) {
		t.Errorf("next try %v", next)
	}
	due, _ = f.db.DueMedia(f.ctx, []string{"telegram"}, f.now.Add(time.Minute), 10)
	if len(due) != 1 || due[0].Attempts != 1 {
		t.Fatalf("retry due = %+v", due)
	}
	f.tx(t, func(tx *store.Tx) error { return tx.MediaSaved(id, "abc", 42, "/data/media/x/abc.jpg") })
	f.tx(t, func(tx *store.Tx) error {
		media, err := tx.ReportMedia(r.ID)
		if err != nil || len(media) != 2 || media[0].State != store.MediaSaved || media[0].SHA256 != "abc" || media[0].Size != 42 {
			t.Errorf("media = %+v %v", media, err)
		}
		return tx.MediaRetry(media[1].ID, "gone", time.Time{})
	})
	if due, _ := f.db.DueMedia(f.ctx, []string{"telegram", "whatsapp"}, f.now.Add(time.Hour), 10); len(due) != 0 {
		t.Errorf("saved or failed files are still due: %+v", due)
	}
}

// Account linking moves every reference to a person: each column that
// names a person must be declared as a reference to users(id).
func TestEveryPersonColumnReferencesUsers(t *testing.T) {
	db, path := openTemp(t)
	db.Close()
	raw, err := sqlOpen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	want := map[string][]string{
		"reports":       {"reporter_user_id", "assigned_to"},
		"report_media":  {"added_by"},
		"report_events": {"actor_user_id", "assignee_id"},
		"volunteers":    {"user_id", "invited_by"},
		"invites":       {"created_by", "used_by"},
	}
	for table, cols := range want {
		rows, err := raw.Query(`SELECT "from", "table", "to" FROM pragma_foreign_key_list(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		refs := map[string]string{}
		for rows.Next() {
			var from, to string
			var target string
			rows.Scan(&from, &target, &to)
			refs[from] = target + "." + to
		}
		rows.Close()
		for _, col := range cols {
			if refs[col] != "users.id" {
				t.Errorf("%s.%s references %q, want users(id)", table, col, refs[col])
			}
		}
	}
}

func TestIdleDraftSessions(t *testing.T) {
	f := newFixture(t)
	report := []byte(`{"flow":"report","version":1,"step":"description","data":{"cat":"kekerasan"}}`)
	menu := []byte(`{"flow":"menu","version":1,"step":"main"}`)
	f.tx(t, func(tx *store.Tx) error {
		if err := tx.SaveSession(f.reporter, sessionOf(report), f.now); err != nil {
			return err
		}
		if err := tx.SaveSession(f.other, sessionOf(report), f.now.Add(-4*24*time.Hour)); err != nil {
			return err
		}
		return tx.SaveSession(f.staff, sessionOf(menu), f.now)
	})
	later := f.now.Add(5 * time.Hour)
	idle, err := f.db.IdleSessions(f.ctx, "report", later.Add(-4*time.Hour), later.Add(-72*time.Hour), 10)
	if err != nil || len(idle) != 2 || idle[0].UserID != f.other || idle[1].UserID != f.reporter || idle[1].Nudged {
		t.Fatalf("idle = %+v %v", idle, err)
	}
	f.tx(t, func(tx *store.Tx) error {
		ok, err := tx.MarkSessionNudged(f.reporter, f.now, later)
		if err != nil || !ok {
			t.Errorf("mark nudged: %v %v", ok, err)
		}
		// A stale read (the person wrote since) marks nothing.
		if ok, _ := tx.MarkSessionNudged(f.reporter, f.now.Add(-time.Minute), later); ok {
			t.Error("marked a session whose time changed")
		}
		if ok, _ := tx.ReplaceIdleSession(f.other, f.now, menu); ok {
			t.Error("replaced a session whose time changed")
		}
		return nil
	})
	idle, _ = f.db.IdleSessions(f.ctx, "report", later.Add(-4*time.Hour), later.Add(-72*time.Hour), 10)
	if len(idle) != 1 || idle[0].UserID != f.other {
		t.Errorf("after the nudge: %+v", idle)
	}
	// Activity re-arms the nudge for the next quiet spell.
	f.tx(t, func(tx *store.Tx) error { return tx.SaveSession(f.reporter, sessionOf(report), later.Add(time.Hour)) })
	muchLater := later.Add(6 * time.Hour)
	idle, _ = f.db.IdleSessions(f.ctx, "report", muchLater.Add(-4*time.Hour), muchLater.Add(-72*time.Hour), 10)
	if len(idle) != 2 || idle[1].UserID != f.reporter || idle[1].Nudged {
		t.Errorf("after new activity: %+v", idle)
	}
}

func sqlOpen(path string) (*sql.DB, error) { return sql.Open("sqlite3", "file:"+path+"?mode=ro") }

// A case's messages still waiting to go to a volunteer (the channel was
// down, WhatsApp logged out) are dropped when the case is given to someone
// else or the volunteer is removed: they must not get the child's details
// late. Their other messages still go.
func TestQueuedCaseMessagesLeaveWithTheCase(t *testing.T) {
	f := newFixture(t)
	r := f.report(t, true)
	// A message about the case says so in its subject, as the flows do.
	queue := func(tx *store.Tx, address, subject, text string) error {
		return tx.Enqueue(store.OutboxMessage{Channel: "telegram", Address: address, Priority: store.PriorityAlert,
			Payload: []byte(`{"text":"` + text + `"}`), Subject: subject}, f.now)
	}
	about := store.ReportSubject(r.Code)
	pending := func() string {
		msgs, err := f.db.PendingOutbox(f.ctx, "telegram", 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range msgs {
			payload, err := f.db.OutboxPayload(f.ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, m.Address+" "+string(payload))
		}
		return strings.Join(out, "\n")
	}
	f.tx(t, func(tx *store.Tx) error {
		inv, err := tx.CreateInvite(store.RoleSatgas, "61.07.06", f.staff, f.random, f.now, time.Hour)
		if err != nil {
			return err
		}
		if _, err := tx.RedeemInvite(inv.Code, f.other, f.now); err != nil {
			return err
		}
		if err := tx.AssignReport(r.ID, f.volunteer, f.staff, f.now); err != nil {
			return err
		}
		if err := queue(tx, "7001", about, "Laporan "+r.Code+" ditugaskan kepada Anda: anak dipukul"); err != nil {
			return err
		}
		if err := queue(tx, "7001", "", "Pelatihan besok pukul 09.00"); err != nil {
			return err
		}
		return tx.AssignReport(r.ID, f.other, f.staff, f.now)
	})
	if got := pending(); strings.Contains(got, "7001 "+`{"text":"Laporan `+r.Code) || !strings.Contains(got, "Pelatihan besok") {
		t.Errorf("after reassigning, still queued:\n%s", got)
	}
	f.tx(t, func(tx *store.Tx) error {
		if err := queue(tx, "7002", about, "Laporan "+r.Code+" ditugaskan kepada Anda: anak dipukul"); err != nil {
			return err
		}
		_, err := tx.RemoveVolunteer(f.other, f.staff, f.now)
		return err
	})
	if got := pending(); strings.Contains(got, r.Code) {
		t.Errorf("after removing the volunteer, still queued:\n%s", got)
	}
}

// sessionOf is a saved conversation as the flows engine saves it: its
// JSON, with its flow and whether it holds answers beside it.
func sessionOf(raw []byte) store.SessionState {
	var st struct {
		Flow string
		Data map[string]string
	}
	json.Unmarshal(raw, &st)
	return store.SessionState{JSON: raw, Flow: st.Flow, HasData: st.Data != nil}
}
