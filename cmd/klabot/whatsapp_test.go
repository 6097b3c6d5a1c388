package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
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
	if cfg.WhatsApp || cfg.WhatsAppBulkMin != 15*time.Second || cfg.WhatsAppBulkMax != 45*time.Second || cfg.WhatsAppDailyCap != 200 {
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
		{[]string{"whatsapp", "pair"}, 2, "", `Perintah "whatsapp pair" tidak dikenal`},
		{[]string{"whatsapp", "login", "--phone", "0812345678"}, 2, "", "--phone: harus nomor yang diawali 62"},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		code := run(context.Background(), c.args, strings.NewReader(""), &out, &errOut, env)
		if code != c.code || !strings.Contains(out.String(), c.out) || !strings.Contains(errOut.String(), c.err) {
			t.Errorf("%v: exit %d\nstdout %q\nstderr %q", c.args, code, out.String(), errOut.String())
		}
	}
}

// linkSession stores a linked device in dataDir's whatsapp.db, as a
// successful "klabot whatsapp login" leaves it (pairing itself needs the
// network).
func linkSession(t *testing.T, dataDir, phone string) {
	t.Helper()
	ctx := context.Background()
	dsn := "file:" + filepath.Join(dataDir, whatsapp.SessionFile) + "?_foreign_keys=on"
	container, err := sqlstore.New(ctx, "sqlite3", dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer container.Close()
	device := container.NewDevice()
	device.ID = &types.JID{User: phone, Device: 12, Server: types.DefaultUserServer}
	device.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte{}, AccountSignature: make([]byte, 64),
		AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64)}
	if err := container.PutDevice(ctx, device); err != nil {
		t.Fatal(err)
	}
}

// With a linked number, status names it and login refuses to link a
// second one.
func TestWhatsAppCommandsWithSession(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	env := envOf(map[string]string{"KLABOT_DATA_DIR": dir})
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"whatsapp", "status"}, strings.NewReader(""), &out, &errOut, env); code != 0 {
		t.Fatalf("status: %d %s", code, errOut.String())
	}
	linkSession(t, dir, "6281234567890")
	prevCheck := whatsappCheck
	t.Cleanup(func() { whatsappCheck = prevCheck })
	state := whatsapp.LinkWorks
	whatsappCheck = func(context.Context, *whatsapp.Session) whatsapp.LinkState { return state }
	out.Reset()
	code := run(context.Background(), []string{"whatsapp", "status"}, strings.NewReader(""), &out, &errOut, env)
	if code != 0 || out.String() != "WhatsApp tersambung dengan nomor +6281234567890.\n" {
		t.Errorf("status: exit %d, %q", code, out.String())
	}
	// WhatsApp does not answer: what klabot last knew, said as such; and
	// the staff member who never wrote, who gets nothing there.
	state = whatsapp.LinkUnknown
	db := openDB(t, dir)
	if err := db.SetWhatsAppState(context.Background(), whatsapp.StateConnected, whatsapp.FormatState(time.Date(2026, 12, 5, 2, 30, 0, 0, time.UTC)), false); err != nil {
		t.Fatal(err)
	}
	staffEnv := envOf(map[string]string{"KLABOT_DATA_DIR": dir, "KLABOT_STAFF": "whatsapp:6281111111111,telegram:42"})
	out.Reset()
	code = run(context.Background(), []string{"whatsapp", "status"}, strings.NewReader(""), &out, &errOut, staffEnv)
	for _, want := range []string{"Terakhir diketahui: WhatsApp tersambung dengan nomor +6281234567890", "WhatsApp tidak menjawab",
		"Terakhir tersambung: 05-12-2026 09:30 WIB", "+6281111111111", `mengirim "halo" sekali`} {
		if code != 0 || !strings.Contains(out.String(), want) {
			t.Errorf("status, WhatsApp silent: exit %d, %q lacks %q", code, out.String(), want)
		}
	}
	// While klabot run holds the link, status does not connect.
	release, err := lockDataDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	whatsappCheck = func(context.Context, *whatsapp.Session) whatsapp.LinkState {
		t.Error("status connected while klabot run holds the link")
		return whatsapp.LinkWorks
	}
	out.Reset()
	code = run(context.Background(), []string{"whatsapp", "status"}, strings.NewReader(""), &out, &errOut, env)
	release()
	if code != 0 || !strings.Contains(out.String(), "klabot sedang berjalan") {
		t.Errorf("status while running: exit %d, %q", code, out.String())
	}
	out.Reset()
	code = run(context.Background(), []string{"whatsapp", "login"}, strings.NewReader(""), &out, &errOut, env)
	if code != 1 || !strings.Contains(errOut.String(), "Sudah tersambung dengan nomor +6281234567890") ||
		!strings.Contains(errOut.String(), "klabot whatsapp logout") {
		t.Errorf("login when linked: exit %d\nstdout %q\nstderr %q", code, out.String(), errOut.String())
	}
	if info, err := os.Stat(filepath.Join(dir, whatsapp.SessionFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("session file: %v %v, want mode 600", info, err)
	}
}

