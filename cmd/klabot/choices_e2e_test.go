package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"klabot/bot/telegram/fakeapi"
	"klabot/bot/whatsapp/fakewa"
	"klabot/store"
)

// chatter is one person on a channel, as a test drives them.
type chatter struct {
	t       *testing.T
	channel string
	address string
	say     func(text string)
	// waitFor reads the person's messages until one contains want.
	waitFor func(want string) shown
	// choose picks a choice of a message as the person does on their
	// channel: a tap on Telegram, its number typed on WhatsApp.
	choose func(m shown, label string)
}

// shown is a message as the person saw it.
type shown struct {
	text string
	tg   fakeapi.Sent
}

func tgChatter(t *testing.T, srv *fakeapi.Server, id int64, name string) *chatter {
	p := newPerson(t, srv, id, name)
	return &chatter{t: t, channel: "telegram", address: fmt.Sprint(id), say: p.send,
		waitFor: func(want string) shown { m := p.waitFor(want); return shown{text: m.Text + m.Caption, tg: m} },
		choose:  func(m shown, label string) { p.press(m.tg, label) }}
}

func waChatter(t *testing.T, wa *fakewa.Client, phone string) *chatter {
	p := wa.Person(t, phone)
	c := &chatter{t: t, channel: "whatsapp", address: phone,
		say:     func(text string) { wa.Deliver(p.Source, fakewa.TextMessage(text)) },
		waitFor: func(want string) shown { return shown{text: p.WaitFor(want).Text} }}
	c.choose = func(m shown, label string) {
		t.Helper()
		c.say(choiceNumber(t, m.text, label))
	}
	return c
}

// choiceNumber finds the number of a choice in a message rendered as
// text, where a command key shows its command ("2. Tugaskan relawan:
// /tugaskan LPR-…").
func choiceNumber(t *testing.T, text, label string) string {
	t.Helper()
	found := regexp.MustCompile(`(?m)^([0-9]+)\. ` + regexp.QuoteMeta(label) + `(:|$)`).FindStringSubmatch(text)
	if found == nil {
		t.Fatalf("no choice %q in:\n%s", label, text)
	}
	return found[1]
}

// delivered waits until klabot recorded every message to this person as
// sent: a reply is read only after the message it answers was seen.
func (c *chatter) delivered(db *store.DB) {
	c.t.Helper()
	waitFor(c.t, "delivery to "+c.address, 10*time.Second, func() bool {
		pending, err := db.PendingOutbox(context.Background(), c.channel, 1000)
		if err != nil {
			return false
		}
		for _, m := range pending {
			if m.Address == c.address {
				return false
			}
		}
		return true
	})
}

func (c *chatter) sayAndWait(text, want string) shown {
	c.t.Helper()
	c.say(text)
	return c.waitFor(want)
}

