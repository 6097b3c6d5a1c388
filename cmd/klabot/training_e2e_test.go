package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"klabot/bot/telegram/fakeapi"
	"klabot/store"
)

func wibZone(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Pontianak")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at is a time days from now at hour:00 WIB, as the CSV and staff write it.
func at(t *testing.T, days, hour int) string {
	d := time.Now().In(wibZone(t)).AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, d.Location()).Format("02-01-2006 15:04")
}

// importTrainings runs "klabot trainings import" on a file with this content.
func importTrainings(t *testing.T, dataDir, content string) (code int, stdout, stderr string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "pelatihan.csv")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code = run(context.Background(), []string{"trainings", "import", file}, strings.NewReader(""), &out, &errOut,
		envOf(map[string]string{"KLABOT_DATA_DIR": dataDir}))
	return code, out.String(), errOut.String()
}

// importSatgasClass imports one "Kelas Satgas" a week from now with this
// many seats, and returns what the import printed.
func importSatgasClass(t *testing.T, dataDir string, capacity int) (stdout string) {
	t.Helper()
	csv := "program,title,kecamatan,place,starts_at,ends_at,capacity\n" +
		"satgas,Kelas Satgas,Bengkayang,Kantor Dinas," + at(t, 7, 9) + ",12:00," + fmt.Sprint(capacity) + "\n"
	code, out, errOut := importTrainings(t, dataDir, csv)
	if code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	return out
}

func countTrainings(t *testing.T, dataDir string) int {
	t.Helper()
	db := openDB(t, dataDir)
	var n int
	db.Tx(context.Background(), func(tx *store.Tx) error {
		all, err := tx.TrainingsEndingAfter(time.Now().AddDate(-1, 0, 0))
		n = len(all)
		return err
	})
	db.Close()
	return n
}

