package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"klabot/bot"
	"klabot/flows"
	"klabot/flows/all"
	"klabot/flows/exportdata"
	"klabot/flows/menu"
	"klabot/flows/recap"
	"klabot/flows/recurrence"
	"klabot/store"
)

// The office's zone; the clock is fixed on a Tuesday morning.
var wib = time.FixedZone("WIB", 7*3600)

const (
	reporterName = "Siti Rahasia"
	namedName    = "Budi Terbuka"
	kec          = "61.07.06"
)

type fixture struct {
	t         *testing.T
	db        *store.DB
	srv       *Server
	h         http.Handler
	now       time.Time
	staff     int64
	volunteer int64
	villager  int64
	anon      store.Report // anonymous, assigned to the volunteer
	named     store.Report // named, not assigned
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{t: t, db: db, now: time.Date(2026, 11, 24, 9, 0, 0, 0, wib)}
	f.tx(func(tx *store.Tx) error {
		person := func(addr, name string) int64 {
			u, _, err := tx.UserByContact(store.Contact{Channel: "telegram", Address: addr}, "id", f.now)
			if err != nil {
				t.Fatal(err)
			}
			u.Name, u.ConsentAt = name, f.now
			if err := tx.SaveUser(u); err != nil {
				t.Fatal(err)
			}
			return u.ID
		}
		f.staff = person("100", "Petugas Ani")
		f.volunteer = person("200", "Relawan Dedi")
		f.villager = person("300", "Warga Eka")
		reporter := person("400", reporterName)
		named := person("500", namedName)
		inv, err := tx.CreateInvite(store.RoleSatgas, kec, f.staff, rand.Reader, f.now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.RedeemInvite(inv.Code, f.volunteer, f.now); err != nil {
			t.Fatal(err)
		}
		f.anon = store.Report{Category: "kekerasan", KecCode: kec, Description: "anak dipukul di kebun", Anonymous: true,
			ReporterID: reporter, Urgent: true}
		if err := tx.CreateReport(&f.anon, rand.Reader, f.now.Add(-72*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ChangeReportStatus(f.anon.ID, store.StatusAccepted, f.staff, store.RoleStaff, "", f.now.Add(-71*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := tx.AssignReport(f.anon.ID, f.volunteer, f.staff, f.now.Add(-71*time.Hour)); err != nil {
			t.Fatal(err)
		}
		f.named = store.Report{Category: "putus_sekolah", Description: "tidak sekolah lagi", Anonymous: false, ReporterID: named}
		return tx.CreateReport(&f.named, rand.Reader, f.now.Add(-time.Hour))
	})
	f.srv, err = New(db, Config{BaseURL: "http://klabot.test", Staff: map[string]bool{"telegram:100": true},
		Location: wib, DataDir: dir, Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	f.h = f.srv.Handler()
	return f
}

func (f *fixture) tx(fn func(tx *store.Tx) error) {
	f.t.Helper()
	if err := f.db.Tx(context.Background(), fn); err != nil {
		f.t.Fatal(err)
	}
}

// link makes a sign-in link for a person's Telegram contact, as /masuk does.
func (f *fixture) link(userID int64, address string) string {
	f.t.Helper()
	token, err := menu.NewWebToken(rand.Reader)
	if err != nil {
		f.t.Fatal(err)
	}
	f.tx(func(tx *store.Tx) error {
		return tx.AddWebLogin(token, userID, store.Contact{Channel: "telegram", Address: address}, f.now, f.now.Add(menu.WebLinkTTL))
	})
	return token
}

// do sends a request as a browser on the same site would.
func (f *fixture) do(method, target string, cookie *http.Cookie, form url.Values) *httptest.ResponseRecorder {
	f.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, "http://klabot.test"+target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method == http.MethodPost {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

func (f *fixture) signIn(userID int64, address string) *http.Cookie {
	f.t.Helper()
	rec := f.do("POST", "/masuk/"+f.link(userID, address), nil, url.Values{})
	if rec.Code != http.StatusSeeOther {
		f.t.Fatalf("sign in: %d %s", rec.Code, rec.Body.String())
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == cookieName {
			return c
		}
	}
	f.t.Fatal("no session cookie")
	return nil
}

func (f *fixture) audits(action string) int {
	f.t.Helper()
	var n int
	f.scan(&n, `SELECT count(*) FROM audit WHERE action = ?`, action)
	return n
}

// scan reads one row with a connection of its own.
func (f *fixture) scan(dest any, query string, args ...any) {
	f.t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+f.db.Path()+"?mode=ro")
	if err != nil {
		f.t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.QueryRow(query, args...).Scan(dest); err != nil {
		f.t.Fatal(err)
	}
}

func multipartFile(t *testing.T, field, name, content string) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, err := w.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	part.Write([]byte(content))
	w.Close()
	return &b, w.FormDataContentType()
}

func TestSignInLinkWorksOnceAndExpires(t *testing.T) {
	f := newFixture(t)
	token := f.link(f.staff, "100")
	if rec := f.do("GET", "/masuk/"+token, nil, nil); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="signin"`) {
		t.Fatalf("link page: %d", rec.Code)
	}
	rec := f.do("POST", "/masuk/"+token, nil, url.Values{})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/laporan" {
		t.Fatalf("first use: %d", rec.Code)
	}
	c := rec.Result().Cookies()[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, not Secure over http", c)
	}
	if rec := f.do("POST", "/masuk/"+token, nil, url.Values{}); rec.Code != http.StatusGone {
		t.Errorf("second use: %d, want 410", rec.Code)
	}
	if rec := f.do("GET", "/masuk/"+token, nil, nil); rec.Code != http.StatusGone {
		t.Errorf("used link page: %d, want 410", rec.Code)
	}
	late := f.link(f.staff, "100")
	f.now = f.now.Add(menu.WebLinkTTL + time.Second)
	if rec := f.do("POST", "/masuk/"+late, nil, url.Values{}); rec.Code != http.StatusGone {
		t.Errorf("expired link: %d, want 410", rec.Code)
	}
	// A villager's link (if one were made) opens nothing.
	if rec := f.do("POST", "/masuk/"+f.link(f.villager, "300"), nil, url.Values{}); rec.Code != http.StatusGone {
		t.Errorf("villager link: %d, want 410", rec.Code)
	}
}

func TestSessionCookieSecureBehindHTTPS(t *testing.T) {
	f := newFixture(t)
	f.srv.cfg.BaseURL = "https://klabot.test"
	rec := f.do("POST", "/masuk/"+f.link(f.staff, "100"), nil, url.Values{})
	if c := rec.Result().Cookies(); len(c) == 0 || !c[0].Secure {
		t.Errorf("cookie over https is not Secure: %+v", c)
	}
}

func TestSessionIdleExpiryAndSignOut(t *testing.T) {
	f := newFixture(t)
	c := f.signIn(f.staff, "100")
	f.now = f.now.Add(11 * time.Hour)
	if rec := f.do("GET", "/laporan", c, nil); rec.Code != http.StatusOK {
		t.Fatalf("after 11 h: %d", rec.Code)
	}
	f.now = f.now.Add(11 * time.Hour) // used 11 h ago: still alive
	if rec := f.do("GET", "/laporan", c, nil); rec.Code != http.StatusOK {
		t.Fatalf("11 h after last use: %d", rec.Code)
	}
	f.now = f.now.Add(12*time.Hour + time.Minute)
	if rec := f.do("GET", "/laporan", c, nil); rec.Code != http.StatusSeeOther {
		t.Errorf("12 h idle: %d, want a redirect to sign in", rec.Code)
	}
	c = f.signIn(f.staff, "100")
	if rec := f.do("POST", "/keluar", c, url.Values{}); rec.Code != http.StatusSeeOther {
		t.Fatalf("sign out: %d", rec.Code)
	}
	if rec := f.do("GET", "/laporan", c, nil); rec.Code != http.StatusSeeOther {
		t.Errorf("after sign out: %d", rec.Code)
	}
}

func TestRemovedStaffLosesAccessAtOnce(t *testing.T) {
	f := newFixture(t)
	c := f.signIn(f.staff, "100")
	delete(f.srv.cfg.Staff, "telegram:100")
	if rec := f.do("GET", "/laporan", c, nil); rec.Code != http.StatusSeeOther {
		t.Errorf("removed staff: %d, want redirect", rec.Code)
	}
}

// staffPages are every page a staff member opens.
func staffPages(f *fixture) []string {
	return []string{"/laporan", "/wilayah", "/relawan", "/pelatihan", "/siaran", "/pengingat", "/rekap",
		"/rekap/grafik.png", "/rekap/unduh/rekap-kla-2026-11.csv", "/rekap/unduh/rekap-kla-2026-11.xlsx", "/metrics"}
}

func TestRightsOfEachRole(t *testing.T) {
	f := newFixture(t)
	for _, p := range staffPages(f) {
		if rec := f.do("GET", p, nil, nil); rec.Code != http.StatusSeeOther && rec.Code != http.StatusUnauthorized {
			t.Errorf("%s without sign-in: %d", p, rec.Code)
		}
	}
	staff := f.signIn(f.staff, "100")
	for _, p := range staffPages(f) {
		if rec := f.do("GET", p, staff, nil); rec.Code != http.StatusOK {
			t.Errorf("%s as staff: %d %s", p, rec.Code, rec.Body.String())
		}
	}
	vol := f.signIn(f.volunteer, "200")
	for _, p := range staffPages(f)[1:] {
		if rec := f.do("GET", p, vol, nil); rec.Code != http.StatusForbidden && rec.Code != http.StatusUnauthorized {
			t.Errorf("%s as volunteer: %d, want refused", p, rec.Code)
		}
	}
	rec := f.do("GET", "/laporan", vol, nil)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), f.anon.Code) || strings.Contains(rec.Body.String(), f.named.Code) {
		t.Errorf("volunteer list: %d; want only the assigned report %s", rec.Code, f.anon.Code)
	}
	// A villager cannot even open a session.
	if rec := f.do("POST", "/masuk/"+f.link(f.villager, "300"), nil, url.Values{}); rec.Code == http.StatusSeeOther {
		t.Error("villager signed in")
	}
}

func TestCrossSitePostRefusedAndChangesNothing(t *testing.T) {
	f := newFixture(t)
	c := f.signIn(f.staff, "100")
	form := url.Values{"text": {"Rapat"}, "kind": {"all"}, "when": {"now"}, "nonce": {strings.Repeat("a", 40)}}
	req := httptest.NewRequest("POST", "http://klabot.test/siaran/kirim", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "http://evil.example")
	req.AddCookie(c)
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("cross-site POST: %d, want 403", rec.Code)
	}
	if n := f.audits("broadcast_create"); n != 0 {
		t.Errorf("cross-site POST made %d broadcasts", n)
	}
	// The same from the page itself goes through.
	if rec := f.do("POST", "/siaran/kirim", c, form); rec.Code != http.StatusSeeOther {
		t.Errorf("same-site POST: %d %s", rec.Code, rec.Body.String())
	}
	if n := f.audits("broadcast_create"); n != 1 {
		t.Errorf("%d broadcasts, want 1", n)
	}
	// The same form again (a double click) makes no second broadcast.
	if rec := f.do("POST", "/siaran/kirim", c, form); rec.Code != http.StatusConflict {
		t.Errorf("second POST of one form: %d, want 409", rec.Code)
	}
	if n := f.audits("broadcast_create"); n != 1 {
		t.Errorf("%d broadcasts after a double send, want 1", n)
	}
}

func TestSecurityHeadersAndNoCaching(t *testing.T) {
	f := newFixture(t)
	c := f.signIn(f.staff, "100")
	rec := f.do("GET", "/laporan", c, nil)
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"frame-ancestors 'none'", "script-src 'self'", "default-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("X-Frame-Options") != "DENY" {
		t.Errorf("headers: %v", rec.Header())
	}
	if regexp.MustCompile(`<script>|\son[a-z]+="`).MatchString(rec.Body.String()) {
		t.Error("a page carries inline script")
	}
}

func TestNoPathTraversal(t *testing.T) {
	f := newFixture(t)
	c := f.signIn(f.staff, "100")
	for _, p := range []string{"/static/../server.go", "/static/%2e%2e/server.go", "/rekap/unduh/..%2f..%2fklabot.db",
		"/rekap/unduh/rekap-kla-2026-11.sh", "/siaran-foto/..%2fklabot.db", "/siaran-foto/klabot.db"} {
		rec := f.do("GET", p, c, nil)
		if rec.Code == http.StatusOK || strings.Contains(rec.Body.String(), "package web") || strings.Contains(rec.Body.String(), "SQLite") {
			t.Errorf("%s: %d", p, rec.Code)
		}
	}
	if rec := f.do("GET", "/static/style.css", nil, nil); rec.Code != http.StatusOK {
		t.Errorf("style sheet: %d", rec.Code)
	}
	// Files only: the folder is not listed.
	if rec := f.do("GET", "/static/", nil, nil); rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "app.js") {
		t.Errorf("/static/ lists its files: %d", rec.Code)
	}
}

func TestAnonymousReporterNowhere(t *testing.T) {
	f := newFixture(t)
	c := f.signIn(f.staff, "100")
	for _, p := range staffPages(f) {
		if body := f.do("GET", p, c, nil).Body.String(); strings.Contains(body, reporterName) {
			t.Errorf("%s names the anonymous reporter", p)
		}
	}
	form := url.Values{"q": {"dipukul"}}
	body := f.do("POST", "/laporan", c, form).Body.String()
	if !strings.Contains(body, f.anon.Code) || strings.Contains(body, reporterName) {
		t.Errorf("search: want %s and no name", f.anon.Code)
	}
}

func TestListFiltersAndAuditEachView(t *testing.T) {
	f := newFixture(t)
	c := f.signIn(f.staff, "100")
	before := f.audits("report:list")
	cases := []struct {
		form       url.Values
		has, hasnt string
	}{
		{url.Values{"kec": {kec}}, f.anon.Code, f.named.Code},
		{url.Values{"mendesak": {"1"}}, f.anon.Code, f.named.Code},
		{url.Values{"kategori": {"putus_sekolah"}}, f.named.Code, f.anon.Code},
		{url.Values{"q": {f.named.Code}}, f.named.Code, f.anon.Code},
		{url.Values{"q": {"sekolah lagi"}}, f.named.Code, f.anon.Code},
		{url.Values{"status": {"baru"}}, f.named.Code, f.anon.Code},
		{url.Values{"dari": {"2026-11-24"}}, f.named.Code, f.anon.Code},
	}
	for _, tc := range cases {
		body := f.do("POST", "/laporan", c, tc.form).Body.String()
		if !strings.Contains(body, tc.has) || strings.Contains(body, tc.hasnt) {
			t.Errorf("filter %v: want %s and not %s", tc.form, tc.has, tc.hasnt)
		}
	}
	if n := f.audits("report:list") - before; n != len(cases) {
		t.Errorf("%d audit rows for %d views", n, len(cases))
	}
	// Words searched never go into an address, nor into the audit log.
	if body := f.do("GET", "/laporan?q=lagi", c, nil).Body.String(); !strings.Contains(body, f.anon.Code) {
		t.Error("a search in the address was applied")
	}
	var detail string
	f.scan(&detail, `SELECT group_concat(subject || detail) FROM audit`)
	if strings.Contains(detail, "lagi") || strings.Contains(detail, "dipukul") {
		t.Errorf("audit log holds searched words: %q", detail)
	}
}

func TestTrainingImportShowsLineErrors(t *testing.T) {
	f := newFixture(t)
	c := f.signIn(f.staff, "100")
	body, ctype := multipartFile(t, "berkas", "sesi.csv", "program;judul;mulai;selesai;kapasitas\nxx;Sesi;kemarin;;-1\n")
	req := httptest.NewRequest("POST", "http://klabot.test/pelatihan/impor", body)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(c)
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `class="errors"`) {
		t.Errorf("bad CSV: %d", rec.Code)
	}
	var n int
	f.scan(&n, `SELECT count(*) FROM trainings`)
	if n != 0 {
		t.Errorf("%d trainings saved from a bad file", n)
	}
}

func TestHealthzAndMetrics(t *testing.T) {
	f := newFixture(t)
	f.srv.cfg.Channels = func() []ChannelState { return []ChannelState{{Name: "telegram", Connected: true}} }
	rec := f.do("GET", "/healthz", nil, nil)
	var h struct {
		OK       bool           `json:"ok"`
		Channels []ChannelState `json:"channels"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &h); err != nil || rec.Code != 200 || !h.OK || len(h.Channels) != 1 || !h.Channels[0].Connected {
		t.Errorf("healthz: %d %s", rec.Code, rec.Body.String())
	}
	if rec := f.do("GET", "/metrics", nil, nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("metrics without sign-in: %d", rec.Code)
	}
	rec = f.do("GET", "/metrics", f.signIn(f.staff, "100"), nil)
	for _, want := range []string{"# TYPE klabot_outbox_depth gauge", "klabot_messages_out_total", "klabot_send_errors", "klabot_broadcast_recipients"} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	f.srv.cfg.Metrics = true
	if rec := f.do("GET", "/metrics", nil, nil); rec.Code != http.StatusOK {
		t.Errorf("metrics turned on: %d", rec.Code)
	}
}

// TestChatSignInLink: /masuk in the chat gives staff a link that opens a
// session; a villager gets the staff-only answer and no link.
func TestChatSignInLink(t *testing.T) {
	f := newFixture(t)
	engine := all.NewEngine(flows.Config{Location: wib, WebURL: "http://klabot.test"})
	say := func(userID int64) string {
		var text string
		f.tx(func(tx *store.Tx) error {
			u, err := tx.User(userID)
			if err != nil {
				return err
			}
			if err := tx.SaveSession(userID, store.SessionState{JSON: []byte(`{"flow":"menu","version":1,"step":"main"}`), Flow: "menu"}, f.now); err != nil {
				return err
			}
			msgs, err := engine.Run(tx, flows.Request{User: u, Staff: userID == f.staff, Now: f.now, Channel: "telegram",
				Input: flows.Input{Kind: flows.KindText, Text: "/masuk"}})
			for _, m := range msgs {
				text += m.Reply.Text
			}
			return err
		})
		return text
	}
	link := regexp.MustCompile(`http://klabot\.test/masuk/([A-Za-z0-9_-]{43})`)
	m := link.FindStringSubmatch(say(f.staff))
	if m == nil {
		t.Fatal("no link for staff")
	}
	if rec := f.do("POST", "/masuk/"+m[1], nil, url.Values{}); rec.Code != http.StatusSeeOther {
		t.Errorf("chat link: %d", rec.Code)
	}
	if link.MatchString(say(f.villager)) {
		t.Error("a villager got a link")
	}
	if m := link.FindStringSubmatch(say(f.volunteer)); m == nil {
		t.Error("no link for a volunteer")
	}
	for range 6 {
		say(f.staff)
	}
	if link.MatchString(say(f.staff)) {
		t.Error("links are not rate limited")
	}
}

func TestReportPageRightsAuditAndAnonymity(t *testing.T) {
	f := newFixture(t)
	staff := f.signIn(f.staff, "100")
	before := f.audits("report:view")
	body := f.do("GET", "/laporan/"+f.anon.Code, staff, nil).Body.String()
	if !strings.Contains(body, "anak dipukul") || strings.Contains(body, reporterName) {
		t.Error("staff report page: want the story and no anonymous reporter")
	}
	if body := f.do("GET", "/laporan/"+f.named.Code, staff, nil).Body.String(); !strings.Contains(body, namedName) {
		t.Error("a named reporter is not shown to staff")
	}
	if n := f.audits("report:view") - before; n != 2 {
		t.Errorf("%d audit rows for 2 views", n)
	}
	vol := f.signIn(f.volunteer, "200")
	if rec := f.do("GET", "/laporan/"+f.named.Code, vol, nil); rec.Code != http.StatusNotFound {
		t.Errorf("volunteer on another report: %d", rec.Code)
	}
	if rec := f.do("GET", "/laporan/"+f.anon.Code, vol, nil); rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), reporterName) {
		t.Errorf("volunteer on their report: %d", rec.Code)
	}
	if rec := f.do("GET", "/laporan/"+f.anon.Code+"/bukti/1", vol, nil); rec.Code != http.StatusNotFound {
		t.Errorf("missing evidence: %d", rec.Code)
	}
}

func TestAcceptFromWebTellsReporterOnce(t *testing.T) {
	f := newFixture(t)
	staff := f.signIn(f.staff, "100")
	// A cross-site press changes nothing.
	req := httptest.NewRequest("POST", "http://klabot.test/laporan/"+f.named.Code+"/terima", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(staff)
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("cross-site accept: %d", rec.Code)
	}
	var n int
	f.scan(&n, `SELECT count(*) FROM outbox WHERE address = '500'`)
	if n != 0 {
		t.Fatalf("reporter told %d times after a refused press", n)
	}
	if rec := f.do("POST", "/laporan/"+f.named.Code+"/terima", staff, url.Values{}); rec.Code != http.StatusOK ||
		!strings.Contains(rec.Body.String(), `id="flash"`) {
		t.Fatalf("accept: %d", rec.Code)
	}
	second := f.do("POST", "/laporan/"+f.named.Code+"/terima", staff, url.Values{}).Body.String()
	f.scan(&n, `SELECT count(*) FROM outbox WHERE address = '500'`)
	if n != 1 {
		t.Errorf("reporter told %d times, want once", n)
	}
	var status string
	f.scan(&status, `SELECT status FROM reports WHERE id = ?`, f.named.ID)
	if status != store.StatusAccepted || !strings.Contains(second, "flash") {
		t.Errorf("status %s after two presses", status)
	}
	vol := f.signIn(f.volunteer, "200")
	if rec := f.do("POST", "/laporan/"+f.named.Code+"/terima", vol, url.Values{}); rec.Code != http.StatusNotFound {
		t.Errorf("volunteer accepting another's report: %d", rec.Code)
	}
}

func TestEvidenceServedAfterRightsCheck(t *testing.T) {
	f := newFixture(t)
	dir := f.srv.cfg.DataDir
	photo := filepath.Join(dir, "media", "bukti.jpg")
	os.MkdirAll(filepath.Dir(photo), 0o700)
	os.WriteFile(photo, append([]byte("\xff\xd8\xff\xe0"), bytes.Repeat([]byte{1}, 600)...), 0o600)
	page := filepath.Join(dir, "media", "halaman.html")
	os.WriteFile(page, []byte("<html><script>alert(1)</script></html>"), 0o600)
	f.tx(func(tx *store.Tx) error {
		for _, p := range []string{photo, page} {
			id, err := tx.AddReportMedia(f.anon.ID, store.Media{Kind: "photo", Channel: "telegram", Ref: p}, 0, f.now)
			if err != nil {
				return err
			}
			if err := tx.MediaSaved(id, "x", 1, p); err != nil {
				return err
			}
		}
		return nil
	})
	vol := f.signIn(f.volunteer, "200")
	rec := f.do("GET", "/laporan/"+f.anon.Code+"/bukti/1", vol, nil)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/jpeg" || !strings.Contains(rec.Header().Get("Cache-Control"), "no-store") {
		t.Errorf("photo for the assigned volunteer: %d %v", rec.Code, rec.Header())
	}
	// A file whose content is a web page is never served as one.
	rec = f.do("GET", "/laporan/"+f.anon.Code+"/bukti/2", vol, nil)
	if ct := rec.Header().Get("Content-Type"); ct != "application/octet-stream" || !strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment") {
		t.Errorf("an HTML evidence file goes as %q", ct)
	}
	if n := f.audits("report:media_open"); n != 2 {
		t.Errorf("%d audit rows for 2 files", n)
	}
	// Another volunteer, or a report not theirs: nothing.
	f.tx(func(tx *store.Tx) error { _, err := tx.RemoveVolunteer(f.volunteer, f.staff, f.now); return err })
	if rec := f.do("GET", "/laporan/"+f.anon.Code+"/bukti/1", vol, nil); rec.Code == 200 {
		t.Error("a former volunteer still gets the evidence")
	}
	if rec := f.do("GET", "/laporan/"+f.anon.Code+"/bukti/1", f.signIn(f.staff, "100"), nil); rec.Code != 200 {
		t.Errorf("staff: %d", rec.Code)
	}
}

// The same change from the chat and from the web applies once; the
// second person is told it is done already.
func TestChatThenWebAppliesOnce(t *testing.T) {
	f := newFixture(t)
	engine := all.NewEngine(flows.Config{Location: wib})
	f.tx(func(tx *store.Tx) error {
		u, err := tx.User(f.staff)
		if err != nil {
			return err
		}
		if err := tx.SaveSession(f.staff, store.SessionState{JSON: []byte(`{"flow":"menu","version":1,"step":"main"}`), Flow: "menu"}, f.now); err != nil {
			return err
		}
		msgs, err := engine.Run(tx, flows.Request{User: u, Staff: true, Now: f.now, Channel: "telegram",
			Input: flows.Input{Kind: flows.KindText, Text: "/terima " + f.named.Code}})
		if err != nil {
			return err
		}
		// Queued as the dispatcher queues a turn's messages to others.
		return bot.Deliver(tx, f.srv.cfg.Staff, f.staff, msgs, f.now)
	})
	c := f.signIn(f.staff, "100")
	body := f.do("POST", "/laporan/"+f.named.Code+"/terima", c, url.Values{}).Body.String()
	if !strings.Contains(body, "sudah berstatus") {
		t.Errorf("web press after the chat's: page does not say it is done already")
	}
	var n int
	f.scan(&n, `SELECT count(*) FROM outbox WHERE address = '500'`)
	if n != 1 {
		t.Errorf("reporter told %d times, want once", n)
	}
}

func TestStatusNoteAssignAndVolunteerActions(t *testing.T) {
	f := newFixture(t)
	c := f.signIn(f.staff, "100")
	// A rejection needs a reason: refused without, done with.
	if rec := f.do("POST", "/laporan/"+f.named.Code+"/status", c, url.Values{"to": {"ditolak"}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("rejection without a reason: %d", rec.Code)
	}
	if rec := f.do("POST", "/laporan/"+f.named.Code+"/status", c, url.Values{"to": {"ditolak"}, "note": {"laporan ganda"}}); rec.Code != 200 {
		t.Errorf("rejection with a reason: %d", rec.Code)
	}
	if rec := f.do("POST", "/laporan/"+f.anon.Code+"/catatan", c, url.Values{"note": {"sudah ditelepon"}}); rec.Code != 200 ||
		!strings.Contains(rec.Body.String(), "sudah ditelepon") {
		t.Errorf("note: %d", rec.Code)
	}
	if rec := f.do("POST", "/laporan/"+f.anon.Code+"/tugaskan", c, url.Values{"volunteer": {fmt.Sprint(f.volunteer)}}); rec.Code != 200 ||
		!strings.Contains(rec.Body.String(), "sudah ditugaskan") {
		t.Errorf("assigning to the same volunteer again: %d", rec.Code)
	}
	vol := f.signIn(f.volunteer, "200")
	if rec := f.do("POST", "/laporan/"+f.anon.Code+"/status", vol, url.Values{"to": {"diverifikasi"}}); rec.Code != 200 {
		t.Errorf("volunteer verifies their report: %d", rec.Code)
	}
	if rec := f.do("POST", "/relawan/undang", vol, url.Values{"kec": {kec}}); rec.Code != http.StatusForbidden {
		t.Errorf("volunteer invites: %d", rec.Code)
	}
	rec := f.do("POST", "/relawan/undang", c, url.Values{"kec": {kec}})
	if !regexp.MustCompile(`UND-[0-9A-Z]{4}-[0-9A-Z]{4}`).MatchString(rec.Body.String()) {
		t.Errorf("invite: no code on the page (%d)", rec.Code)
	}
	rec = f.do("POST", "/relawan/akhiri", c, url.Values{"user": {fmt.Sprint(f.volunteer)}})
	if !strings.Contains(rec.Body.String(), "bukan lagi relawan") {
		t.Errorf("end role: %d", rec.Code)
	}
	if rec := f.do("GET", "/laporan", vol, nil); rec.Code != http.StatusSeeOther {
		t.Errorf("a volunteer whose role ended still signed in: %d", rec.Code)
	}
}

// upload posts a multipart form with one file as a page of the site.
func (f *fixture) upload(target string, c *http.Cookie, field, name, content string, values url.Values) *httptest.ResponseRecorder {
	f.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, vs := range values {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	part, _ := w.CreateFormFile(field, name)
	part.Write([]byte(content))
	w.Close()
	req := httptest.NewRequest("POST", "http://klabot.test"+target, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(c)
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

func TestTrainingImportAndSessionPage(t *testing.T) {
	f := newFixture(t)
	c := f.signIn(f.staff, "100")
	day := f.now.AddDate(0, 0, 7).Format("02-01-2006")
	csv := "program;title;kecamatan;place;starts_at;ends_at;capacity\n" +
		"satgas;Kelas Satgas;Bengkayang;Kantor Dinas;" + day + " 09:00;12:00;2\n"
	rec := f.upload("/pelatihan/impor", c, "berkas", "sesi.csv", csv, nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Kelas Satgas") {
		t.Fatalf("good CSV: %d %s", rec.Code, rec.Body.String())
	}
	var actor string
	f.scan(&actor, `SELECT actor FROM audit WHERE action = 'training_import'`)
	if actor != fmt.Sprintf("user:%d", f.staff) {
		t.Errorf("import audited as %q, want the staff member", actor)
	}
	var id int64
	var code string
	f.scan(&id, `SELECT id FROM trainings`)
	f.scan(&code, `SELECT attendance_code FROM trainings`)
	page := f.do("GET", fmt.Sprintf("/pelatihan/%d", id), c, nil).Body.String()
	if !strings.Contains(page, code) || !strings.Contains(page, "2 kursi") {
		t.Errorf("session page lacks the attendance code %s or seats", code)
	}
	if n := f.audits("training:view"); n != 1 {
		t.Errorf("%d audit rows for one session view", n)
	}
}

func TestBroadcastPreviewPhotoAndControls(t *testing.T) {
	f := newFixture(t)
	c := f.signIn(f.staff, "100")
	png := "\x89PNG\r\n\x1a\n" + strings.Repeat("\x00", 64)
	rec := f.upload("/siaran/pratinjau", c, "foto", "foto.png", png, url.Values{"text": {"Rapat <b>Sabtu</b>"}, "kind": {"kec"}, "value_kec": {kec}})
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "Rapat &lt;b&gt;Sabtu&lt;/b&gt;") || !strings.Contains(body, "BERHENTI") {
		t.Fatalf("preview: %d (the text escaped, with the footer as received)", rec.Code)
	}
	photo := regexp.MustCompile(`/siaran-foto/(web-[A-Za-z0-9_-]+\.png)`).FindStringSubmatch(body)
	if photo == nil {
		t.Fatal("no photo in the preview")
	}
	if rec := f.do("GET", photo[0], c, nil); rec.Code != 200 || rec.Header().Get("Content-Type") != "image/png" {
		t.Errorf("photo: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if rec := f.upload("/siaran/pratinjau", c, "foto", "x.png", "<html>", url.Values{"text": {"x"}, "kind": {"all"}}); rec.Code != http.StatusBadRequest {
		t.Errorf("a page as a photo: %d", rec.Code)
	}
	nonce := regexp.MustCompile(`name="nonce" value="([^"]+)"`).FindStringSubmatch(body)[1]
	// At 22:00 the chat's night rule: "now" is offered after 06:00 first.
	f.now = time.Date(2026, 11, 24, 22, 0, 0, 0, wib)
	evening := f.signIn(f.staff, "100")
	night := f.upload("/siaran/pratinjau", evening, "foto", "", "", url.Values{"text": {"Malam"}, "kind": {"all"}}).Body.String()
	if !strings.Contains(night, `id="send-morning"`) {
		t.Error("no 06:00 offer at night")
	}
	if rec := f.do("POST", "/siaran/kirim", evening, url.Values{"text": {"Malam"}, "kind": {"all"}, "when": {"schedule"},
		"at": {"2026-11-24T23:30"}, "nonce": {strings.Repeat("n", 40)}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("scheduled at night: %d", rec.Code)
	}
	f.now = time.Date(2026, 11, 24, 9, 0, 0, 0, wib)
	rec = f.do("POST", "/siaran/kirim", c, url.Values{"text": {"Rapat <b>Sabtu</b>"}, "kind": {"kec"}, "value": {kec},
		"photo": {photo[1]}, "when": {"schedule"}, "at": {"2026-11-25T10:00"}, "nonce": {nonce}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("schedule: %d %s", rec.Code, rec.Body.String())
	}
	where := rec.Header().Get("Location")
	var path string
	f.scan(&path, `SELECT photo_path FROM broadcasts`)
	if filepath.Base(path) != photo[1] {
		t.Errorf("photo path %q", path)
	}
	if body := f.do("POST", where+"/jeda", c, url.Values{}).Body.String(); !strings.Contains(body, "tidak bisa") {
		t.Error("a scheduled broadcast was paused")
	}
	// The broadcaster starts it.
	f.tx(func(tx *store.Tx) error {
		var id int64
		fmt.Sscan(strings.TrimPrefix(where, "/siaran/"), &id)
		_, err := tx.StartBroadcast(id, f.now)
		return err
	})
	for _, step := range []struct{ action, want string }{
		{"jeda", "dijeda"}, {"jeda", "sudah"}, {"lanjut", "dilanjutkan"}, {"batal", "dibatalkan"}, {"batal", "sudah"},
	} {
		body := f.do("POST", where+"/"+step.action, c, url.Values{}).Body.String()
		if !strings.Contains(body, step.want) {
			t.Errorf("%s: page lacks %q", step.action, step.want)
		}
	}
	if rec := f.do("GET", where+"/progres", c, nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"final":true`) {
		t.Errorf("progress: %d %s", rec.Code, rec.Body.String())
	}
}

func TestPagesInEnglishForStaffWhoChoseIt(t *testing.T) {
	f := newFixture(t)
	f.tx(func(tx *store.Tx) error {
		u, err := tx.User(f.staff)
		if err != nil {
			return err
		}
		u.Lang = "en"
		return tx.SaveUser(u)
	})
	body := f.do("GET", "/laporan", f.signIn(f.staff, "100"), nil).Body.String()
	if !strings.Contains(body, "Sign out") || !strings.Contains(body, `lang="en"`) {
		t.Error("the list is not in English")
	}
}

func TestRecapSameNumbersAsTheCLI(t *testing.T) {
	f := newFixture(t)
	c := f.signIn(f.staff, "100")
	body := f.do("GET", "/rekap?bulan=2026-11", c, nil).Body.String()
	// Section titles span the table rather than squeeze into its first column.
	if !regexp.MustCompile(`<th colspan="\d+" class="section">A\. `).MatchString(body) {
		t.Error("the recap's section titles do not span the table")
	}
	var want string
	f.db.View(context.Background(), func(tx *store.Tx) error {
		from := time.Date(2026, 11, 1, 0, 0, 0, 0, wib)
		rc, err := exportdata.BuildRecap(tx, from, from.AddDate(0, 1, 0), f.now, wib)
		want = recap.Summary("id", rc, recap.MonthName("id", from))
		return err
	})
	if !strings.Contains(body, html.EscapeString(want)) {
		t.Errorf("recap page lacks the CLI's summary:\n%s", want)
	}
	csv := f.do("GET", "/rekap/unduh/rekap-kla-2026-11.csv", c, nil)
	if !strings.HasPrefix(csv.Header().Get("Content-Disposition"), "attachment") || strings.Contains(csv.Body.String(), reporterName) {
		t.Error("CSV download")
	}
	if rec := f.do("GET", "/rekap/unduh/rekap-kla-2027-01.csv", c, nil); rec.Code != http.StatusNotFound {
		t.Errorf("a month to come: %d", rec.Code)
	}
}

func TestServeAnswersAndStops(t *testing.T) {
	f := newFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.srv.Serve(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthz over the network: %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the dashboard did not stop")
	}
}

func TestAudienceCountAndRemindersPage(t *testing.T) {
	f := newFixture(t)
	c := f.signIn(f.staff, "100")
	rec := f.do("GET", "/siaran/hitung?kind=all", c, nil)
	var count struct{ Text string }
	if err := json.Unmarshal(rec.Body.Bytes(), &count); err != nil || !strings.Contains(count.Text, "diterima") {
		t.Errorf("audience count: %d %s", rec.Code, rec.Body.String())
	}
	rec = f.do("GET", "/siaran/hitung?kind=kec&value=nowhere", c, nil)
	if !strings.Contains(rec.Body.String(), "Pilih penerima") {
		t.Errorf("an unknown kecamatan: %s", rec.Body.String())
	}
	var next time.Time
	f.tx(func(tx *store.Tx) error {
		spec, err := recurrence.ParseSpec("0 8 * * 1")
		if err != nil {
			return err
		}
		r, err := tx.CreateRecurringReminder(store.RecurringReminder{Spec: spec.Text, NextDueAt: spec.Next(f.now, wib),
			Message: "Rapat mingguan Satgas", Audience: store.AudienceSatgas, CreatedBy: f.staff}, f.now)
		next = r.NextDueAt
		return err
	})
	body := f.do("GET", "/pengingat", c, nil).Body.String()
	if !strings.Contains(body, "Rapat mingguan Satgas") || !strings.Contains(body, next.In(wib).Format("02-01-2006 15:04")) {
		t.Errorf("reminders page lacks the reminder or its next run %v", next)
	}
}

func TestPlacesCountOpenAndClosed(t *testing.T) {
	f := newFixture(t)
	body := f.do("GET", "/wilayah", f.signIn(f.staff, "100"), nil).Body.String()
	// One open report in Sanggau Ledo, one without a place.
	if !regexp.MustCompile(`Sanggau Ledo</a></td>\s*<td class="n">1</td><td class="n">0</td>`).MatchString(body) {
		t.Error("Sanggau Ledo: want 1 open, 0 closed")
	}
	if !strings.Contains(body, "<svg") || strings.Contains(body, "style=") {
		t.Error("bars must be SVG, without inline style")
	}
}

// A file too large says so, and a file wrong on every line lists the
// first mistakes and how many more, not a page of thousands.
func TestTrainingImportTooLargeOrWrongEverywhere(t *testing.T) {
	f := newFixture(t)
	c := f.signIn(f.staff, "100")
	big := "program;judul;mulai;selesai;kapasitas\n" + strings.Repeat("x", maxUpload+1)
	if rec := f.upload("/pelatihan/impor", c, "berkas", "besar.csv", big, nil); rec.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(rec.Body.String(), "Berkas terlalu besar") {
		t.Errorf("too large: %d %s", rec.Code, flash(rec.Body.String()))
	}
	var lines strings.Builder
	lines.WriteString("program;title;kecamatan;place;starts_at;ends_at;capacity\n")
	for i := 0; i < 500; i++ {
		lines.WriteString("xx;Sesi;Ledo;Aula;kemarin;;-1\n")
	}
	rec := f.upload("/pelatihan/impor", c, "berkas", "salah.csv", lines.String(), nil)
	page := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity || strings.Count(page, "<li>") > maxProblemsShown+10 || !strings.Contains(page, "kesalahan lain") {
		t.Errorf("every line wrong: %d, %d items listed", rec.Code, strings.Count(page, "<li>"))
	}
}

// Every action the dashboard has, posted from another site, is refused
// and changes nothing: not one audit row, not one message queued.
func TestCrossSitePostToEveryActionRefused(t *testing.T) {
	f := newFixture(t)
	c := f.signIn(f.staff, "100")
	var audits, queued int
	f.scan(&audits, `SELECT count(*) FROM audit`)
	f.scan(&queued, `SELECT count(*) FROM outbox`)
	code := f.named.Code
	for _, path := range []string{"/masuk/" + strings.Repeat("t", 43), "/keluar", "/laporan",
		"/laporan/" + code + "/terima", "/laporan/" + code + "/status", "/laporan/" + code + "/tugaskan",
		"/laporan/" + code + "/catatan", "/laporan/" + code + "/tanya",
		"/relawan/undang", "/relawan/akhiri", "/pelatihan/impor",
		"/siaran/pratinjau", "/siaran/kirim", "/siaran/1/jeda", "/siaran/1/lanjut", "/siaran/1/batal"} {
		form := url.Values{"note": {"x"}, "question": {"Di mana?"}, "to": {"diterima"}, "volunteer": {"4"},
			"text": {"Rapat"}, "kind": {"all"}, "when": {"now"}, "kec": {"Ledo"}}
		req := httptest.NewRequest("POST", "http://klabot.test"+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "http://evil.example")
		req.AddCookie(c)
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Errorf("cross-site POST %s: %d, want 403", path, rec.Code)
		}
	}
	var auditsAfter, queuedAfter int
	f.scan(&auditsAfter, `SELECT count(*) FROM audit`)
	f.scan(&queuedAfter, `SELECT count(*) FROM outbox`)
	if auditsAfter != audits || queuedAfter != queued {
		t.Errorf("cross-site POSTs changed things: audit %d → %d, outbox %d → %d", audits, auditsAfter, queued, queuedAfter)
	}
	// The session survived the forged sign-out.
	if rec := f.do("GET", "/laporan", c, nil); rec.Code != http.StatusOK {
		t.Errorf("after a forged sign-out: %d", rec.Code)
	}
}
