package web

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"klabot/flows/recurrence"
	"klabot/store"
)

// A child reporter is named as such on the report page, in the chat
// card's words.
func TestReportPageSaysReporterIsAChild(t *testing.T) {
	f := newFixture(t)
	child := store.Report{Category: "kekerasan", KecCode: kec, Description: "aku dipukul", ReporterID: f.villager, ChildReporter: true}
	f.tx(func(tx *store.Tx) error { return tx.CreateReport(&child, rand.Reader, f.now) })
	staff := f.signIn(f.staff, "100")
	if body := f.do("GET", "/laporan/"+child.Code, staff, nil).Body.String(); !strings.Contains(body, "PELAPOR ANAK: hubungi dengan hati-hati") {
		t.Error("the page does not say the reporter is a child")
	}
	if body := f.do("GET", "/laporan/"+f.anon.Code, staff, nil).Body.String(); strings.Contains(body, "PELAPOR ANAK") {
		t.Error("an adult's report says the reporter is a child")
	}
}

// A volunteer refused on the web is told what they can do on the web,
// not which chat commands to type.
func TestVolunteerRefusalInWebWords(t *testing.T) {
	f := newFixture(t)
	vol := f.signIn(f.volunteer, "200")
	rec := f.do("POST", "/laporan/"+f.anon.Code+"/status", vol, url.Values{"to": {"selesai"}})
	if rec.Code != http.StatusForbidden {
		t.Fatalf("volunteer closing a report: %d", rec.Code)
	}
	if body := rec.Body.String(); strings.Contains(body, "/buka") || strings.Contains(body, "/laporan,") || !strings.Contains(body, "hanya bisa dilakukan petugas") {
		t.Errorf("refusal page speaks of chat commands or says nothing:\n%s", body)
	}
}

// Only evidence served is audited: a file that does not exist, a report
// not the volunteer's, a name that is no number leave no row.
func TestRefusedEvidenceNotAudited(t *testing.T) {
	f := newFixture(t)
	vol := f.signIn(f.volunteer, "200")
	staff := f.signIn(f.staff, "100")
	f.tx(func(tx *store.Tx) error {
		id, err := tx.AddReportMedia(f.anon.ID, store.Media{Kind: "photo", Channel: "telegram", Ref: "x"}, 0, f.now)
		if err != nil {
			return err
		}
		return tx.MediaSaved(id, "x", 1, "/etc/passwd") // outside the data folder
	})
	for _, c := range []struct {
		path   string
		cookie *http.Cookie
	}{
		{"/laporan/" + f.anon.Code + "/bukti/..%2F..%2Fklabot.db", staff},
		{"/laporan/" + f.anon.Code + "/bukti/1", staff},
		{"/laporan/" + f.anon.Code + "/bukti/9", staff},
		{"/laporan/" + f.named.Code + "/bukti/1", vol},
		{"/laporan/" + f.anon.Code + "/bukti/2", vol},
	} {
		if rec := f.do("GET", c.path, c.cookie, nil); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d", c.path, rec.Code)
		}
	}
	if n := f.audits("report:media_view") + f.audits("report:media_open"); n != 0 {
		t.Errorf("%d audit rows for evidence never served", n)
	}
}

