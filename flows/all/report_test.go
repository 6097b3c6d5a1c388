package all_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"

	"klabot/store"
)

// Anonymity holds wherever staff and volunteers look: alerts, lists,
// report views, assignment messages, notes, and the audit log.
func TestAnonymousReporterNeverShownToStaffOrVolunteers(t *testing.T) {
	ch := newChat(t)
	ch.staff["petugas"] = true
	ch.join("petugas", "5")
	ch.addVolunteer("sari", "sanggau ledo")

	// The reporter has a name on record from before, and a contact that
	// would identify them.
	ch.join("rina-0812345", "1")
	err := ch.db.Tx(context.Background(), func(tx *store.Tx) error {
		id, _ := tx.UserIDByContact(store.Contact{Channel: "console", Address: "rina-0812345"})
		u, _ := tx.User(id)
		u.Name = "Rina Wulandari"
		return tx.SaveUser(u)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, answer := range []string{"1", "3", "1", "sanggau ledo", "bange", "lewati",
		"Anak tetangga dipukul pamannya setiap malam.", "1", "3", "lewati", "1"} {
		ch.say("rina-0812345", answer)
	}
	summary := ch.say("rina-0812345", "1")
	reportCode := strings.Fields(summary[strings.Index(summary, "LPR-"):])[0]

	for _, step := range []struct{ who, text string }{
		{"petugas", "/laporan"}, {"petugas", "/buka " + reportCode}, {"petugas", "[button] /terima " + reportCode},
		{"petugas", "/tugaskan " + reportCode}, {"petugas", "1"}, {"sari", "/laporan"}, {"sari", "/buka " + reportCode},
		{"sari", "/verifikasi " + reportCode + " sudah dicek"}, {"sari", "/catatan " + reportCode + " keluarga ditemui"},
		// The reporter adds information: staff and the volunteer are told,
		// still without who it is.
		{"rina-0812345", "/status " + reportCode}, {"rina-0812345", "1"}, {"rina-0812345", "Sekarang adiknya juga dipukul."},
		{"petugas", "/status " + reportCode + " selesai"},
	} {
		ch.say(step.who, step.text)
	}
	for _, who := range []string{"staff", "petugas", "sari"} {
		all := strings.Join(ch.seen[who], "\n")
		if !strings.Contains(all, reportCode) {
			t.Fatalf("%s never saw the report; the test is not looking at anything", who)
		}
		for _, secret := range []string{"Rina", "Wulandari", "rina-0812345", "0812345"} {
			if strings.Contains(all, secret) {
				t.Errorf("%s saw %q of an anonymous reporter:\n%s", who, secret, all)
			}
		}
	}
	if all := strings.Join(ch.seen["sari"], "\n"); !strings.Contains(all, "Pelapor menambah keterangan pada laporan "+reportCode) {
		t.Errorf("the volunteer was not told of the reporter's new information")
	}
	if all := strings.Join(ch.seen["petugas"], "\n"); !strings.Contains(all, "Sekarang adiknya juga dipukul.") {
		t.Errorf("staff cannot read the reporter's new information in the report")
	}
	// The reporter still heard about every step.
	told := strings.Join(ch.seen["rina-0812345"], "\n")
	for _, want := range []string{"Diterima petugas", "Diteruskan ke relawan Satgas PA", "Sudah dicek di lapangan", "sudah selesai"} {
		if !strings.Contains(told, want) {
			t.Errorf("the reporter was not told %q", want)
		}
	}
	// Every view and change by staff and volunteer is in the audit log,
	// without the reporter's identity.
	raw, err := sql.Open("sqlite3", "file:"+ch.db.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT actor || ' ' || action || ' ' || subject || ' ' || detail FROM audit ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for rows.Next() {
		var a string
		rows.Scan(&a)
		actions = append(actions, a)
	}
	rows.Close()
	log := strings.Join(actions, "\n")
	for _, want := range []string{"report:list", "report:view " + reportCode, "report:status " + reportCode + " baru -> diterima",
		"report:assign " + reportCode, "report:status " + reportCode + " diterima -> diverifikasi", "report:note " + reportCode,
		"report:status " + reportCode + " diverifikasi -> selesai", "invite:create", "invite:redeem"} {
		if !strings.Contains(log, want) {
			t.Errorf("audit log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "Rina") || strings.Contains(log, "0812345") {
		t.Errorf("audit log names the reporter:\n%s", log)
	}
}

// A staff member or volunteer in the middle of their own report keeps the
// draft when they open a report from an alert.
func TestCommandKeysKeepOwnDraft(t *testing.T) {
	ch := newChat(t)
	ch.staff["petugas"] = true
	ch.join("petugas", "5")
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
	ch.say("petugas", "1") // Laporkan kasus: the staff member starts their own report
	ch.say("petugas", "3") // Kekerasan
	ch.say("petugas", "2") // not urgent
	before := len(ch.seen["petugas"])
	reply := ch.say("petugas", "[button] /buka "+code)
	if !strings.Contains(reply, "Di kecamatan mana?") {
		t.Errorf("the draft's question was not asked again: %q", reply)
	}
	if got := strings.Join(ch.seen["petugas"][before:], "\n"); !strings.Contains(got, "Laporan "+code) {
		t.Errorf("the report view did not come: %q", got)
	}
	if reply := ch.say("petugas", "ledo"); !strings.Contains(reply, "Desa atau kelurahan mana di Kecamatan Ledo") {
		t.Errorf("the draft did not go on: %q", reply)
	}
}

// Staff narrow the list by kecamatan, category or status as they type
// them, and assigning a report offers the Satgas PA volunteers of its
// kecamatan only (all of them, with their kecamatan, when it has none).
func TestStaffListFiltersAndVolunteersOfTheKecamatan(t *testing.T) {
	ch := newChat(t)
	ch.staff["petugas"] = true
	ch.join("petugas", "5")
	for who, kec := range map[string]string{"sari": "sanggau ledo", "yanto": "ledo"} {
		ch.addVolunteer(who, kec)
	}
	ch.join("warga", "1")
	report := func(answers ...string) string {
		t.Helper()
		for _, a := range answers {
			ch.say("warga", a)
		}
		for _, a := range []string{"1", "3", "lewati", "1"} { // children, age, no evidence, anonymous
			ch.say("warga", a)
		}
		thanks := ch.say("warga", "1")
		i := strings.Index(thanks, "LPR-")
		if i < 0 {
			t.Fatalf("no report code in %q", thanks)
		}
		return thanks[i : i+13]
	}
	sawit := report("1", "1", "2", "2", "sgu ledo", "bange", "lewati", "Anak tetangga memanen sawit setiap hari.")
	kekerasan := report("1", "3", "2", "Ledo", "1", "lewati", "Anak itu dipukul pamannya setiap malam.")
	seluas := report("1", "6", "2", "seluas", "1", "lewati", "Anak itu tidak sekolah lagi sejak bulan lalu.")

	for _, c := range []struct {
		filter string
		want   []string
		absent []string
	}{
		{"sanggau ledo", []string{sawit}, []string{kekerasan, seluas}},
		{"SGU LEDO", []string{sawit}, []string{kekerasan, seluas}},
		{"ledo", []string{kekerasan}, []string{sawit, seluas}},
		{"sawit", []string{sawit}, []string{kekerasan, seluas}},
		{"kekerasan", []string{kekerasan}, []string{sawit, seluas}},
		{"putus sekolah", []string{seluas}, []string{sawit, kekerasan}},
		{"baru", []string{sawit, kekerasan, seluas}, nil},
		{"selesai", nil, []string{sawit, kekerasan, seluas}},
	} {
		list := ch.say("petugas", "/laporan "+c.filter)
		for _, code := range c.want {
			if !strings.Contains(list, code) {
				t.Errorf("/laporan %s lacks %s:\n%s", c.filter, code, list)
			}
		}
		for _, code := range c.absent {
			if strings.Contains(list, code) {
				t.Errorf("/laporan %s lists %s:\n%s", c.filter, code, list)
			}
		}
	}

	offered := func(code string) string {
		t.Helper()
		ch.say("petugas", "/tugaskan "+code)
		seen := ch.seen["petugas"]
		return seen[len(seen)-1]
	}
	if got := offered(sawit); !strings.Contains(got, "\nSari /tugaskan") || strings.Contains(got, "Yanto") {
		t.Errorf("a report in Sanggau Ledo should offer Sari alone:\n%s", got)
	}
	if got := offered(kekerasan); !strings.Contains(got, "\nYanto /tugaskan") || strings.Contains(got, "Sari") {
		t.Errorf("a report in Ledo should offer Yanto alone:\n%s", got)
	}
	got := offered(seluas)
	if !strings.Contains(got, "Belum ada relawan Satgas PA di Seluas") ||
		!strings.Contains(got, "\nSari, Sanggau Ledo /tugaskan") || !strings.Contains(got, "\nYanto, Ledo /tugaskan") {
		t.Errorf("a report where no volunteer is should offer all, with their kecamatan:\n%s", got)
	}
}

// A second press of the same key (accept, assign, join) changes nothing,
// tells nobody again, and gets a kind answer saying it is done.
func TestSecondClickIsHarmless(t *testing.T) {
	ch := newChat(t)
	ch.staff["petugas"] = true
	ch.join("petugas", "5")
	undCode := ch.addVolunteer("sari", "sanggau ledo")
	ch.join("warga", "1")
	for _, a := range []string{"1", "3", "1", "sanggau ledo", "bange", "lewati", "Anak dipukul.", "1", "3", "lewati", "1"} {
		ch.say("warga", a)
	}
	thanks := ch.say("warga", "1")
	code := thanks[strings.Index(thanks, "LPR-"):][:13]

	ch.say("petugas", "[button] /terima "+code)
	told := len(ch.seen["warga"])
	if reply := ch.say("petugas", "[button] /terima "+code); !strings.Contains(reply, "Laporan "+code+" sudah berstatus Diterima") {
		t.Errorf("second accept: %q", reply)
	}
	ch.say("petugas", "[button] /tugaskan "+code)
	ch.say("petugas", "1")
	toldVolunteer := len(ch.seen["sari"])
	if reply := ch.say("petugas", "[button] /tugaskan "+code+" "+strconv.FormatInt(ch.idOf("sari"), 10)); !strings.Contains(reply, "sudah ditugaskan ke relawan Sari") {
		t.Errorf("second assignment: %q", reply)
	}
	if reply := ch.say("sari", "/kode "+undCode); !strings.Contains(reply, "Sanggau Ledo") {
		t.Errorf("own invite code again: %q", reply)
	}
	// The reporter heard of the assignment once; the volunteer heard only
	// the answer to their own code.
	if len(ch.seen["sari"]) != toldVolunteer+1 || len(ch.seen["warga"]) != told+1 {
		t.Errorf("told again: volunteer %q, reporter %q", ch.seen["sari"][toldVolunteer:], ch.seen["warga"][told:])
	}
	if got := strings.Join(ch.seen["staff"], "\n"); strings.Count(got, "Relawan baru Satgas PA") != 1 {
		t.Errorf("staff told twice of the volunteer joining:\n%s", got)
	}
}

// A report shown again after an action on it carries the start of a long
// story, not the whole story each time; opening it shows it whole.
func TestLongStoryNotResentAfterEachAction(t *testing.T) {
	ch := newChat(t)
	ch.staff["petugas"] = true
	ch.join("petugas", "5")
	ch.join("warga", "1")
	story := strings.Repeat("Anak itu disuruh memanen sawit dari pagi sampai malam. ", 40)
	for _, a := range []string{"1", "3", "1", "sanggau ledo", "bange", "lewati", story, "1", "3", "lewati", "1"} {
		ch.say("warga", a)
	}
	thanks := ch.say("warga", "1")
	code := thanks[strings.Index(thanks, "LPR-"):][:13]

	opened := ch.say("petugas", "/buka "+code)
	if !strings.Contains(opened, strings.TrimSpace(story)) {
		t.Errorf("opening the report does not show the whole story:\n%s", opened)
	}
	accepted := ch.say("petugas", "[button] /terima "+code)
	if strings.Count(accepted, "sawit") > 10 || !strings.Contains(accepted, "Cerita lengkap: /buka "+code) {
		t.Errorf("after accepting, the story is sent whole again (%d runes):\n%s", len([]rune(accepted)), accepted)
	}
	if again := ch.say("petugas", "/buka "+code); !strings.Contains(again, strings.TrimSpace(story)) {
		t.Errorf("opening it again does not show the whole story")
	}
}