// askingScenario is the same conversation on any channel. A staff member
// gets a new-report alert and picks "Tugaskan relawan" from it; the
// volunteer gets the task and types "Buka"; the reporter gets the status
// update and picks "Lihat laporan"; staff ask the reporter, who picks
// "Jawab" and answers; the volunteer, on a training's waitlist, gets the
// seat a trainee gave up and picks "Pendaftaran saya". On Telegram each pick is a tap; on WhatsApp,
// the number shown in the message klabot sent on its own.
func askingScenario(t *testing.T, db func() *store.DB, staff, vol, reporter, trainee *chatter, roles map[string]string) {
	for _, p := range []*chatter{staff, vol, reporter, trainee} {
		p.sayAndWait("halo", "Apakah Anda setuju?")
		p.sayAndWait("setuju", "Anda siapa?")
		p.sayAndWait(roles[p.address], "Menu utama")
	}
	invite := staff.sayAndWait("/undang satgas sanggau ledo", "UND-")
	vol.sayAndWait("/kode "+inviteCodeRe.FindString(invite.text), "Siapa nama Anda?")
	vol.sayAndWait("Sari", "Terima kasih, Sari")

	reporter.sayAndWait("1", "Laporan ini tentang apa?")
	reporter.sayAndWait("anak bekerja", "bekerja di mana")
	reporter.sayAndWait("kebun sawit", "dalam bahaya SEKARANG")
	reporter.sayAndWait("tidak", "Di kecamatan mana?")
	reporter.sayAndWait("sgu ledo", "Kecamatan Sanggau Ledo")
	reporter.sayAndWait("bange", "Ceritakan tempatnya")
	reporter.sayAndWait("lewati", "Apa yang terjadi?")
	reporter.sayAndWait("Dua anak tetangga disuruh memanen sawit setiap hari.", "Berapa anak")
	reporter.sayAndWait("2 anak", "berapa umur")
	reporter.sayAndWait("13-15 tahun", "Ada foto")
	reporter.sayAndWait("lewati", "boleh tahu nama")
	reporter.sayAndWait("tanpa nama", "Periksa laporan Anda")
	code := reportCodeRe.FindString(reporter.sayAndWait("kirim laporan", "Kode laporan").text)

	// The staff alert.
	alert := staff.waitFor("LAPORAN BARU " + code)
	staff.delivered(db())
	staff.choose(alert, "Tugaskan relawan")
	staff.choose(staff.waitFor("Tugaskan laporan "+code+" kepada relawan mana?"), "Sari")
	staff.waitFor("ditugaskan ke relawan Sari")

	// The volunteer's new task, picked by the choice's words.
	vol.waitFor("Tugas baru untuk Anda: laporan " + code)
	vol.delivered(db())
	card := vol.sayAndWait("buka", "Riwayat:")
	if !strings.Contains(card.text, "Laporan "+code) || !strings.Contains(card.text, "Pelapor: tanpa nama") {
		t.Errorf("the volunteer's card:\n%s", card.text)
	}

	// The reporter's status update.
	update := reporter.waitFor("Kabar laporan " + code + ": Diteruskan ke relawan Satgas PA")
	reporter.delivered(db())
	reporter.choose(update, "Lihat laporan")
	reporter.waitFor("Diteruskan ke relawan Satgas PA")

	// A question from staff, answered at once.
	staff.sayAndWait("/tanya "+code+" Di kebun mana anak-anak itu bekerja?", "sudah dikirim")
	q := reporter.waitFor("Pertanyaan tentang laporan " + code + ": Di kebun mana anak-anak itu bekerja?")
	if !strings.Contains(q.text, "Petugas DISKOPNAKERTRANS") {
		t.Errorf("the question is not signed by the office:\n%s", q.text)
	}
	reporter.delivered(db())
	reporter.choose(q, "Jawab")
	reporter.waitFor("Tulis jawaban Anda")
	reporter.sayAndWait("Kebun sawit di belakang SD Bange, blok 7.", "Terima kasih, jawaban Anda untuk laporan "+code)
	told := staff.waitFor("Pelapor menjawab pertanyaan tentang laporan " + code)
	vol.sayAndWait("/tanya "+code+" Jam berapa mereka di kebun?", "sudah dikirim")
	for _, secret := range []string{reporter.address, "Kebun sawit di belakang"} {
		if strings.Contains(told.text, secret) {
			t.Errorf("the staff alert says %q:\n%s", secret, told.text)
		}
	}

	// The seat offer: a training with one seat, the trainee in it and the
	// volunteer waiting; the trainee gives the seat up.
	seedOneSeat(t, db(), store.Contact{Channel: trainee.channel, Address: trainee.address},
		store.Contact{Channel: vol.channel, Address: vol.address})
	trainee.sayAndWait("/pelatihan saya", "Pendaftaran Anda:")
	trainee.sayAndWait("1", "Anda sudah terdaftar di pelatihan ini")
	trainee.sayAndWait("batalkan daftar", "Batalkan pendaftaran Anda")
	trainee.sayAndWait("ya, batalkan", "sudah dibatalkan")
	offer := vol.waitFor("Kabar baik! Ada tempat kosong")
	vol.delivered(db())
	vol.choose(offer, "Pendaftaran saya")
	mine := vol.waitFor("Pendaftaran Anda:")
	if !strings.Contains(mine.text, "Disiplin Positif di Rumah") || !strings.Contains(mine.text, "Terdaftar") {
		t.Errorf("the registrations of the one who got the seat:\n%s", mine.text)
	}
}

