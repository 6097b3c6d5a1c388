package web

import (
	"database/sql"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"klabot/flows/ops"
	"klabot/store"
)

// outboxTo is what is queued for a Telegram address, oldest first.
func (f *fixture) outboxTo(address string) []string {
	f.t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+f.db.Path()+"?mode=ro")
	if err != nil {
		f.t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT payload FROM outbox WHERE address = ? ORDER BY id`, address)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var payloads []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			f.t.Fatal(err)
		}
		payloads = append(payloads, p)
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	return payloads
}

func (f *fixture) ask(cookie *http.Cookie, code, question string) (int, string) {
	f.t.Helper()
	rec := f.do("POST", "/laporan/"+code+"/tanya", cookie, url.Values{"question": {question}})
	return rec.Code, rec.Body.String()
}

// Staff, and the volunteer of the report, ask its reporter from the report
// page: the question reaches the anonymous reporter through the outbox,
// signed with the asker's role; the page lists questions and answers and
// never names the reporter.
func TestAskReporterFromReportPage(t *testing.T) {
	f := newFixture(t)
	staff := f.signIn(f.staff, "100")
	code := f.anon.Code
	if body := f.do("GET", "/laporan/"+code, staff, nil).Body.String(); !strings.Contains(body, `action="/laporan/`+code+`/tanya"`) {
		t.Fatal("no Tanya pelapor form on the report page")
	}

	// A cross-site press asks nothing.
	req := httptest.NewRequest("POST", "http://klabot.test/laporan/"+code+"/tanya",
		strings.NewReader(url.Values{"question": {"Di kebun mana?"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(staff)
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || len(f.outboxTo("400")) != 0 || f.audits("report:ask") != 0 {
		t.Fatalf("cross-site ask: %d, %d queued", rec.Code, len(f.outboxTo("400")))
	}
	// Without a session (a villager cannot have one) nothing is asked.
	if rec := f.do("POST", "/laporan/"+code+"/tanya", nil, url.Values{"question": {"Di kebun mana?"}}); rec.Code == http.StatusOK ||
		len(f.outboxTo("400")) != 0 {
		t.Fatalf("ask without a session: %d", rec.Code)
	}

	status, body := f.ask(staff, code, "Di kebun mana anak-anak itu bekerja?")
	if status != http.StatusOK || !strings.Contains(body, "Pertanyaan untuk pelapor laporan "+code+" sudah dikirim") {
		t.Fatalf("ask: %d %s", status, flash(body))
	}
	sent := f.outboxTo("400")
	if len(sent) != 1 || !strings.Contains(sent[0], "Pertanyaan tentang laporan "+code+": Di kebun mana anak-anak itu bekerja?") ||
		!strings.Contains(sent[0], "Petugas DISKOPNAKERTRANS") || strings.Contains(sent[0], "Petugas Ani") {
		t.Fatalf("queued for the reporter: %q", sent)
	}
	if n := f.audits("report:ask"); n != 1 {
		t.Errorf("%d audit rows for one question", n)
	}
	// The same question again (a double click) is said to be sent already.
	if status, body := f.ask(staff, code, "Di kebun mana anak-anak itu bekerja?"); status != http.StatusOK ||
		!strings.Contains(body, "sudah dikirim dan belum dijawab") || len(f.outboxTo("400")) != 1 {
		t.Errorf("asked twice: %d %s", status, flash(body))
	}

	// A volunteer asks about their own report only.
	vol := f.signIn(f.volunteer, "200")
	if status, _ := f.ask(vol, f.named.Code, "Sekolah di mana?"); status != http.StatusNotFound || len(f.outboxTo("500")) != 0 {
		t.Errorf("volunteer asking about another's report: %d", status)
	}
	if status, body := f.ask(vol, code, "Berapa umur mereka?"); status != http.StatusOK || !strings.Contains(body, "sudah dikirim") {
		t.Errorf("volunteer asking about their report: %d %s", status, flash(body))
	}
	if sent := f.outboxTo("400"); len(sent) != 2 || !strings.Contains(sent[1], "Relawan Satgas PA") || strings.Contains(sent[1], "Relawan Dedi") {
		t.Errorf("the volunteer's question as queued: %q", sent)
	}

	// At most three open questions.
	if status, _ := f.ask(staff, code, "Jam berapa mereka di sana?"); status != http.StatusOK {
		t.Errorf("third question: %d", status)
	}
	if status, body := f.ask(staff, code, "Siapa mandornya?"); status != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "sudah punya 3 pertanyaan yang belum dijawab") || len(f.outboxTo("400")) != 3 {
		t.Errorf("fourth question: %d %s", status, flash(body))
	}

	// The reporter answers; the page shows the answer and still not who.
	f.tx(func(tx *store.Tx) error {
		_, err := ops.Answer(tx, f.anon.ReporterID, code, ops.AnswerInput{Kind: "text", Text: "Kebun PT Sawit Jaya, blok 7."}, f.now)
		return err
	})
	for _, c := range []*http.Cookie{staff, vol} {
		body := f.do("GET", "/laporan/"+code, c, nil).Body.String()
		for _, want := range []string{"Di kebun mana anak-anak itu bekerja?", "Kebun PT Sawit Jaya, blok 7.", "Jawaban pelapor", "Belum dijawab"} {
			if !strings.Contains(body, want) {
				t.Errorf("report page lacks %q", want)
			}
		}
		if strings.Contains(body, reporterName) || strings.Contains(body, "telegram:400") {
			t.Error("the report page names the anonymous reporter")
		}
	}
}

// A reporter who erased their data, or cannot be reached, is not asked,
// and the page says why.
func TestAskErasedOrUnreachableReporter(t *testing.T) {
	f := newFixture(t)
	staff := f.signIn(f.staff, "100")
	f.tx(func(tx *store.Tx) error {
		if _, err := tx.ErasePerson(f.named.ReporterID, f.now); err != nil {
			return err
		}
		return tx.MarkUnreachable(store.Contact{Channel: "telegram", Address: "400"}, f.now)
	})
	if status, body := f.ask(staff, f.named.Code, "Sekolah di mana?"); status != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "sudah menghapus datanya") {
		t.Errorf("erased reporter: %d %s", status, flash(body))
	}
	// The report page says why nobody can be contacted, not "anonymous".
	if page := f.do("GET", "/laporan/"+f.named.Code, staff, nil).Body.String(); !strings.Contains(page, "Datanya sudah dihapus") {
		t.Error("the report page of an erased reporter does not say so")
	}
	if status, body := f.ask(staff, f.anon.Code, "Di kebun mana?"); status != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "tidak bisa dihubungi") {
		t.Errorf("unreachable reporter: %d %s", status, flash(body))
	}
	if n := len(f.outboxTo("400")) + len(f.outboxTo("500")); n != 0 {
		t.Errorf("%d messages queued for reporters who cannot be asked", n)
	}
}

// flash is the notice at the top of a page, for failure messages.
func flash(body string) string {
	_, after, ok := strings.Cut(body, `id="flash">`)
	if !ok {
		return "(no notice)"
	}
	notice, _, _ := strings.Cut(after, "<")
	return notice
}
