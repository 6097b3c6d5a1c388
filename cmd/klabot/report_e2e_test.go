package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"klabot/bot/telegram/fakeapi"
	"klabot/store"
)

// tgPerson is someone chatting with klabot through the fake Bot API.
type tgPerson struct {
	t    *testing.T
	srv  *fakeapi.Server
	user fakeapi.User
	seen int // messages to this chat already looked at
}

func newPerson(t *testing.T, srv *fakeapi.Server, id int64, name string) *tgPerson {
	return &tgPerson{t: t, srv: srv, user: fakeapi.User{ID: id, FirstName: name}}
}

func (p *tgPerson) send(text string) { p.srv.SendText(p.user.ID, p.user, text) }

// waitFor waits for the next message to this person that contains want,
// passing over others (a reply sent twice around a restart, say).
func (p *tgPerson) waitFor(want string) fakeapi.Sent {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for n := p.seen + 1; ; n++ {
		sent, err := p.srv.WaitSentTo(ctx, p.user.ID, n)
		if err != nil {
			var got []string
			for _, m := range sent[min(p.seen, len(sent)):] {
				got = append(got, m.Text+m.Caption)
			}
			p.t.Fatalf("%s waited for %q; got:\n%s", p.user.FirstName, want, strings.Join(got, "\n---\n"))
		}
		if m := sent[n-1]; strings.Contains(m.Text+m.Caption, want) {
			p.seen = n
			return m
		}
	}
}

// press taps the key with this label on a message the bot sent.
func (p *tgPerson) press(m fakeapi.Sent, label string) {
	p.t.Helper()
	b, ok := m.ReplyMarkup.Find(label)
	if !ok {
		p.t.Fatalf("no key %q on %q (keys %v)", label, m.Text, m.ReplyMarkup.Buttons())
	}
	p.srv.PressButton(p.user.ID, p.user, m.MessageID, b.CallbackData)
}

// all is every message this person received.
func (p *tgPerson) all() string {
	var b strings.Builder
	for _, m := range p.srv.SentTo(p.user.ID) {
		b.WriteString(m.Text + m.Caption + "\n")
		for _, k := range m.ReplyMarkup.Buttons() {
			b.WriteString(k.Text + " " + k.CallbackData + "\n")
		}
	}
	return b.String()
}

// start says yes to the data notice and picks a role.
func (p *tgPerson) start(role string) fakeapi.Sent {
	p.t.Helper()
	p.send("/start")
	p.press(p.waitFor("Apakah Anda setuju?"), "Setuju")
	p.press(p.waitFor("Anda siapa?"), role)
	return p.waitFor("Menu utama")
}

var (
	reportCodeRe = regexp.MustCompile(`LPR-[0-9A-Z]{4}-[0-9A-Z]{4}`)
	inviteCodeRe = regexp.MustCompile(`UND-[0-9A-Z]{4}-[0-9A-Z]{4}`)
)

// evidenceOf reads the evidence files of the report with code as they are
// now; nil if they cannot be read yet.
func evidenceOf(db *store.DB, code string) []store.Media {
	var media []store.Media
	db.Tx(context.Background(), func(tx *store.Tx) error {
		r, err := tx.ReportByCode(code)
		if err != nil {
			return err
		}
		media, err = tx.ReportMedia(r.ID)
		return err
	})
	return media
}

