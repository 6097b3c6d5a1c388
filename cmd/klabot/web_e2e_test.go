package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium finds a Chromium to drive: skipped locally without one, a
// failure under CI, which must run the browser tests.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found; CI must run the browser tests (apt-get install -y chromium)")
	}
	t.Skip("no Chromium found: install it (apt-get install -y chromium) to run the browser tests")
	return ""
}

// freeAddr is a local address nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// artefact is where a test keeps its screenshots: $KLABOT_ARTEFACTS, or a
// folder under the test's own temporary one.
func artefact(t *testing.T, name string) string {
	dir := os.Getenv("KLABOT_ARTEFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "klabot-artefacts")
	}
	os.MkdirAll(dir, 0o755)
	return filepath.Join(dir, name)
}

func screenshot(t *testing.T, name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		buf, err := chromedp.FullScreenshot(100)(ctx, tg)
		if err != nil {
			return chromedp.Void{}, err
		}
		path := artefact(t, name)
		t.Logf("screenshot %s", path)
		return chromedp.Void{}, os.WriteFile(path, buf, 0o644)
	}
}

// landed runs a step that follows a click which loads a new page. While
// the old page is being replaced, Chromium answers a query with "Cannot
// find context with specified id" (or "Execution context was destroyed"):
// the step is tried again on the new page, until the context's deadline.
func landed[T any](a chromedp.Action[T]) chromedp.Action[T] {
	return func(ctx context.Context, tg *chromedp.Target) (T, error) {
		for {
			v, err := a(ctx, tg)
			if err == nil || ctx.Err() != nil ||
				!strings.Contains(err.Error(), "Cannot find context with specified id") &&
					!strings.Contains(err.Error(), "Execution context was destroyed") {
				return v, err
			}
		}
	}
}

// read stores an action's value for the test.
func read[T any](a chromedp.Action[T], into *T) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, tg)
		*into = v
		return chromedp.Void{}, err
	}
}

var signInLink = regexp.MustCompile(`http://127\.0\.0\.1:\d+/masuk/[A-Za-z0-9_-]{43}`)

// The dashboard in a real headless Chromium: staff sign in with the link
// klabot sent in the fake Telegram, filter the list, open a report and
// press Terima, and the reporter hears of it in Telegram; then a small
// broadcast goes out from the Siaran page and reaches people.
func TestWebDashboardInChromium(t *testing.T) {
	browser := chromium(t)
	srv := newServer(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	startKlabot(t, srv, dir, map[string]string{"KLABOT_STAFF": "telegram:9001", "KLABOT_WEB_ADDR": addr})

	staff := newPerson(t, srv, 9001, "Ani")
	reporter := newPerson(t, srv, 48213, "Rina")
	staff.start("Lainnya")
	summary := reporter.draftReport("Putus sekolah", func() {
		reporter.waitFor("Di kecamatan mana?")
		reporter.send("sgu ledo")
		reporter.press(reporter.waitFor("Kecamatan Sanggau Ledo"), "Bange")
		reporter.press(reporter.waitFor("Ceritakan tempatnya"), "Lewati")
	}, "Anak itu tidak sekolah lagi, ikut memanen sawit setiap hari.")
	reporter.press(summary, "Kirim laporan")
	code := reportCodeRe.FindString(reporter.waitFor("Kode laporan").Text)
	staff.waitFor("LAPORAN BARU " + code)

	staff.send("/masuk")
	link := signInLink.FindString(staff.waitFor("/masuk/").Text)
	if link == "" || !strings.Contains(link, addr) {
		t.Fatalf("no sign-in link for %s in the chat", addr)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.WindowSize(1366, 768),
		chromedp.NoSandbox, chromedp.Flag("disable-dev-shm-usage", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	// The browser lives as long as the context of the first run: the
	// deadline goes on the steps, not on it.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	ctx, cancelTime := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTime()

	var listText, status, flash string
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	err := chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(css("#signin")),
		chromedp.Click(css("#signin")),
		landed(chromedp.WaitVisible(css("#filters"))),
		screenshot(t, "dasbor-laporan.png"),
		// Filter by the report's kecamatan: the report is there.
		chromedp.SetValue(css(`select[name="kec"]`), "61.07.06"),
		chromedp.Click(css("#apply")),
		landed(chromedp.WaitVisible(css(`select[name="desa"]`))),
		chromedp.WaitVisible(css(`a[href="/laporan/`+code+`"]`)),
		read(chromedp.Text(css("#filters")), &listText),
		chromedp.Click(css(`a[href="/laporan/`+code+`"]`)),
		landed(chromedp.WaitVisible(css("#accept"))),
		screenshot(t, "dasbor-laporan-detail.png"),
		chromedp.Click(css("#accept")),
		landed(chromedp.WaitVisible(css("#flash"))),
		read(chromedp.Text(css("#flash")), &flash),
		read(chromedp.Text(css("#status")), &status),
	)
	if err != nil {
		t.Fatalf("report journey: %v", err)
	}
	if !strings.Contains(listText, code) || strings.Contains(listText, "Rina") {
		t.Errorf("filtered list: %q", listText)
	}
	if !strings.Contains(status, "Diterima") {
		t.Errorf("status after Terima: %q (page said %q)", status, flash)
	}
	reporter.waitFor("Diterima petugas. Petugas dinas sedang mempelajari")

	var progress string
	err = chromedp.Do(ctx,
		chromedp.Navigate("http://"+addr+"/siaran"),
		landed(chromedp.WaitVisible(css("#compose"))),
		chromedp.SendKeys(css(`textarea[name="text"]`), "Rapat Satgas PA hari Sabtu pukul 09.00."),
		chromedp.Click(css("#preview")),
		landed(chromedp.WaitVisible(css("#bubble"))),
		screenshot(t, "dasbor-siaran.png"),
		chromedp.Click(css("#send-now")),
		landed(chromedp.WaitVisible(css("#bc-progress"))),
		read(chromedp.Poll[bool](`document.getElementById("bc-progress").textContent.includes("Terkirim 2 dari 2")`,
			chromedp.WithPollingTimeout(30*time.Second)), new(bool)),
		read(chromedp.Text(css("#bc-progress")), &progress),
	)
	if err != nil {
		t.Fatalf("broadcast journey: %v (progress %q)", err, progress)
	}
	reporter.waitFor("Rapat Satgas PA hari Sabtu")
	staff.waitFor("Rapat Satgas PA hari Sabtu")
	t.Logf("broadcast: %s", progress)

	// On a phone the list still fits the screen's width.
	var width int
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate("http://"+addr+"/laporan"),
		chromedp.WaitVisible(css("#filters")),
		read(chromedp.Evaluate[int](`document.documentElement.scrollWidth`), &width),
		screenshot(t, "dasbor-ponsel.png"),
	)
	if err != nil {
		t.Fatalf("phone: %v", err)
	}
	if width > 390 {
		t.Errorf("the list is %d px wide on a 390 px phone", width)
	}
}