// The CSV import: a good file (Excel style: BOM and ';'), a file with bad
// rows reported by line and nothing of it imported, and the good file a
// second time, which adds nothing.
func TestTrainingsImportCommand(t *testing.T) {
	dir := t.TempDir()
	good := "\ufeffprogram;title;kecamatan;place;starts_at;ends_at;capacity;description\r\n" +
		"wikapa;Usaha Kue;Bengkayang;Aula Camat;" + at(t, 7, 9) + ";12:00;25;Bawa alat tulis\r\n" +
		"Satgas PA;Satgas Angkatan 4;Ledo;Aula Ledo;" + at(t, 9, 9) + ";" + at(t, 10, 15) + ";30;\r\n"
	code, out, errOut := importTrainings(t, dir, good)
	if code != 0 || !strings.Contains(out, "2 pelatihan diimpor") || !strings.Contains(out, "Usaha Kue") {
		t.Fatalf("good file: exit %d\n%s%s", code, out, errOut)
	}
	if !regexp.MustCompile(`(?m)^1  [2-9A-Z]{6}  `).MatchString(out) {
		t.Errorf("no attendance code in the output:\n%s", out)
	}

	bad := "program,title,kecamatan,place,starts_at,ends_at,capacity\n" +
		"wikapa,Kue Lapis,Bengkayang,Aula," + at(t, 7, 9) + ",12:00,25\n" +
		"wikapa,Kue Basah,Bengkayang,Aula," + at(t, -3, 9) + ",12:00,abc\n" +
		"satgas,Satgas,Mars,Aula," + at(t, 7, 9) + ",12:00,10\n"
	code, _, errOut = importTrainings(t, dir, bad)
	if code != 1 {
		t.Errorf("bad file: exit %d, want 1", code)
	}
	for _, want := range []string{"tidak ada yang diimpor", "baris 3, kolom starts_at: Waktu itu sudah lewat",
		"baris 3, kolom capacity: Jumlah kursi ditulis dengan angka", `baris 4, kolom kecamatan: kecamatan "Mars"`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("report lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "baris 2") {
		t.Errorf("the good line 2 is reported:\n%s", errOut)
	}

	code, _, errOut = importTrainings(t, dir, good)
	if code != 1 || !strings.Contains(errOut, "baris 2: pelatihan ini sudah ada") {
		t.Errorf("second import: exit %d\n%s", code, errOut)
	}
	if n := countTrainings(t, dir); n != 2 {
		t.Errorf("%d trainings in the database, want the 2 of the good file only", n)
	}
}

// chat is one person talking to klabot through the fake Bot API.
type chat struct {
	t   *testing.T
	srv *fakeapi.Server
	u   fakeapi.User
	n   int // messages received so far
}

// next waits for the next k messages and returns the last.
func (c *chat) next(k int) fakeapi.Sent {
	c.t.Helper()
	c.n += k
	return lastTo(c.t, c.srv, c.u.ID, c.n)
}

func (c *chat) say(text string) fakeapi.Sent {
	c.t.Helper()
	c.srv.SendText(c.u.ID, c.u, text)
	return c.next(1)
}

func (c *chat) tap(m fakeapi.Sent, label string) fakeapi.Sent {
	c.t.Helper()
	press(c.t, c.srv, c.u, m, label)
	return c.next(1)
}

func expect(t *testing.T, m fakeapi.Sent, want string) {
	t.Helper()
	if !strings.Contains(m.Text+m.Caption, want) {
		t.Fatalf("got %q, want it to contain %q", m.Text+m.Caption, want)
	}
}

// toConfirmation goes from /start to the last question of a registration
// for the Satgas PA session with this title, sharing the phone number with
// the contact key.
func toConfirmation(c *chat, title, name, phone string) fakeapi.Sent {
	c.t.Helper()
	m := c.tap(c.say("/start"), "Setuju")
	m = c.tap(m, "Warga")
	m = c.tap(m, "Pelatihan")
	m = c.tap(m, "Jadwal pelatihan")
	m = c.tap(m, title)
	m = c.tap(m, "Daftar")
	expect(c.t, m, "nama lengkap")
	expect(c.t, c.say(name), "umur")
	expect(c.t, c.say("36"), "kecamatan")
	m = c.say("sebalo") // a village name alone finds its kecamatan
	expect(c.t, m, "Nomor HP")
	markup := m.Params.Get("reply_markup")
	if !strings.Contains(markup, `"request_contact":true`) || !strings.Contains(markup, "Kirim nomor HP saya") {
		c.t.Fatalf("no share-contact key on the phone question: %s", markup)
	}
	c.srv.SendContact(c.u.ID, c.u, phone)
	m = c.next(1)
	expect(c.t, m, "anggota Satgas PA")
	m = c.tap(m, "Ya")
	expect(c.t, m, "HP: 0"+strings.TrimPrefix(phone, "+62"))
	return m
}

// Through the fake Bot API: a session imported from CSV has one seat. Ani
// and Budi fill in the registration at the same time (sharing their
// numbers with the contact key); Ani confirms first and gets the seat, Budi
// joins the waitlist. Ani cancels and Budi is told he has the seat. Staff
// export the list as a CSV document.
func TestTelegramTrainingWaitlistPromotion(t *testing.T) {
	dir := t.TempDir()
	out := importSatgasClass(t, dir, 1)
	attendance := regexp.MustCompile(`(?m)^1  ([2-9A-Z]{6})  `).FindStringSubmatch(out)
	if attendance == nil {
		t.Fatalf("no attendance code in the import's output: %s", out)
	}
	srv := newServer(t)
	staff := fakeapi.User{ID: 5100, FirstName: "Petugas"}
	startKlabot(t, srv, dir, map[string]string{"KLABOT_STAFF": fmt.Sprintf("telegram:%d", staff.ID)})
	ani := &chat{srv: srv, u: fakeapi.User{ID: 5101, FirstName: "Ani"}}
	budi := &chat{srv: srv, u: fakeapi.User{ID: 5102, FirstName: "Budi"}}
	s := &chat{srv: srv, u: staff}

	// The three conversations run side by side, as they would in a village.
	var aniConfirm, budiConfirm fakeapi.Sent
	t.Run("fill in", func(t *testing.T) {
		t.Run("ani", func(t *testing.T) {
			t.Parallel()
			ani.t = t
			aniConfirm = toConfirmation(ani, "Kelas Satgas", "Ani Lestari", "+6281234567890")
		})
		t.Run("budi", func(t *testing.T) {
			t.Parallel()
			budi.t = t
			budiConfirm = toConfirmation(budi, "Kelas Satgas", "Budi Santoso", "+6285250001234")
		})
		t.Run("staff", func(t *testing.T) { t.Parallel(); s.t = t; s.tap(s.tap(s.say("/start"), "Setuju"), "Warga") })
	})
	if t.Failed() {
		return
	}
	ani.t, budi.t, s.t = t, t, t
	expect(t, ani.tap(aniConfirm, "Ya, daftarkan"), "Anda sudah terdaftar")
	expect(t, budi.tap(budiConfirm, "Ya, daftarkan"), "daftar tunggu, urutan ke-1")

	m := ani.tap(ani.say("/pelatihan"), "Pendaftaran saya")
	m = ani.tap(ani.tap(m, "Kelas Satgas"), "Batalkan daftar")
	expect(t, ani.tap(m, "Ya, batalkan"), "sudah dibatalkan")
	expect(t, budi.next(1), "Kabar baik! Ada tempat kosong")
	// The attendance code typed at the main menu, without /hadir, is
	// recognised (and it is not the day yet).
	expect(t, budi.say(strings.ToLower(attendance[1])), "Kirim kode ini pada hari pelatihan")

	m = s.tap(s.say("/sesi"), "Kelas Satgas")
	expect(t, m, "1 dari 1 kursi terisi")
	press(t, srv, staff, m, "Ekspor CSV")
	s.next(2)
	var doc *fakeapi.Sent
	for _, sent := range srv.SentTo(staff.ID) {
		if sent.Method == "sendDocument" {
			doc = &sent
		}
	}
	if doc == nil || !doc.Uploaded {
		t.Fatalf("no CSV document sent to staff: %+v", srv.SentTo(staff.ID)[s.n-2:])
	}
	data, _ := srv.File(doc.FileID)
	text := string(data)
	if !strings.HasPrefix(text, "\ufeffno;status;") || !strings.Contains(text, "terdaftar;;Budi Santoso;36;Sebalo;Bengkayang;085250001234") ||
		strings.Contains(text, "Ani Lestari") {
		t.Errorf("export:\n%s", text)
	}
}

// 50 people on Telegram register for 20 seats at the same moment, through
// the fake Bot API and the real client: each fills in the registration in
// their own chat, then all confirm at once. Exactly 20 are told they have
// a seat and 30 that they are on the waitlist, and the database agrees.
func TestTelegramConcurrentRegistrations(t *testing.T) {
	dir := t.TempDir()
	importSatgasClass(t, dir, 20)
	srv := newServer(t)
	startKlabot(t, srv, dir, map[string]string{"KLABOT_TELEGRAM_RATE": "2000"})

	people := make([]*chat, 50)
	confirm := make([]fakeapi.Sent, 50)
	t.Run("fill in", func(t *testing.T) {
		for i := range people {
			c := &chat{t: t, srv: srv, u: fakeapi.User{ID: int64(7000 + i), FirstName: fmt.Sprint("Orang", i)}}
			people[i] = c
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				c.t = t
				confirm[i] = toConfirmation(c, "Kelas Satgas", fmt.Sprintf("Orang Baik %d", i), fmt.Sprintf("+62812345670%02d", i))
			})
		}
	})
	if t.Failed() {
		return
	}
	for i, c := range people {
		c.t = t
		press(t, srv, c.u, confirm[i], "Ya, daftarkan")
	}
	seated, waiting := 0, 0
	for _, c := range people {
		switch m := c.next(1); {
		case strings.Contains(m.Text, "Anda sudah terdaftar"):
			seated++
		case strings.Contains(m.Text, "daftar tunggu, urutan ke-"):
			waiting++
		default:
			t.Errorf("chat %d got %q", c.u.ID, m.Text)
		}
	}
	if seated != 20 || waiting != 30 {
		t.Errorf("told: %d registered, %d waitlisted; want 20 and 30", seated, waiting)
	}
	db := openDB(t, dir)
	db.Tx(context.Background(), func(tx *store.Tx) error {
		all, _ := tx.UpcomingTrainings(time.Now(), "", "")
		if len(all) != 1 || all[0].Registered != 20 || all[0].Waitlisted != 30 {
			t.Errorf("trainings %+v; want one with 20 registered and 30 waiting", all)
		}
		return nil
	})
}