// The whole path over Telegram: a new person goes from /start to a report
// code (with a restart in the middle of the report and a photo as
// evidence); staff get it at once, accept it and assign it to a volunteer
// who joined with an invite code; the volunteer marks it checked, staff
// close it, and the reporter hears of each step. Staff never learn who
// reported, and the photo is downloaded and kept with its checksum.
func TestTelegramReportFromStartToClosed(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	dir := t.TempDir()
	env := map[string]string{"KLABOT_STAFF": "telegram:9001"}
	app := startKlabot(t, srv, dir, env)

	staff := newPerson(t, srv, 9001, "Ani")
	volunteer := newPerson(t, srv, 7001, "Sari")
	reporter := newPerson(t, srv, 48213, "Rina")
	other := newPerson(t, srv, 6001, "Eka")

	staff.start("Lainnya")
	staff.send("/undang satgas sanggau ledo")
	invite := inviteCodeRe.FindString(staff.waitFor("Kode undangan").Text)

	volunteer.start("Relawan Satgas PA")
	volunteer.send("/laporan") // choosing the role is not enough
	volunteer.waitFor("hanya untuk petugas dinas dan relawan")
	volunteer.send("/kode " + strings.ToLower(invite))
	volunteer.waitFor("Siapa nama Anda?")
	volunteer.send("Sari")
	volunteer.waitFor("Terima kasih, Sari")
	other.start("Warga")
	other.send("/kode " + invite)
	other.waitFor("sudah dipakai")

	menu := reporter.start("Warga")
	reporter.press(menu, "Laporkan kasus")
	reporter.press(reporter.waitFor("Laporan ini tentang apa?"), "Anak bekerja")
	reporter.press(reporter.waitFor("bekerja di mana"), "Kebun / sawit")
	reporter.press(reporter.waitFor("dalam bahaya SEKARANG"), "Tidak")
	reporter.waitFor("Di kecamatan mana?")
	reporter.send("sgu ledo")
	reporter.press(reporter.waitFor("Kecamatan Sanggau Ledo"), "Bange")
	reporter.press(reporter.waitFor("Ceritakan tempatnya"), "Lewati")
	reporter.waitFor("Apa yang terjadi?")

	// klabot restarts in the middle of the report: the draft is kept.
	app.stop(t)
	startKlabot(t, srv, dir, env)

	reporter.send("Dua anak tetangga disuruh memanen sawit setiap hari dan tidak sekolah.")
	reporter.press(reporter.waitFor("Berapa anak"), "2 anak")
	reporter.press(reporter.waitFor("berapa umur"), "13-15 tahun")
	reporter.waitFor("Ada foto")
	photo := bytes.Repeat([]byte("\xff\xd8\xff foto kebun sawit "), 500)
	srv.AddFile("photo-e2e", photo)
	srv.SendPhoto(reporter.user.ID, reporter.user, "photo-e2e", "anak memanen sawit")
	reporter.press(reporter.waitFor("Diterima: 1 berkas"), "Selesai")
	reporter.press(reporter.waitFor("boleh tahu nama"), "Tanpa nama")
	summary := reporter.waitFor("Periksa laporan Anda")
	for _, want := range []string{"Anak bekerja: Kebun / sawit", "Bange, Sanggau Ledo", "Dua anak tetangga", "2 anak, umur 13-15 tahun", "Bukti: 1 berkas", "tanpa nama"} {
		if !strings.Contains(summary.Text, want) {
			t.Errorf("summary after the restart lacks %q:\n%s", want, summary.Text)
		}
	}
	reporter.press(summary, "Kirim laporan")
	thanks := reporter.waitFor("Kode laporan")
	code := reportCodeRe.FindString(thanks.Text)
	if code == "" || !strings.Contains(thanks.Text, "SAPA 129") || !strings.Contains(thanks.Text, "hapus percakapan") {
		t.Fatalf("the reporter's thanks: %q", thanks.Text)
	}

	// Staff get the report at once, with keys.
	alert := staff.waitFor("LAPORAN BARU " + code)
	if !strings.Contains(alert.Text, "Pelapor: tanpa nama") || !strings.Contains(alert.Text, "klaster V, indikator 21") {
		t.Errorf("alert: %s", alert.Text)
	}
	other.send("/buka " + code)
	other.waitFor("hanya untuk petugas")
	other.send("/status " + code)
	other.waitFor("tidak ditemukan di antara laporan Anda")
	volunteer.send("/buka " + code) // not assigned to her yet
	volunteer.waitFor("Laporan " + code + " tidak ditemukan")

	staff.press(alert, "Terima")
	reporter.waitFor("Diterima petugas. Petugas dinas sedang mempelajari")
	staff.press(staff.waitFor("sekarang: Diterima petugas"), "Tugaskan relawan")
	staff.press(staff.waitFor("kepada relawan mana"), "Sari")
	staff.waitFor("ditugaskan ke relawan Sari")
	task := volunteer.waitFor("Tugas baru untuk Anda: laporan " + code)
	reporter.waitFor("Diteruskan ke relawan Satgas PA. Relawan akan mengecek")

	volunteer.send("/terima " + code)
	volunteer.waitFor("hanya bisa dilakukan petugas dinas")
	volunteer.press(task, "Sudah dicek lapangan")
	volunteer.waitFor("sekarang: Sudah dicek di lapangan")
	reporter.waitFor("Sudah dicek di lapangan. Relawan Satgas PA sudah mengecek")
	staff.waitFor("Relawan mengubah laporan " + code)

	staff.send("/status " + code + " selesai")
	staff.waitFor("sekarang: Selesai")
	reporter.waitFor("sudah selesai")

	// The evidence was fetched with getFile and kept with its checksum.
	db := openDB(t, dir)
	sum := sha256.Sum256(photo)
	var saved store.Media
	waitFor(t, "the evidence to be saved", 10*time.Second, func() bool {
		if media := evidenceOf(db, code); len(media) == 1 {
			saved = media[0]
		}
		return saved.State == store.MediaSaved
	})
	wantPath := filepath.Join(dir, "media", code, hex.EncodeToString(sum[:])+".jpg")
	if saved.SHA256 != hex.EncodeToString(sum[:]) || saved.Path != wantPath || saved.Size != int64(len(photo)) {
		t.Errorf("saved evidence %+v, want %s", saved, wantPath)
	}
	if got, err := os.ReadFile(wantPath); err != nil || !bytes.Equal(got, photo) {
		t.Errorf("evidence file: %v", err)
	}
	if info, err := os.Stat(wantPath); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("evidence file mode: %v %v", info, err)
	}
	if srv.Requests("getFile") == 0 || srv.Requests("file") == 0 {
		t.Errorf("getFile %d, downloads %d", srv.Requests("getFile"), srv.Requests("file"))
	}

	// Staff can see the evidence; the file they get is the reporter's.
	staff.send("/bukti " + code)
	staff.waitFor("1 dikirim")
	evidence := staff.waitFor("Bukti 1 dari 1, laporan " + code)
	if data, ok := srv.File(evidence.FileID); evidence.Method != "sendPhoto" || !ok || !bytes.Equal(data, photo) {
		t.Errorf("staff did not get the evidence photo (%s)", evidence.Method)
	}

	// Nobody but the reporter learnt who reported.
	for _, p := range []*tgPerson{staff, volunteer, other} {
		if seen := p.all(); strings.Contains(seen, "48213") || strings.Contains(seen, "Rina") {
			t.Errorf("%s saw the anonymous reporter's identity:\n%s", p.user.FirstName, seen)
		}
	}
}

