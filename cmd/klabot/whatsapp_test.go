package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types/events"

	"klabot/bot"
	"klabot/bot/telegram/fakeapi"
	"klabot/bot/whatsapp"
	"klabot/bot/whatsapp/fakewa"
	"klabot/store"
)

func TestWhatsAppSettings(t *testing.T) {
	var errOut bytes.Buffer
	cfg, err := loadConfig(newFlagSet(&errOut), nil, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.WhatsApp || cfg.WhatsAppBulkMin != 4*time.Second || cfg.WhatsAppBulkMax != 8*time.Second || cfg.WhatsAppDailyCap != 300 {
		t.Errorf("defaults: on %v, pause %s-%s, cap %d", cfg.WhatsApp, cfg.WhatsAppBulkMin, cfg.WhatsAppBulkMax, cfg.WhatsAppDailyCap)
	}
	cfg, err = loadConfig(newFlagSet(&errOut), []string{"--whatsapp-daily-cap", "50"}, envOf(map[string]string{
		"KLABOT_WHATSAPP": "ON", "KLABOT_WHATSAPP_BULK_MIN": "5", "KLABOT_WHATSAPP_BULK_MAX": "1m",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.WhatsApp || cfg.WhatsAppBulkMin != 5*time.Second || cfg.WhatsAppBulkMax != time.Minute || cfg.WhatsAppDailyCap != 50 {
		t.Errorf("set: on %v, pause %s-%s, cap %d", cfg.WhatsApp, cfg.WhatsAppBulkMin, cfg.WhatsAppBulkMax, cfg.WhatsAppDailyCap)
	}
	if l := whatsappLimits(cfg); l.Bulk == nil || l.Bulk.Min != 5*time.Second || l.Bulk.DailyCap != 50 || l.Bulk.Location == nil {
		t.Errorf("the WhatsApp sender is not paced as configured: %+v", l.Bulk)
	}
}

// KLABOT_WHATSAPP=on with no linked number: one line saying what to run.
func TestWhatsAppWithoutSessionSaysToLogin(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var out, errOut bytes.Buffer
	code := run(context.Background(), nil, strings.NewReader(""), &out, &errOut,
		envOf(map[string]string{"KLABOT_DATA_DIR": dir, "KLABOT_WHATSAPP": "on"}))
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if code != 2 || len(lines) != 1 || !strings.Contains(lines[0], "klabot whatsapp login") {
		t.Errorf("exit %d, stderr %q; want exit 2 and one line naming the login command", code, errOut.String())
	}
	if info, err := os.Stat(filepath.Join(dir, whatsapp.SessionFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("session file: %v %v, want mode 600", info, err)
	}
}

// With Telegram configured too, the missing session is said once and
// Telegram works.
func TestWhatsAppWithoutSessionKeepsTelegram(t *testing.T) {
	srv := newServer(t)
	p := startKlabot(t, srv, t.TempDir(), map[string]string{"KLABOT_WHATSAPP": "on"})
	u := fakeapi.User{ID: 5301, FirstName: "Joko"}
	srv.SendText(u.ID, u, "/start")
	lastTo(t, srv, u.ID, 1)
	if !strings.Contains(p.logs.String(), "klabot whatsapp login") {
		t.Errorf("no word about the missing WhatsApp session:\n%s", p.logs.String())
	}
}

func TestWhatsAppCommandsWithoutSession(t *testing.T) {
	env := envOf(map[string]string{"KLABOT_DATA_DIR": filepath.Join(t.TempDir(), "data")})
	cases := []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"whatsapp", "status"}, 0, "Belum ada nomor WhatsApp", ""},
		{[]string{"whatsapp", "logout"}, 0, "Belum ada nomor WhatsApp", ""},
		{[]string{"whatsapp"}, 2, "", "klabot whatsapp login"},
		{[]string{"whatsapp", "pair"}, 2, "", `unknown whatsapp command "pair"`},
		{[]string{"whatsapp", "login", "--phone", "0812345678"}, 2, "", "--phone: must be the number starting with 62"},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		code := run(context.Background(), c.args, strings.NewReader(""), &out, &errOut, env)
		if code != c.code || !strings.Contains(out.String(), c.out) || !strings.Contains(errOut.String(), c.err) {
			t.Errorf("%v: exit %d\nstdout %q\nstderr %q", c.args, code, out.String(), errOut.String())
		}
	}
}

// withFakeWhatsApp makes "klabot run" use wa instead of whatsmeow, and
// answer faster than a person types, so conversations in tests are quick.
func withFakeWhatsApp(t *testing.T, wa *fakewa.Client) {
	prevClient, prevLimits := whatsappClient, whatsappLimits
	whatsappClient = func(context.Context, string, *slog.Logger) (whatsapp.Client, func(), error) {
		return wa, func() {}, nil
	}
	whatsappLimits = func(cfg config) bot.Limits {
		l := prevLimits(cfg)
		l.PerSecond, l.PerChatPerSecond = 1000, 1000
		return l
	}
	t.Cleanup(func() { whatsappClient, whatsappLimits = prevClient, prevLimits })
}

// startWhatsAppOnly runs "klabot run" with WhatsApp (the fake) as its only
// channel.
func startWhatsAppOnly(t *testing.T, dataDir string, env map[string]string) (*fakewa.Client, *klabotProcess) {
	t.Helper()
	wa := fakewa.New()
	withFakeWhatsApp(t, wa)
	all := map[string]string{"KLABOT_DATA_DIR": dataDir, "KLABOT_WHATSAPP": "on", "KLABOT_LOG_LEVEL": "debug"}
	for k, v := range env {
		all[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &klabotProcess{cancel: cancel, exit: make(chan int, 1), logs: &syncBuffer{}}
	go func() {
		p.exit <- run(ctx, []string{"run"}, strings.NewReader(""), &bytes.Buffer{}, p.logs, envOf(all))
	}()
	t.Cleanup(func() { p.stop(t) })
	waitConnected(t, wa)
	return wa, p
}

func waitConnected(t *testing.T, wa *fakewa.Client) {
	t.Helper()
	if err := wa.WaitFor(waitCtx(t), func() bool { return wa.Connects() > 0 }); err != nil {
		t.Fatal("klabot never connected to WhatsApp")
	}
}

// onboardWA takes a WhatsApp person from hello to the main menu.
func onboardWA(p *fakewa.Person, role string) fakewa.Sent {
	p.SayAndWait("halo", "Apakah Anda setuju?")
	p.SayAndWait("1", "Anda siapa?")
	return p.SayAndWait(role, "Menu utama")
}

// klabot with WhatsApp only: a villager and a staff member (from
// KLABOT_STAFF) chat in numbered text; staff see their menu and can type
// staff commands.
func TestWhatsAppOnlyRun(t *testing.T) {
	wa, _ := startWhatsAppOnly(t, t.TempDir(), map[string]string{"KLABOT_STAFF": "whatsapp:6281111111111"})
	ani := wa.Person(t, "6281200000001")
	menu := onboardWA(ani, "warga")
	ani.Expect(menu.Text, "1. Laporkan kasus", "5. Info & nomor darurat")
	if strings.Contains(menu.Text, "Menu petugas") {
		t.Error("a villager sees the staff menu")
	}
	ani.Expect(ani.Say("lima"), "SAPA 129", "08111-129-129")

	staff := wa.Person(t, "6281111111111")
	staffMenu := onboardWA(staff, "5")
	staff.Expect(staffMenu.Text, "Menu petugas")
	staff.Expect(staff.Say("menu petugas"), "Menu petugas. Pilih nomor:")
}

// Telegram and WhatsApp together: staff on Telegram hear when WhatsApp is
// banned and when it is logged out; WhatsApp stops, Telegram goes on; one
// person links their two accounts.
func TestWhatsAppTroubleToldOnTelegram(t *testing.T) {
	wa := fakewa.New()
	withFakeWhatsApp(t, wa)
	srv := newServer(t)
	p := startKlabot(t, srv, t.TempDir(), map[string]string{"KLABOT_WHATSAPP": "on", "KLABOT_STAFF": "telegram:9101"})
	waitConnected(t, wa)

	// One person on both: a code made on Telegram links WhatsApp.
	rina := fakeapi.User{ID: 5401, FirstName: "Rina"}
	srv.SendText(rina.ID, rina, "/start")
	press(t, srv, rina, lastTo(t, srv, rina.ID, 1), "Setuju")
	press(t, srv, rina, lastTo(t, srv, rina.ID, 2), "Warga")
	lastTo(t, srv, rina.ID, 3)
	srv.SendText(rina.ID, rina, "/hubungkan")
	press(t, srv, rina, lastTo(t, srv, rina.ID, 4), "Buat kode")
	made := lastTo(t, srv, rina.ID, 5)
	code := regexp.MustCompile(`/hubungkan ([0-9]{6})`).FindStringSubmatch(made.Text)
	if code == nil {
		t.Fatalf("no code in %q", made.Text)
	}
	rinaWA := wa.Person(t, "6281200000009")
	onboardWA(rinaWA, "1")
	rinaWA.SayAndWait("/hubungkan "+code[1], "sudah terhubung")

	wa.Emit(&events.TemporaryBan{Code: events.TempBanBlockedByUsers, Expire: 3 * time.Hour})
	const staffID = 9101
	if m := lastTo(t, srv, staffID, 1); !strings.Contains(m.Text, "memblokir sementara nomor kantor. Alasan: terlalu banyak orang memblokir nomor kantor") {
		t.Errorf("ban notice to staff: %q", m.Text)
	}

	wa.Emit(&events.LoggedOut{Reason: events.ConnectFailureLoggedOut})
	if m := lastTo(t, srv, staffID, 2); !strings.Contains(m.Text, "WhatsApp kantor terputus") {
		t.Errorf("logout notice to staff: %q", m.Text)
	}
	if err := wa.WaitFor(waitCtx(t), func() bool { return !wa.IsConnected() }); err != nil {
		t.Error("WhatsApp still connected after the logout")
	}
	// Telegram goes on, for the linked person too.
	srv.SendText(rina.ID, rina, "menu")
	if m := lastTo(t, srv, rina.ID, 6); !strings.Contains(m.Text, "Menu utama") {
		t.Errorf("Telegram after WhatsApp stopped: %q", m.Text)
	}
	if n := len(wa.SentTo("6281200000009")); n != 4 {
		t.Errorf("%d WhatsApp messages; want the 4 from before the ban", n)
	}
	p.stop(t) // exits 0
}

// The whole path over WhatsApp: a report with a photo from a villager,
// the alert to staff on WhatsApp, the photo downloaded as evidence; then a
// training registration with the number from a contact card.
func TestWhatsAppReportAndRegistration(t *testing.T) {
	dir := t.TempDir()
	loc, _ := time.LoadLocation("Asia/Pontianak")
	day := time.Now().In(loc).AddDate(0, 0, 7)
	csv := "program,title,kecamatan,place,starts_at,ends_at,capacity\n" +
		"satgas,Kelas Satgas,Bengkayang,Kantor Dinas," + day.Format("02-01-2006") + " 09:00,12:00,5\n"
	file := filepath.Join(t.TempDir(), "pelatihan.csv")
	os.WriteFile(file, []byte(csv), 0o600)
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"trainings", "import", file}, strings.NewReader(""), &out, &errOut,
		envOf(map[string]string{"KLABOT_DATA_DIR": dir})); code != 0 {
		t.Fatalf("import: %d %s %s", code, out.String(), errOut.String())
	}
	wa, _ := startWhatsAppOnly(t, dir, map[string]string{"KLABOT_STAFF": "whatsapp:6281111111111"})
	staff := wa.Person(t, "6281111111111")
	onboardWA(staff, "lainnya")

	rina := wa.Person(t, "6281200000011")
	onboardWA(rina, "warga")
	rina.SayAndWait("1", "Laporan ini tentang apa?")
	rina.SayAndWait("anak bekerja", "bekerja di mana")
	rina.SayAndWait("kebun sawit", "dalam bahaya SEKARANG")
	rina.SayAndWait("tidak", "Di kecamatan mana?")
	rina.SayAndWait("sgu ledo", "Kecamatan Sanggau Ledo")
	rina.SayAndWait("bange", "Ceritakan tempatnya")
	rina.SayAndWait("lewati", "Apa yang terjadi?")
	rina.SayAndWait("Dua anak tetangga disuruh memanen sawit setiap hari dan tidak sekolah.", "Berapa anak")
	rina.SayAndWait("2 anak", "berapa umur")
	rina.SayAndWait("13-15 tahun", "Ada foto")
	photo := bytes.Repeat([]byte("\xff\xd8\xff foto kebun sawit "), 100)
	if _, ok := wa.Deliver(fakewa.Private(rina.Phone), wa.ImageMessage("anak memanen sawit", photo)); !ok {
		t.Fatal("photo not committed")
	}
	rina.WaitFor("Diterima: 1 berkas")
	rina.SayAndWait("selesai", "boleh tahu nama")
	rina.SayAndWait("tanpa nama", "Periksa laporan Anda")
	thanks := rina.SayAndWait("kirim laporan", "Kode laporan")
	code := regexp.MustCompile(`LPR-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(thanks.Text)
	if code == "" {
		t.Fatalf("no report code in %q", thanks.Text)
	}
	alert := staff.WaitFor("LAPORAN BARU " + code)
	if strings.Contains(alert.Text, rina.Phone) {
		t.Errorf("the alert shows the anonymous reporter's number: %s", alert.Text)
	}
	// Staff act by typing the command the alert shows.
	if !strings.Contains(alert.Text, "/terima "+code) {
		t.Errorf("the alert does not show the command to accept it:\n%s", alert.Text)
	}
	staff.SayAndWait("/terima "+code, code)
	rina.WaitFor("sudah diterima petugas dinas")

	// The photo is fetched from WhatsApp and kept.
	db := openDB(t, dir)
	deadline := time.Now().Add(10 * time.Second)
	var saved store.Media
	for saved.State != store.MediaSaved {
		if time.Now().After(deadline) {
			t.Fatalf("evidence not saved: %+v", saved)
		}
		time.Sleep(20 * time.Millisecond)
		db.Tx(context.Background(), func(tx *store.Tx) error {
			r, err := tx.ReportByCode(code)
			if err != nil {
				return err
			}
			media, err := tx.ReportMedia(r.ID)
			if len(media) == 1 {
				saved = media[0]
			}
			return err
		})
	}
	if got, err := os.ReadFile(saved.Path); err != nil || !bytes.Equal(got, photo) {
		t.Errorf("evidence file %s: %v", saved.Path, err)
	}

	// A training registration (by someone else: flood control allows no
	// more than 20 messages in 10 seconds from one person), the number
	// given as the person's own contact card.
	budi := wa.Person(t, "6281200000012")
	onboardWA(budi, "warga")
	budi.SayAndWait("pelatihan", "Jadwal pelatihan")
	budi.SayAndWait("jadwal pelatihan", "Kelas Satgas")
	budi.SayAndWait("kelas satgas", "Daftar")
	budi.SayAndWait("daftar", "nama lengkap")
	budi.SayAndWait("Budi Santoso", "umur")
	budi.SayAndWait("29", "kecamatan")
	budi.SayAndWait("sebalo", "Nomor HP")
	if _, ok := wa.Deliver(fakewa.Private(budi.Phone), fakewa.ContactMessage("Budi", budi.Phone)); !ok {
		t.Fatal("contact card not committed")
	}
	budi.WaitFor("anggota Satgas PA")
	budi.SayAndWait("ya", "HP: 081200000012")
	budi.SayAndWait("ya, daftarkan", "Anda sudah terdaftar")
}