// On Telegram the choices of messages klabot sends on its own are keys
// that work at any time; the whole asking conversation runs on them.
func TestTelegramChoicesInReceivedMessages(t *testing.T) {
	// Questions to reporters wait out the night (21:00-06:00 WIB): this
	// journey happens by day, whenever the suite runs.
	clockFrom(t, time.Date(2026, 12, 2, 10, 0, 0, 0, wibZone(t)))
	srv := newServer(t)
	dir := t.TempDir()
	p := startKlabot(t, srv, dir, map[string]string{"KLABOT_STAFF": "telegram:9001"})
	staff := tgChatter(t, srv, 9001, "Ani")
	vol := tgChatter(t, srv, 7001, "Sari")
	reporter := tgChatter(t, srv, 5550123, "Siti")
	trainee := tgChatter(t, srv, 8001, "Budi")
	roles := map[string]string{"9001": "lainnya", "7001": "relawan satgas pa", "5550123": "warga", "8001": "warga"}
	askingScenario(t, func() *store.DB { return openDB(t, dir) }, staff, vol, reporter, trainee, roles)
	noNumbersInLogs(t, p, "5550123", "Siti")
}

// On WhatsApp choices are numbered text: the numbers in the latest
// message klabot sent on its own are that message's.
func TestWhatsAppChoicesInReceivedMessages(t *testing.T) {
	// Questions to reporters wait out the night (21:00-06:00 WIB): this
	// journey happens by day, whenever the suite runs.
	clockFrom(t, time.Date(2026, 12, 2, 10, 0, 0, 0, wibZone(t)))
	dir := t.TempDir()
	wa, p := startWhatsAppOnly(t, dir, map[string]string{"KLABOT_STAFF": "whatsapp:6281111111111"})
	staff := waChatter(t, wa, "6281111111111")
	vol := waChatter(t, wa, "6281200000007")
	reporter := waChatter(t, wa, "6281255501234")
	trainee := waChatter(t, wa, "6281200000008")
	roles := map[string]string{staff.address: "lainnya", vol.address: "relawan satgas pa", reporter.address: "warga", trainee.address: "warga"}
	askingScenario(t, func() *store.DB { return openDB(t, dir) }, staff, vol, reporter, trainee, roles)
	noNumbersInLogs(t, p, reporter.address)
}

// seedOneSeat makes a training with one seat, taken by holder, with
// waiting first on its waitlist.
func seedOneSeat(t *testing.T, db *store.DB, holder, waiting store.Contact) {
	t.Helper()
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		start := time.Now().Add(72 * time.Hour)
		tr, err := tx.CreateTraining(store.Training{Program: "keluarga", Title: "Disiplin Positif di Rumah", KecCode: "61.07.06",
			Place: "Balai Desa Bange", StartsAt: start, EndsAt: start.Add(3 * time.Hour), Capacity: 1, AttendanceCode: "7KQ3MX"}, time.Now())
		if err != nil {
			return err
		}
		for _, c := range []store.Contact{holder, waiting} {
			id, err := tx.UserIDByContact(c)
			if err != nil {
				return err
			}
			if _, err := tx.Register(store.Registration{TrainingID: tr.ID, UserID: id, FullName: "Peserta", Age: 30,
				DesaCode: "61.07.06.2001", Phone: "081200000000"}, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