// startWithStaff starts klabot against a new fake Bot API server, with
// Telegram user 9001 (Ani) as staff, in a new data folder.
func startWithStaff(t *testing.T) (srv *fakeapi.Server, dir string, staff *tgPerson) {
	srv = newServer(t)
	dir = t.TempDir()
	startKlabot(t, srv, dir, map[string]string{"KLABOT_STAFF": "telegram:9001"})
	return srv, dir, newPerson(t, srv, 9001, "Ani")
}

// Awkward input over Telegram: each gets a kind answer, and nothing of
// the report is lost.
func TestTelegramReportBadInput(t *testing.T) {
	t.Parallel()
	srv, dir, staff := startWithStaff(t)
	// Two people share the awkward input: klabot stops answering anyone who
	// sends more than 20 messages within 10 seconds (flood control), and
	// without Telegram's pacing a test person types that fast.
	eka := newPerson(t, srv, 5102, "Eka")
	menu := eka.start("Warga")
	eka.send("/terima LPR-AB12-CD34")
	eka.waitFor("hanya untuk petugas")
	eka.send("/kode UND-AB12-CD34")
	eka.waitFor("tidak dikenal")
	eka.press(menu, "Laporkan kasus") // a key from an old message
	eka.waitFor("Tombol itu dari pesan lama")
	eka.send("1")
	eka.waitFor("Laporan ini tentang apa?")
	srv.SendSticker(eka.user.ID, eka.user, "stk", "😢")
	eka.waitFor("stiker")
	eka.send("halo")
	eka.press(eka.waitFor("masih tersimpan"), "Kekerasan")
	eka.waitFor("dalam bahaya SEKARANG")
	eka.send("/start") // in the middle of the report: the draft is not wiped
	eka.press(eka.waitFor("belum selesai dan belum terkirim"), "Lanjutkan laporan")
	eka.press(eka.waitFor("dalam bahaya SEKARANG"), "Tidak")
	eka.send("sgu ledo")
	eka.waitFor("Kecamatan Sanggau Ledo")
	eka.send("jakarta")
	eka.waitFor("desa itu tidak saya temukan")

	p := newPerson(t, srv, 5101, "Budi")
	p.press(p.start("Warga"), "Laporkan kasus")
	p.press(p.waitFor("Laporan ini tentang apa?"), "Kekerasan")
	p.press(p.waitFor("dalam bahaya SEKARANG"), "Ya, sekarang")
	p.waitFor("SAPA 129 (telepon 129, WA 08111-129-129)")
	srv.SendPhoto(p.user.ID, p.user, "photo-house", "rumahnya")
	p.waitFor("kami simpan sebagai bukti")
	p.send("sangau ledo")
	p.waitFor("Kecamatan Sanggau Ledo")
	p.send("gua")
	p.waitFor("Ceritakan tempatnya")
	p.send("'; DROP TABLE reports; --")
	p.waitFor("Apa yang terjadi?")
	p.send("😢😢😢")
	p.waitFor("belum ada kata-katanya")
	story := strings.Repeat("Anak itu dipukul dan disuruh bekerja. ", 140)[:5000]
	p.send(story)
	p.press(p.waitFor("Berapa anak"), "1 anak")
	p.press(p.waitFor("berapa umur"), "5-12 tahun")
	p.press(p.waitFor("Diterima: 1 berkas"), "Selesai")
	p.press(p.waitFor("boleh tahu nama"), "Boleh, pakai nama")
	p.waitFor("Siapa nama Anda?")
	p.send("Budi")
	summary := p.waitFor("Periksa laporan Anda")
	if !strings.Contains(summary.Text, "5000 huruf, tersimpan lengkap") || !strings.Contains(summary.Text, "Mendesak: ya") {
		t.Errorf("summary: %s", summary.Text)
	}
	p.press(summary, "Kirim laporan")
	code := reportCodeRe.FindString(p.waitFor("Kode laporan").Text)

	urgent := staff.waitFor("LAPORAN MENDESAK " + code)
	if !strings.Contains(urgent.Text, "Pelapor: Budi, lewat Telegram") {
		t.Errorf("a named report shows staff who to contact: %s", urgent.Text)
	}
	db := openDB(t, dir)
	var media []store.Media
	deadline := time.Now().Add(10 * time.Second)
	for len(media) == 0 || media[0].State == store.MediaPending {
		if time.Now().After(deadline) {
			t.Fatalf("the evidence download was never settled: %+v", media)
		}
		time.Sleep(20 * time.Millisecond)
		db.Tx(context.Background(), func(tx *store.Tx) error {
			r, err := tx.ReportByCode(code)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(r.Description, story) || r.PlaceNote != "'; DROP TABLE reports; --" || !r.Urgent || r.Anonymous {
				t.Errorf("stored report lost something: place %q, urgent %v, anonymous %v, story %d chars",
					r.PlaceNote, r.Urgent, r.Anonymous, len(r.Description))
			}
			media, err = tx.ReportMedia(r.ID)
			return err
		})
	}
	// Telegram no longer has that file: the download fails for good, and
	// the report stands without it.
	if media[0].State != store.MediaFailed || media[0].Path != "" {
		t.Errorf("evidence that cannot be fetched: %+v", media[0])
	}
	staff.send("/start")
	staff.press(staff.waitFor("Apakah Anda setuju?"), "Setuju")
	staff.press(staff.waitFor("Anda siapa?"), "Lainnya")
	staff.send("/buka " + code)
	staff.waitFor("Bukti: 1 berkas (1 gagal diunduh)")
}