// withFakeWhatsApp makes "klabot run" use wa instead of whatsmeow, and
// answer faster than a person types, so conversations in tests are quick.
func withFakeWhatsApp(t *testing.T, wa *fakewa.Client) {
	prevClient, prevLimits, prevTyping := whatsappClient, whatsappLimits, whatsappTyping
	whatsappTyping = func(string) time.Duration { return 0 }
	whatsappClient = func(context.Context, string, *slog.Logger) (whatsapp.Client, func(), error) {
		return wa, func() {}, nil
	}
	whatsappLimits = func(cfg config) bot.Limits {
		l := prevLimits(cfg)
		l.PerSecond, l.PerChatPerSecond = 1000, 1000
		return l
	}
	t.Cleanup(func() { whatsappClient, whatsappLimits, whatsappTyping = prevClient, prevLimits, prevTyping })
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
	p := runKlabot(t, all)
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
	for _, want := range []string{"WhatsApp banned the number for a while", "WhatsApp stopped: the linked device was logged out"} {
		if !strings.Contains(p.logs.String(), want) {
			t.Errorf("the log lacks %q", want)
		}
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

// noNumbersInLogs fails the test if a phone number or LID of these
// people appears in klabot's log (which the tests run at debug level).
func noNumbersInLogs(t *testing.T, p *klabotProcess, numbers ...string) {
	t.Helper()
	logs := p.logs.String()
	for _, n := range numbers {
		if strings.Contains(logs, n) {
			t.Errorf("the number %s appears in the log", n)
		}
	}
}

// The whole report over WhatsApp, as a villager does it in numbered text:
// the category by its words, the place by name, a photo with a caption as
// evidence, part of it from a LID address (one person all the same). Staff
// on WhatsApp (from KLABOT_STAFF) get the alert with the commands to type,
// list the reports and accept it in text; the reporter hears of it; the
// photo is downloaded from WhatsApp and kept as evidence. Every answer is
// preceded by "typing…" and each message is marked read once committed.
func TestWhatsAppReport(t *testing.T) {
	dir := t.TempDir()
	wa, p := startWhatsAppOnly(t, dir, map[string]string{"KLABOT_STAFF": "whatsapp:6281111111111"})
	staff := wa.Person(t, "6281111111111")
	onboardWA(staff, "lainnya")

	rina := wa.Person(t, "6281200000011")
	onboardWA(rina, "warga")
	rina.SayAndWait("1", "Laporan ini tentang apa?")
	rina.SayAndWait("anak bekerja", "bekerja di mana")
	rina.SayAndWait("kebun sawit", "dalam bahaya SEKARANG")
	rina.SayAndWait("tidak", "Di kecamatan mana?")
	// WhatsApp now shows her by her LID, her number alongside.
	rina.Source = fakewa.LID("201111111111111", rina.Phone)
	rina.SayAndWait("sgu ledo", "Kecamatan Sanggau Ledo")
	rina.SayAndWait("bange", "Ceritakan tempatnya")
	rina.SayAndWait("lewati", "Apa yang terjadi?")
	rina.SayAndWait("Dua anak tetangga disuruh memanen sawit setiap hari dan tidak sekolah.", "Berapa anak")
	rina.SayAndWait("2 anak", "berapa umur")
	rina.SayAndWait("13-15 tahun", "Ada foto")
	photo := bytes.Repeat([]byte("\xff\xd8\xff foto kebun sawit "), 100)
	if _, ok := wa.Deliver(rina.Source, wa.ImageMessage("anak memanen sawit", photo)); !ok {
		t.Fatal("photo not committed")
	}
	rina.WaitFor("Diterima: 1 berkas")
	rina.SayAndWait("selesai", "boleh tahu nama")
	rina.SayAndWait("tanpa nama", "Periksa laporan Anda")
	thanks := rina.SayAndWait("kirim laporan", "Kode laporan")
	code := reportCodeRe.FindString(thanks.Text)
	if code == "" {
		t.Fatalf("no report code in %q", thanks.Text)
	}
	alert := staff.WaitFor("LAPORAN BARU " + code)
	if strings.Contains(alert.Text, rina.Phone) || strings.Contains(alert.Text, "201111111111111") {
		t.Errorf("the alert shows the anonymous reporter's number: %s", alert.Text)
	}
	// Staff act by typing the command the alert shows.
	if !strings.Contains(alert.Text, "/terima "+code) {
		t.Errorf("the alert does not show the command to accept it:\n%s", alert.Text)
	}
	staff.SayAndWait("/laporan", code)
	staff.SayAndWait("/terima "+code, code)
	rina.WaitFor("Diterima petugas. Petugas dinas sedang mempelajari")

	// The photo is fetched from WhatsApp and kept.
	db := openDB(t, dir)
	var saved store.Media
	eventuallyApp(t, "the evidence to be saved", func() bool {
		if media := evidenceOf(db, code); len(media) == 1 {
			saved = media[0]
		}
		return saved.State == store.MediaSaved
	})
	if got, err := os.ReadFile(saved.Path); err != nil || !bytes.Equal(got, photo) {
		t.Errorf("evidence file %s: %v", saved.Path, err)
	}

	// One person, on her number, however WhatsApp showed her.
	var contacts []store.Contact
	db.Tx(context.Background(), func(tx *store.Tx) error {
		id, err := tx.UserIDByContact(store.Contact{Channel: "whatsapp", Address: rina.Phone})
		if err == nil {
			contacts, err = tx.ContactsOf(id)
		}
		return err
	})
	if len(contacts) != 1 || contacts[0].Address != rina.Phone {
		t.Errorf("rina's contacts: %+v", contacts)
	}
	for _, s := range wa.Sent() {
		if strings.Contains(s.To, "@lid") {
			t.Errorf("a message went to the LID address %s", s.To)
		}
	}

	// "typing…" before each answer; every message marked read.
	if n, want := wa.Typing(rina.Phone), len(wa.SentTo(rina.Phone)); n < want {
		t.Errorf("\"typing…\" shown %d times for %d answers", n, want)
	}
	if err := wa.WaitFor(waitCtx(t), func() bool { return len(wa.Unread()) == 0 }); err != nil {
		t.Errorf("%d messages not marked read", len(wa.Unread()))
	}
	noNumbersInLogs(t, p, rina.Phone, "201111111111111", staff.Phone)
}

// eventuallyApp polls a database state until it holds, within 15 s.
func eventuallyApp(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitFor(t, what, 15*time.Second, cond)
}

// A whole training registration over WhatsApp: the training found by
// words, the details typed, the phone number given as the person's own
// contact card; the registration is stored with that number.
func TestWhatsAppTrainingRegistration(t *testing.T) {
	dir := t.TempDir()
	importSatgasClass(t, dir, 5)
	wa, p := startWhatsAppOnly(t, dir, nil)
	budi := wa.Person(t, "6281200000012")
	onboardWA(budi, "warga")
	budi.SayAndWait("pelatihan", "Jadwal pelatihan")
	budi.SayAndWait("jadwal pelatihan", "Kelas Satgas")
	budi.SayAndWait("kelas satgas", "Daftar")
	budi.SayAndWait("daftar", "nama lengkap")
	budi.SayAndWait("Budi Santoso", "umur")
	budi.SayAndWait("29", "kecamatan")
	// The number he writes from is offered; he sends his contact card.
	budi.SayAndWait("sebalo", "Nomor HP Anda 0812")
	if _, ok := wa.Deliver(budi.Source, fakewa.ContactMessage("Budi", budi.Phone)); !ok {
		t.Fatal("contact card not committed")
	}
	budi.WaitFor("anggota Satgas PA")
	budi.SayAndWait("ya", "HP: 081200000012")
	budi.SayAndWait("ya, daftarkan", "Anda sudah terdaftar")

	db := openDB(t, dir)
	var regs []store.UserRegistration
	db.Tx(context.Background(), func(tx *store.Tx) error {
		id, err := tx.UserIDByContact(store.Contact{Channel: "whatsapp", Address: budi.Phone})
		if err == nil {
			regs, err = tx.UserRegistrations(id)
		}
		return err
	})
	if len(regs) != 1 || regs[0].Status != store.RegRegistered || regs[0].FullName != "Budi Santoso" ||
		!strings.Contains(regs[0].Phone, "81200000012") || regs[0].Training.Title != "Kelas Satgas" {
		t.Errorf("registrations: %+v", regs)
	}
	noNumbersInLogs(t, p, budi.Phone)
}

// Broadcast-priority rows in the outbox (as staff broadcasts queue them)
// reach WhatsApp users at the pace configured with KLABOT_WHATSAPP_*:
// one at a time at least the pause apart, in queue order, at most the
// daily cap, never to someone who has not written first; a person
// chatting meanwhile is answered at once.
func TestWhatsAppBroadcastAtConfiguredPace(t *testing.T) {
	dir := t.TempDir()
	wa, p := startWhatsAppOnly(t, dir, map[string]string{
		"KLABOT_WHATSAPP_BULK_MIN": "1s", "KLABOT_WHATSAPP_BULK_MAX": "1s", "KLABOT_WHATSAPP_DAILY_CAP": "2",
	})
	phones := []string{"6281300000001", "6281300000002", "6281300000003"}
	for _, phone := range phones {
		wa.Person(t, phone).SayAndWait("halo", "Apakah Anda setuju?")
	}
	const stranger = "6281399999999"
	db := openDB(t, dir)
	payload, _ := json.Marshal(bot.Outbound{Text: "PENGUMUMAN: pelatihan Satgas PA hari Sabtu"})
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		for _, to := range append([]string{stranger}, phones...) {
			err := tx.Enqueue(store.OutboxMessage{Channel: "whatsapp", Address: to, Priority: store.PriorityBroadcast, Payload: payload}, time.Now())
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Written by another process: the sender finds the rows on its next
	// look at the table, within two seconds.
	bulk := func() []fakewa.Sent {
		var out []fakewa.Sent
		for _, s := range wa.Sent() {
			if strings.HasPrefix(s.Text, "PENGUMUMAN") {
				out = append(out, s)
			}
		}
		return out
	}
	if err := wa.WaitFor(waitCtx(t), func() bool { return len(bulk()) >= 1 }); err != nil {
		t.Fatal("the broadcast did not start")
	}
	// Meanwhile a person chatting is answered at once.
	chat := wa.Person(t, phones[2])
	chat.Next() // the welcome
	chat.SayAndWait("1", "Anda siapa?")
	if err := wa.WaitFor(waitCtx(t), func() bool { return len(bulk()) >= 2 }); err != nil {
		t.Fatal("the second broadcast message did not go")
	}
	eventuallyApp(t, "the daily cap to hold back the third", func() bool {
		return strings.Contains(p.logs.String(), "daily cap of bulk messages reached")
	})
	sent := bulk()
	if len(sent) != 2 || sent[0].To != phones[0] || sent[1].To != phones[1] {
		t.Fatalf("broadcast went to %+v; want the first two who wrote, in order", sent)
	}
	if gap := sent[1].At.Sub(sent[0].At); gap < time.Second {
		t.Errorf("broadcast messages %s apart; configured pause 1s", gap)
	}
	pending, _, failed, err := db.OutboxCounts(context.Background(), "whatsapp")
	if err != nil || pending != 1 || failed != 1 {
		t.Errorf("outbox: %d pending, %d failed (%v); want the capped one pending and the stranger's failed", pending, failed, err)
	}
	if len(wa.SentTo(stranger)) != 0 {
		t.Error("a broadcast went to someone who never wrote")
	}
	noNumbersInLogs(t, p, append(phones, stranger)...)
}

// A WhatsApp staff number that never wrote to the office gets nothing
// there; staff hear of it on Telegram, once.
func TestStaffAskedToSayHalo(t *testing.T) {
	wa := fakewa.New()
	withFakeWhatsApp(t, wa)
	srv := newServer(t)
	dir := t.TempDir()
	env := map[string]string{"KLABOT_WHATSAPP": "on", "KLABOT_STAFF": "telegram:9102,whatsapp:6281111111112"}
	p := startKlabot(t, srv, dir, env)
	waitConnected(t, wa)
	if m := lastTo(t, srv, 9102, 1); !strings.Contains(m.Text, "+6281111111112") || !strings.Contains(m.Text, `"halo"`) {
		t.Errorf("staff told %q", m.Text)
	}
	p.stop(t)
	if strings.Contains(p.logs.String(), "6281111111112") {
		t.Error("a staff number in the log")
	}
	db := openDB(t, dir)
	if v, err := db.WhatsAppState(context.Background(), "halo_asked:6281111111112"); err != nil || v == "" {
		t.Errorf("not noted as told: %q %v", v, err)
	}
}
