package web

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"
	"testing"

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