// draftReport is a new person's report up to its summary: the category,
// not urgent, the place as place answers it, the story, one child of
// 13-15, no evidence, anonymous.
func (p *tgPerson) draftReport(category string, place func(), story string) fakeapi.Sent {
	p.t.Helper()
	p.press(p.start("Warga"), "Laporkan kasus")
	p.press(p.waitFor("Laporan ini tentang apa?"), category)
	p.press(p.waitFor("dalam bahaya SEKARANG"), "Tidak")
	place()
	p.waitFor("Apa yang terjadi?")
	p.send(story)
	p.press(p.waitFor("Berapa anak"), "1 anak")
	p.press(p.waitFor("berapa umur"), "13-15 tahun")
	p.press(p.waitFor("Ada foto"), "Lewati")
	p.press(p.waitFor("boleh tahu nama"), "Tanpa nama")
	return p.waitFor("Periksa laporan Anda")
}

// A place shared as a location pin over Telegram, instead of a kecamatan
// and desa, reaches the stored report and the staff alert as a map link.
func TestTelegramReportWithLocationPin(t *testing.T) {
	t.Parallel()
	srv, dir, staff := startWithStaff(t)
	reporter := newPerson(t, srv, 48214, "Tono")

	summary := reporter.draftReport("Putus sekolah", func() {
		reporter.waitFor("Atau kirim lokasi")
		srv.SendLocation(reporter.user.ID, reporter.user, 0.974512, 109.659876)
		reporter.waitFor("lokasi sudah kami terima")
		reporter.send("rumah panggung dekat jembatan")
	}, "Anak itu tidak sekolah lagi sejak bulan lalu, ikut ayahnya ke ladang.")
	if !strings.Contains(summary.Text, "Tempat: lokasi yang Anda kirim") {
		t.Errorf("summary does not name the pin as the place:\n%s", summary.Text)
	}
	reporter.press(summary, "Kirim laporan")
	code := reportCodeRe.FindString(reporter.waitFor("Kode laporan").Text)

	alert := staff.waitFor("LAPORAN BARU " + code)
	if !strings.Contains(alert.Text, "maps?q=0.974512,109.659876") || !strings.Contains(alert.Text, "rumah panggung dekat jembatan") {
		t.Errorf("the staff alert lacks the pin or the place description:\n%s", alert.Text)
	}
	db := openDB(t, dir)
	db.Tx(context.Background(), func(tx *store.Tx) error {
		r, err := tx.ReportByCode(code)
		if err != nil {
			t.Fatal(err)
		}
		if !r.HasPin || r.Lat != 0.974512 || r.Lon != 109.659876 || r.KecCode != "" || r.KLACluster != "IV" {
			t.Errorf("stored report: pin %v %v,%v, kecamatan %q, klaster %q", r.HasPin, r.Lat, r.Lon, r.KecCode, r.KLACluster)
		}
		return nil
	})
}