// Through the fake Bot API: staff create a session by chat, with its
// attendance code; a 14-year-old is refused kindly by the teen bootcamp's
// age rule; a person registers for the staff's session, checks in with
// the code typed as it is, and finds it in their attendance history.
func TestTelegramStaffSessionAgeRuleAndCheckIn(t *testing.T) {
	dir := t.TempDir()
	if code, o, e := importTrainings(t, dir, "program,title,kecamatan,place,starts_at,ends_at,capacity\n"+
		"remaja,Bootcamp Remaja,Ledo,SMK Ledo,"+at(t, 5, 8)+",15:00,20\n"); code != 0 {
		t.Fatalf("import: %s %s", o, e)
	}
	srv := newServer(t)
	staff := fakeapi.User{ID: 5200, FirstName: "Petugas"}
	startKlabot(t, srv, dir, map[string]string{"KLABOT_STAFF": fmt.Sprintf("telegram:%d", staff.ID)})

	s := &chat{t: t, srv: srv, u: staff}
	m := s.tap(s.tap(s.tap(s.say("/start"), "Setuju"), "Warga"), "Menu petugas")
	m = s.tap(s.tap(m, "Pelatihan"), "Buat pelatihan")
	expect(t, m, "Program apa?")
	expect(t, s.tap(m, "Satgas PA"), "Judul pelatihan?")
	m = s.say("Satgas Hari Ini")
	expect(t, s.tap(m, "Lewati"), "Di kecamatan mana?")
	expect(t, s.say("bengkayang"), "Tempatnya di mana?")
	expect(t, s.say("Kantor Dinas"), "Kapan mulai?")
	now := time.Now().In(wibZone(t))
	m = s.say(at(t, -2, 9))
	expect(t, m, "Waktu itu sudah lewat")
	expect(t, m, "Kapan mulai?")
	expect(t, s.say(now.Add(2*time.Hour).Format("02-01-2006 15:04")), "Kapan selesai?")
	expect(t, s.say(now.Add(4*time.Hour).Format("02-01-2006 15:04")), "Berapa kursi")
	expect(t, s.say("abc"), "Jumlah kursi ditulis dengan angka")
	m = s.say("20")
	expect(t, m, "Judul: Satgas Hari Ini")
	m = s.tap(m, "Simpan")
	expect(t, m, "Tersimpan: Satgas Hari Ini.")
	found := regexp.MustCompile(`Kode hadir: ([2-9A-Z]{6})`).FindStringSubmatch(m.Text)
	if found == nil {
		t.Fatalf("no attendance code: %q", m.Text)
	}

	dewi := &chat{t: t, srv: srv, u: fakeapi.User{ID: 5201, FirstName: "Dewi"}}
	m = dewi.tap(dewi.tap(dewi.say("/start"), "Setuju"), "Warga")
	m = dewi.tap(dewi.tap(dewi.tap(dewi.tap(m, "Pelatihan"), "Jadwal pelatihan"), "Bootcamp Remaja"), "Daftar")
	expect(t, m, "nama lengkap")
	expect(t, dewi.say("Dewi"), "umur")
	expect(t, dewi.say("14"), "khusus untuk remaja umur 15-17 tahun")

	yakobus := &chat{t: t, srv: srv, u: fakeapi.User{ID: 5202, FirstName: "Yakobus"}}
	expect(t, yakobus.tap(toConfirmation(yakobus, "Satgas Hari Ini", "Yakobus Ali", "+6281234567891"), "Ya, daftarkan"),
		"Anda sudah terdaftar")
	expect(t, yakobus.say(strings.ToLower(found[1])), "Terima kasih, Yakobus Ali. Kehadiran Anda di Satgas Hari Ini sudah tercatat.")
	if h := yakobus.tap(yakobus.say("/pelatihan"), "Riwayat hadir"); !regexp.MustCompile(`Satgas Hari Ini\n.*\n\s*Hadir`).MatchString(h.Text) {
		t.Errorf("attendance history: %q, want the session marked Hadir", h.Text)
	}
}