// A referral target goes only with the referral status: refused with any
// other, and offered only in the referral's own form.
func TestReferralOnlyWithReferralStatus(t *testing.T) {
	f := newFixture(t)
	vol := f.signIn(f.volunteer, "200")
	page := f.do("GET", "/laporan/"+f.anon.Code, vol, nil).Body.String()
	if strings.Contains(page, `name="ref"`) {
		t.Error("a volunteer, who cannot refer, is offered a referral target")
	}
	rec := f.do("POST", "/laporan/"+f.anon.Code+"/status", vol, url.Values{"to": {"diverifikasi"}, "ref": {"Polisi"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("verification with a referral target: %d", rec.Code)
	}
	var n int
	f.scan(&n, `SELECT count(*) FROM report_events WHERE note LIKE '%Polisi%'`)
	if n != 0 {
		t.Errorf("history reads as a referral to the police (%d lines)", n)
	}
	staff := f.signIn(f.staff, "100")
	page = f.do("GET", "/laporan/"+f.anon.Code, staff, nil).Body.String()
	i, j := strings.Index(page, `id="status-form"`), strings.Index(page, `id="refer-form"`)
	if i < 0 || j < 0 || strings.Contains(page[i:j], `name="ref"`) || strings.Contains(page[i:j], `value="ditindaklanjuti"`) {
		t.Errorf("staff: want a status form without referral and a referral form (%d, %d)", i, j)
	}
	rec = f.do("POST", "/laporan/"+f.anon.Code+"/status", staff, url.Values{"to": {"ditindaklanjuti"}, "ref": {"Polisi"}, "note": {"diantar"}})
	if rec.Code != http.StatusOK {
		t.Errorf("referral: %d", rec.Code)
	}
	f.scan(&n, `SELECT count(*) FROM report_events WHERE to_status = 'ditindaklanjuti' AND note = 'Polisi. diantar'`)
	if n != 1 {
		t.Errorf("referral not in the history as Polisi. diantar")
	}
}

// A report accepted and given to a volunteer is named on the dashboard as
// in the chat, and counted apart from reports merely accepted.
func TestAssignedReportNamedAsInTheChat(t *testing.T) {
	f := newFixture(t)
	staff := f.signIn(f.staff, "100")
	page := f.do("GET", "/laporan/"+f.anon.Code, staff, nil).Body.String()
	if !strings.Contains(page, `<dd id="status">Diteruskan ke relawan Satgas PA</dd>`) {
		t.Error("report page: the assigned report is not named as in the chat")
	}
	list := f.do("GET", "/laporan", staff, nil).Body.String()
	if strings.Contains(list, `status-diterima">Diterima petugas</span>`) || !strings.Contains(list, `">Diteruskan ke relawan Satgas PA</span>`) {
		t.Error("list: the assigned report is not named as in the chat")
	}
	chip := regexp.MustCompile(`<span>([^<]+)</span> <b>(\d+)</b>`)
	counts := map[string]string{}
	for _, m := range chip.FindAllStringSubmatch(list, -1) {
		counts[m[1]] = m[2]
	}
	if counts["Diterima petugas"] != "0" || counts["Diteruskan ke relawan Satgas PA"] != "1" {
		t.Errorf("counts: %v", counts)
	}
	only := f.do("GET", "/laporan?status=ditugaskan", staff, nil).Body.String()
	if !strings.Contains(only, f.anon.Code) || strings.Contains(only, f.named.Code) {
		t.Error("filter by Diteruskan ke relawan")
	}
	if accepted := f.do("GET", "/laporan?status=diterima", staff, nil).Body.String(); strings.Contains(accepted, f.anon.Code) {
		t.Error("filter by Diterima petugas lists a report with a volunteer")
	}
}

// Staff read names and plain words, not the numbers and codes behind
// them: no "(#3)" after a name, channels by name, schedules in words.
func TestNoInternalIDsOnPages(t *testing.T) {
	f := newFixture(t)
	f.tx(func(tx *store.Tx) error {
		for _, text := range []string{"0 8 * * 1", "30 16 * * 5", "0 9 15 * *", "0 8,14 * * 1-5"} {
			spec, err := recurrence.ParseSpec(text)
			if err != nil {
				return err
			}
			if _, err := tx.CreateRecurringReminder(store.RecurringReminder{Spec: spec.Text, NextDueAt: spec.Next(f.now, wib),
				Message: "Posyandu", Audience: store.AudienceSatgas, CreatedBy: f.staff}, f.now); err != nil {
				return err
			}
		}
		return nil
	})
	staff := f.signIn(f.staff, "100")
	idRe := regexp.MustCompile(`\(#\d+\)`)
	for _, p := range []string{"/laporan/" + f.anon.Code, "/relawan"} {
		if body := f.do("GET", p, staff, nil).Body.String(); idRe.MatchString(body) || !strings.Contains(body, "Relawan Dedi") {
			t.Errorf("%s: a person shown by number: %v", p, idRe.FindAllString(body, -1))
		}
	}
	rem := f.do("GET", "/pengingat", staff, nil).Body.String()
	for _, want := range []string{"Tiap Senin 08.00", "Tiap Jumat 16.30", "Tgl 15 tiap bulan 09.00", "0 8,14 * * 1-5"} {
		if !strings.Contains(rem, want) {
			t.Errorf("reminders page lacks %q", want)
		}
	}
	if strings.Contains(rem, "cron") || strings.Contains(rem, "0 8 * * 1") {
		t.Error("reminders page shows cron")
	}
	f.tx(func(tx *store.Tx) error {
		_, _, err := tx.UserByContact(store.Contact{Channel: "console", Address: "local"}, "id", f.now)
		return err
	})
	siaran := f.do("GET", "/siaran", staff, nil).Body.String()
	if !strings.Contains(siaran, ">Konsol</option>") || !strings.Contains(siaran, ">Telegram</option>") || strings.Contains(siaran, ">console<") {
		t.Error("broadcast page names channels by their codes")
	}
}