// The reporter adds a voice note and a document to a report already sent:
// staff are told, and both files are fetched with getFile and kept with
// their checksums, as the report's own evidence is.
func TestTelegramEvidenceAddedToOpenReport(t *testing.T) {
	t.Parallel()
	srv, dir, staff := startWithStaff(t)
	reporter := newPerson(t, srv, 48215, "Wati")
	voice := []byte("OggS rekaman suara tetangga")
	letter := []byte("%PDF-1.4 undangan pernikahan")
	srv.AddFile("voice-add", voice)
	srv.AddFile("doc-add", letter)

	summary := reporter.draftReport("Perkawinan anak", func() {
		reporter.waitFor("Di kecamatan mana?")
		reporter.send("seluas")
		reporter.waitFor("Kecamatan Seluas")
		reporter.send("1")
		reporter.press(reporter.waitFor("Ceritakan tempatnya"), "Lewati")
	}, "Anak tetangga umur 15 tahun akan dinikahkan bulan depan.")
	reporter.press(summary, "Kirim laporan")
	code := reportCodeRe.FindString(reporter.waitFor("Kode laporan").Text)
	staff.waitFor("LAPORAN BARU " + code)

	reporter.send("/status " + code)
	reporter.press(reporter.waitFor("Laporan "+code), "Kirim bukti")
	reporter.waitFor("Kirim foto, rekaman suara")
	srv.SendVoice(reporter.user.ID, reporter.user, "voice-add", 12)
	reporter.waitFor("Diterima: 1 berkas")
	srv.SendDocument(reporter.user.ID, reporter.user, "doc-add", "undangan.pdf", "")
	reporter.press(reporter.waitFor("Diterima: 2 berkas"), "Selesai")
	staff.waitFor("Pelapor mengirim bukti tambahan untuk laporan " + code)

	db := openDB(t, dir)
	var media []store.Media
	waitFor(t, "the added evidence to be saved", 10*time.Second, func() bool {
		media = evidenceOf(db, code)
		return len(media) == 2 && media[0].State == store.MediaSaved && media[1].State == store.MediaSaved
	})
	for i, want := range []struct {
		data []byte
		ext  string
	}{{voice, ".ogg"}, {letter, ".pdf"}} {
		sum := sha256.Sum256(want.data)
		path := filepath.Join(dir, "media", code, hex.EncodeToString(sum[:])+want.ext)
		if media[i].SHA256 != hex.EncodeToString(sum[:]) || media[i].Path != path {
			t.Errorf("evidence %d: %+v, want %s", i+1, media[i], path)
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want.data) {
			t.Errorf("evidence %d file: %v", i+1, err)
		}
	}
}
