package all_test

import (
	"strings"
	"testing"
)

// askCase is a report by "warga" in Ledo, assigned by "petugas" to the
// volunteer "sari", on a clock in UTC as the server's is; it returns the
// report's code.
func askCase(t *testing.T, ch *chat) string {
	t.Helper()
	ch.now = ch.now.UTC()
	ch.staff["petugas"] = true
	ch.join("petugas", "5")
	ch.addVolunteer("sari", "ledo")
	ch.join("warga", "1")
	for _, a := range []string{"1", "7", "2", "ledo", "1", "lewati", "Ada anak yang tidak pernah pulang.", "1", "3", "lewati", "1", "1"} {
		ch.say("warga", a)
	}
	code := ""
	for _, m := range ch.seen["staff"] {
		if i := strings.Index(m, "LPR-"); i >= 0 {
			code = m[i : i+13]
		}
	}
	if code == "" {
		t.Fatal("no report was made")
	}
	ch.say("petugas", "/tugaskan "+code)
	ch.say("petugas", "1")
	return code
}

// The volunteer's new task shows the report's times in WIB, whatever
// the server's clock zone.
func TestNewTaskShowsLocalTime(t *testing.T) {
	ch := newChat(t)
	askCase(t, ch)
	task := ""
	for _, m := range ch.seen["sari"] {
		if strings.HasPrefix(m, "Tugas baru") {
			task = m
		}
	}
	if task == "" {
		t.Fatal("the volunteer got no task")
	}
	if !strings.Contains(task, "Masuk: 24/11/2026 10.") {
		t.Errorf("the task's time is not in WIB:\n%s", task)
	}
}

// A closed report takes no answers: the Jawab key of an old question
// and /jawab say so kindly, and nothing is recorded.
func TestClosedReportTakesNoAnswers(t *testing.T) {
	ch := newChat(t)
	code := askCase(t, ch)
	ch.say("petugas", "/tanya "+code+" Di mana rumahnya?")
	ch.say("petugas", "/status "+code+" ditolak Bukan kasus anak.")
	for _, in := range []string{"/jawab " + code, "[button] /jawab " + code + " 1"} {
		if reply := ch.say("warga", in); !strings.Contains(reply, "sudah ditutup") {
			t.Errorf("%s on a closed report: %q", in, reply)
		}
		if reply := ch.say("warga", "Di dekat pasar."); strings.Contains(reply, "jawaban Anda") {
			t.Errorf("an answer was taken after %s: %q", in, reply)
		}
	}
	if all := strings.Join(ch.seen["staff"], "\n"); strings.Contains(all, "Pelapor menjawab") {
		t.Error("staff were told of an answer to a closed report")
	}
}

// Where a question cannot be sent, Tanya pelapor is not offered and
// /tanya does not ask for the question's text: staff hear why at once.
func TestAskOnlyWhereItCanWork(t *testing.T) {
	ch := newChat(t)
	code := askCase(t, ch)
	for _, q := range []string{"Satu?", "Dua?", "Tiga?"} {
		ch.say("petugas", "/tanya "+code+" "+q)
	}
	if reply := ch.say("petugas", "/tanya "+code); !strings.Contains(reply, "sudah punya 3 pertanyaan") {
		t.Errorf("/tanya at the limit: %q", reply)
	}
	if card := ch.seen["petugas"][len(ch.seen["petugas"])-1]; strings.Contains(card, "/tanya") {
		t.Errorf("the card offers Tanya pelapor at the limit:\n%s", card)
	}
	ch.say("warga", "hapus data saya")
	ch.say("warga", "1")
	if reply := ch.say("petugas", "/tanya "+code); !strings.Contains(reply, "sudah menghapus datanya") {
		t.Errorf("/tanya with the reporter erased: %q", reply)
	}
}