// In the terminal: staff create a session by chat (a past date and a
// capacity of "abc" are asked again kindly); a person is refused kindly by
// the age rule of the teen bootcamp, registers for the session and checks
// in with its attendance code.
func TestConsoleTrainings(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	env := envOf(map[string]string{"KLABOT_DATA_DIR": dir})
	staffLines := []string{"halo", "1", "1", "menu petugas", "pelatihan", "buat pelatihan", "satgas pa",
		"Satgas Hari Ini", "lewati", "bengkayang", "Kantor Dinas",
		at(t, -2, 9), time.Now().In(wibZone(t)).Add(2 * time.Hour).Format("02-01-2006 15:04"),
		time.Now().In(wibZone(t)).Add(4 * time.Hour).Format("02-01-2006 15:04"), "abc", "20", "simpan"}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"console", "--staff"}, strings.NewReader(strings.Join(staffLines, "\n")+"\n"),
		&out, &errOut, env); code != 0 {
		t.Fatalf("staff console: exit %d %s", code, errOut.String())
	}
	for _, want := range []string{"Waktu itu sudah lewat", "Jumlah kursi ditulis dengan angka", "Tersimpan: Satgas Hari Ini."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("staff console lacks %q:\n%s", want, out.String())
		}
	}
	found := regexp.MustCompile(`Kode hadir: ([2-9A-Z]{6})`).FindStringSubmatch(out.String())
	if found == nil {
		t.Fatalf("no attendance code:\n%s", out.String())
	}
	if code, o, e := importTrainings(t, dir, "program,title,kecamatan,place,starts_at,ends_at,capacity\n"+
		"remaja,Bootcamp Remaja,Ledo,SMK Ledo,"+at(t, 5, 8)+",15:00,20\n"); code != 0 {
		t.Fatalf("import: %s %s", o, e)
	}

	lines := []string{"halo", "1", "1", "pelatihan", "1", "2", "daftar", "Dewi", "14",
		"1", "1", "daftar", "Yakobus Ali", "30", "sebalo", "0812-3456-7890", "ya", "1", "/hadir " + found[1]}
	out.Reset()
	if code := run(context.Background(), []string{"console"}, strings.NewReader(strings.Join(lines, "\n")+"\n"), &out, &errOut, env); code != 0 {
		t.Fatalf("console: exit %d %s", code, errOut.String())
	}
	for _, want := range []string{"Satgas Hari Ini", "khusus untuk remaja umur 15-17 tahun", "Anda sudah terdaftar",
		"Terima kasih, Yakobus Ali. Kehadiran Anda di Satgas Hari Ini sudah tercatat."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("console lacks %q:\n%s", want, out.String())
		}
	}
}

