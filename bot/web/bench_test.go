package web

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"klabot/flows/menu"
	"klabot/flows/wilayah"
	"klabot/store"
)

// benchReports is how many reports the list benchmarks seed.
const benchReports = 100_000

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// seededDB is a database with benchReports reports spread over the
// kecamatans, categories and statuses, made once for all benchmarks.
func seededDB(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "klabot-bench-")
		if benchErr != nil {
			return
		}
		path := filepath.Join(benchDir, "klabot.db")
		db, err := store.Open(context.Background(), path)
		if err != nil {
			benchErr = err
			return
		}
		defer db.Close()
		kecs := wilayah.Kecamatans()
		cats := categoryKeys()
		rnd := rand.New(rand.NewPCG(1, 2))
		start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		for batch := 0; batch < benchReports/5000 && benchErr == nil; batch++ {
			benchErr = db.Tx(context.Background(), func(tx *store.Tx) error {
				u, _, err := tx.UserByContact(store.Contact{Channel: "telegram", Address: fmt.Sprint(batch)}, "id", start)
				if err != nil {
					return err
				}
				for i := range 5000 {
					k := kecs[rnd.IntN(len(kecs))]
					desas := wilayah.DesaOf(k.Code)
					r := store.Report{Category: cats[rnd.IntN(len(cats))], KecCode: k.Code, DesaCode: desas[rnd.IntN(len(desas))].Code,
						Description: "cerita laporan nomor " + fmt.Sprint(batch*5000+i), Anonymous: true, ReporterID: u.ID,
						Urgent: rnd.IntN(10) == 0}
					at := start.Add(time.Duration(batch*5000+i) * 5 * time.Minute)
					if err := tx.CreateReport(&r, crand{rnd}, at); err != nil {
						return err
					}
					if rnd.IntN(3) == 0 {
						if _, err := tx.ChangeReportStatus(r.ID, store.StatusAccepted, u.ID, store.RoleStaff, "", at); err != nil {
							return err
						}
					}
				}
				return nil
			})
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return filepath.Join(benchDir, "klabot.db")
}

// crand makes report codes from the benchmark's seeded source.
type crand struct{ r *rand.Rand }

func (c crand) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c.r.Uint32())
	}
	return len(p), nil
}

// benchServer opens the seeded database with a signed-in staff member.
func benchServer(b *testing.B) (*Server, *store.DB, *http.Cookie) {
	db, err := store.Open(context.Background(), seededDB(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	var userID int64
	token, _ := menu.NewWebToken(crand{rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 4))})
	now := time.Now()
	err = db.Tx(context.Background(), func(tx *store.Tx) error {
		u, _, err := tx.UserByContact(store.Contact{Channel: "telegram", Address: "100"}, "id", now)
		userID = u.ID
		if err != nil {
			return err
		}
		return tx.AddWebLogin(token, userID, store.Contact{Channel: "telegram", Address: "100"}, now, now.Add(time.Minute))
	})
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(db, Config{BaseURL: "http://klabot.test", Staff: map[string]bool{"telegram:100": true}})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("POST", "http://klabot.test/masuk/"+token, nil)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	cookies := rec.Result().Cookies()
	if len(cookies) == 0 {
		b.Fatalf("sign in: %d", rec.Code)
	}
	return s, db, cookies[0]
}

// BenchmarkReportList measures the server time of the report list over
// 100,000 reports, and reports the 95th percentile as p95-ms.
func BenchmarkReportList(b *testing.B) {
	s, _, cookie := benchServer(b)
	h := s.Handler()
	cases := []struct {
		name string
		form url.Values
	}{
		{"first_page", nil},
		{"kecamatan", url.Values{"kec": {wilayah.Kecamatans()[3].Code}}},
		{"kecamatan_page_5", url.Values{"kec": {wilayah.Kecamatans()[3].Code}, "hal": {"5"}}},
		{"words", url.Values{"q": {"nomor 4242"}}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var times []time.Duration
			for b.Loop() {
				var req *http.Request
				if c.form == nil {
					req = httptest.NewRequest("GET", "http://klabot.test/laporan", nil)
				} else {
					req = httptest.NewRequest("POST", "http://klabot.test/laporan", strings.NewReader(c.form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				req.AddCookie(cookie)
				rec := httptest.NewRecorder()
				t0 := time.Now()
				h.ServeHTTP(rec, req)
				times = append(times, time.Since(t0))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
			slices.Sort(times)
			p95 := times[len(times)*95/100]
			b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
		})
	}
}

// BenchmarkPageWeight reports the bytes of the report list page with the
// style sheet and script it loads (the page is the heaviest: 25 rows and
// every filter's choices).
func BenchmarkPageWeight(b *testing.B) {
	s, _, cookie := benchServer(b)
	h := s.Handler()
	get := func(path string, c *http.Cookie) int {
		req := httptest.NewRequest("GET", "http://klabot.test"+path, nil)
		if c != nil {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d", path, rec.Code)
		}
		return rec.Body.Len()
	}
	var total int
	for b.Loop() {
		total = get("/laporan", cookie) + get("/static/style.css", nil) + get("/static/app.js", nil)
	}
	b.ReportMetric(float64(total)/1024, "KB")
}

// BenchmarkDashboardMemory reports the heap the dashboard keeps after
// serving every page once (templates, sessions, caches), in MB.
func BenchmarkDashboardMemory(b *testing.B) {
	var heap float64
	_, db, cookie := benchServer(b) // the database is klabot's own, not the dashboard's
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		s, err := New(db, Config{BaseURL: "http://klabot.test", Staff: map[string]bool{"telegram:100": true}})
		if err != nil {
			b.Fatal(err)
		}
		h := s.Handler()
		for _, p := range []string{"/laporan", "/wilayah", "/relawan", "/pelatihan", "/siaran", "/pengingat", "/rekap"} {
			req := httptest.NewRequest("GET", "http://klabot.test"+p, nil)
			req.AddCookie(cookie)
			h.ServeHTTP(httptest.NewRecorder(), req)
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		heap = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
		runtime.KeepAlive(s)
	}
	b.ReportMetric(heap, "heap-MB")
}
