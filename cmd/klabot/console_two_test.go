package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"klabot/store"
)

// staffConsole is "klabot console --staff" running in the background, fed
// line by line.
type staffConsole struct {
	t    *testing.T
	in   *io.PipeWriter
	out  *syncBuffer
	seen int // output already matched
	exit chan int
}

func startStaffConsole(t *testing.T, env func(string) string) *staffConsole {
	r, w := io.Pipe()
	c := &staffConsole{t: t, in: w, out: &syncBuffer{}, exit: make(chan int, 1)}
	go func() {
		c.exit <- run(context.Background(), []string{"console", "--staff"}, r, c.out, io.Discard, env)
	}()
	t.Cleanup(func() { c.close() })
	return c
}

func (c *staffConsole) say(line string) {
	c.t.Helper()
	if _, err := io.WriteString(c.in, line+"\n"); err != nil {
		c.t.Fatalf("staff console: %v", err)
	}
}

// waitFor waits until the console printed want after what was matched
// before, and returns what it printed up to it.
func (c *staffConsole) waitFor(want string) string {
	c.t.Helper()
	var got string
	waitFor(c.t, "the staff console to print "+want, 15*time.Second, func() bool {
		all := c.out.String()
		i := strings.Index(all[c.seen:], want)
		if i < 0 {
			return false
		}
		got = all[c.seen : c.seen+i+len(want)]
		c.seen += i + len(want)
		return true
	})
	return got
}

func (c *staffConsole) close() {
	if c.in == nil {
		return
	}
	c.in.Close()
	c.in = nil
	select {
	case code := <-c.exit:
		if code != 0 {
			c.t.Errorf("staff console exit %d", code)
		}
	case <-time.After(10 * time.Second):
		c.t.Error("the staff console did not end")
	}
}

// villager runs "klabot console" with these lines and returns what it
// printed; each run is a new process, as a person closing the terminal
// and coming back.
func villager(t *testing.T, env func(string) string, lines ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"console"}, strings.NewReader(strings.Join(lines, "\n")+"\n"), &out, &errOut, env); code != 0 {
		t.Fatalf("villager console exit %d: %s", code, errOut.String())
	}
	return out.String()
}

func expectIn(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// Two consoles on one data folder: a villager in one terminal, staff in
// another. The staff console gets the new-report alert while it runs, and
// a 1 typed after it accepts the report. The villager, back in a new
// session, gets the status update and two questions printed first; a 1
// could mean either message, so klabot asks which; the answer begun in
// that session is finished after a restart. The villager, also a Satgas
// PA volunteer, opens the new task by typing its choice's words, and takes
// the seat offered from a waitlist by its number.
func TestTwoConsoles(t *testing.T) {
	// Questions to reporters wait out the night (21:00-06:00 WIB): this
	// journey happens by day, whenever the suite runs.
	clockFrom(t, time.Date(2026, 12, 2, 10, 0, 0, 0, wibZone(t)))
	dir := filepath.Join(t.TempDir(), "data")
	env := envOf(map[string]string{"KLABOT_DATA_DIR": dir})
	// The data folder exists before two processes share it.
	villager(t, env, "halo", "1", "1")
	staff := startStaffConsole(t, env)
	staff.say("halo")
	staff.waitFor("Apakah Anda setuju?")
	staff.say("1")
	staff.say("5")
	staff.waitFor("Menu petugas")

	out := villager(t, env, "1", "3", "2", "sanggau ledo", "bange", "lewati", "Anak tetangga sering dipukul ayahnya.",
		"1", "2", "lewati", "1", "1")
	code := reportCodeRe.FindString(out)
	if code == "" {
		t.Fatalf("no report code:\n%s", out)
	}
	alert := staff.waitFor("3. Buka")
	expectIn(t, "the staff alert", alert, "LAPORAN BARU "+code, "1. Terima", "2. Tugaskan relawan")
	staff.say("1")
	staff.waitFor("Laporan " + code + " sekarang: Diterima petugas")
	staff.say("/tanya " + code + " Di kebun mana?")
	staff.waitFor("sudah dikirim")
	staff.say("/tanya " + code + " Berapa umur anaknya?")
	staff.waitFor("sudah dikirim")

	out = villager(t, env, "1", "1")
	expectIn(t, "the villager's next session", out, "Kabar laporan "+code, "1. Lihat laporan",
		"Pertanyaan tentang laporan "+code+": Berapa umur anaknya?", "1. Jawab", "2. Nanti",
		"Yang mana maksud Anda?", "Tulis jawaban Anda")
	if !strings.Contains(out[strings.LastIndex(out, "Yang mana"):], "Berapa umur anaknya?\n\nTulis jawaban Anda") {
		t.Errorf("the Jawab of the latest question did not open it:\n%s", out)
	}
	// Restarted in the middle of the answer.
	out = villager(t, env, "Sekitar 10 tahun.", "Nanti")
	expectIn(t, "after a restart", out, "Terima kasih, jawaban Anda untuk laporan "+code,
		"Pertanyaan tentang laporan "+code+": Di kebun mana?", "Anda bisa menjawab nanti")
	staff.waitFor("Pelapor menjawab pertanyaan tentang laporan " + code)
	staff.say("1")
	card := staff.waitFor("Tanya pelapor")
	expectIn(t, "the report card", card, "jawaban pelapor: «Berapa umur anaknya?» Sekitar 10 tahun.", "Pelapor: tanpa nama")

	// The villager becomes a volunteer and is given the report.
	staff.say("/undang satgas sanggau ledo")
	invite := inviteCodeRe.FindString(staff.waitFor("/kode UND-"))
	villager(t, env, "/kode "+invite, "Wati")
	staff.say("/tugaskan " + code)
	staff.waitFor("kepada relawan mana?")
	staff.say("1")
	staff.waitFor("ditugaskan ke relawan Wati")
	out = villager(t, env, "buka")
	expectIn(t, "the volunteer's task", out, "Tugas baru untuk Anda: laporan "+code, "3. Buka", "Riwayat:", "Pelapor: tanpa nama")

	// A seat from the waitlist: staff hold the one seat, the villager waits.
	db := openDB(t, dir)
	seedOneSeat(t, db, store.Contact{Channel: "console", Address: "staff"}, store.Contact{Channel: "console", Address: "local"})
	db.Close()
	staff.say("/pelatihan saya")
	staff.waitFor("Pendaftaran Anda:")
	staff.say("1")
	staff.waitFor("Batalkan daftar")
	staff.say("batalkan daftar")
	staff.waitFor("Batalkan pendaftaran Anda")
	staff.say("ya, batalkan")
	staff.waitFor("sudah dibatalkan")
	out = villager(t, env, "1")
	expectIn(t, "the seat offer", out, "Kabar baik! Ada tempat kosong", "1. Pendaftaran saya", "Pendaftaran Anda:", "Terdaftar")
	staff.close()
}