// In the terminal, two people on the same database (the person and the
// staff console): a session with one seat is taken, the second person is
// offered the waitlist and joins it; the first cancels, and the second is
// told of the freed seat the next time their console opens.
func TestConsoleWaitlistPromotion(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	importSatgasClass(t, dir, 1)
	env := envOf(map[string]string{"KLABOT_DATA_DIR": dir})
	consoleRun := func(staff bool, lines ...string) string {
		t.Helper()
		args := []string{"console"}
		if staff {
			args = append(args, "--staff")
		}
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, strings.NewReader(strings.Join(lines, "\n")+"\n"), &out, &errOut, env); code != 0 {
			t.Fatalf("console %v: exit %d %s", args, code, errOut.String())
		}
		return out.String()
	}
	contains := func(who, out string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: console lacks %q:\n%s", who, w, out)
			}
		}
	}

	out := consoleRun(false, "halo", "1", "1", "pelatihan", "1", "1", "daftar", "Ani Lestari", "36", "sebalo", "081234567890", "ya", "ya, daftarkan")
	contains("ani", out, "Anda sudah terdaftar")
	out = consoleRun(true, "halo", "1", "1", "pelatihan", "1", "1", "masuk daftar tunggu", "Budi Santoso", "40", "sebalo",
		"085250001234", "ya", "ya, daftarkan")
	contains("budi", out, "Masuk daftar tunggu", "daftar tunggu, urutan ke-1")
	if strings.Contains(out, "Kabar baik") {
		t.Fatalf("budi promoted before anyone cancelled:\n%s", out)
	}
	out = consoleRun(false, "pelatihan", "pendaftaran saya", "1", "batalkan daftar", "ya, batalkan")
	contains("ani", out, "sudah dibatalkan")
	contains("budi, back", consoleRun(true, "menu"), "Kabar baik! Ada tempat kosong", "Kelas Satgas")
}
