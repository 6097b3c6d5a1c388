package main

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types"

	"klabot/bot"
	"klabot/bot/whatsapp/fakewa"
	"klabot/flows/broadcast"
	"klabot/store"
)

// numberOf is the number a numbered WhatsApp menu gives an option, for
// typing it as people do; the test fails if the menu lacks the option.
func numberOf(t *testing.T, menu, label string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^([0-9]+)\. ` + regexp.QuoteMeta(label) + `$`).FindStringSubmatch(menu)
	if m == nil {
		t.Fatalf("no option %q in:\n%s", label, menu)
	}
	return m[1]
}

// sendNowNumber is the preview's choice to send at once; at night, when
// 06:00 is offered first, it is named for what is urgent.
func sendNowNumber(t *testing.T, preview string) string {
	t.Helper()
	if strings.Contains(preview, ". Kirim sekarang\n") || strings.HasSuffix(preview, ". Kirim sekarang") {
		return numberOf(t, preview, "Kirim sekarang")
	}
	return numberOf(t, preview, "Kirim sekarang juga (mendesak)")
}

// sentContaining waits until a message containing want went to address,
// wherever it falls among the others, and returns the first such one.
func sentContaining(t *testing.T, wa *fakewa.Client, address, want string) fakewa.Sent {
	t.Helper()
	var found fakewa.Sent
	err := wa.WaitFor(waitCtx(t), func() bool {
		for _, s := range wa.SentTo(address) {
			if strings.Contains(s.Text, want) {
				found = s
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("%s never got a message containing %q", address, want)
	}
	return found
}

// exactly lists the messages whose text is exactly text, in the order sent.
func exactly(wa *fakewa.Client, text string) []fakewa.Sent {
	var out []fakewa.Sent
	for _, s := range wa.Sent() {
		if s.Text == text {
			out = append(out, s)
		}
	}
	return out
}

// timesTo counts the messages with exactly this text sent to address.
func timesTo(wa *fakewa.Client, address, text string) int {
	n := 0
	for _, s := range wa.SentTo(address) {
		if s.Text == text {
			n++
		}
	}
	return n
}

// A staff member on WhatsApp makes a broadcast through the chat, typing
// the numbers of the choices: everyone who wrote to the office and agreed
// gets it exactly once, at the pace set with KLABOT_WHATSAPP_* (one at a
// time, the pause apart); nobody who said berhenti (before, or while it was
// going out), never agreed, or never wrote (only seen in a group and a
// status update); a person chatting meanwhile is answered at once; staff
// get the summary. A second broadcast then meets the daily cap: what is
// left of it goes out, the rest waits for tomorrow while conversations go
// on; staff look at it and cancel it with text commands, and get its
// summary.
func TestWhatsAppStaffBroadcastReachesPeopleAtPace(t *testing.T) {
	const staffPhone = "6281111111111"
	const pause = time.Second
	// A Wednesday morning in WIB, the day's cap far from midnight
	// whenever the test runs.
	clockFrom(t, time.Date(2026, 12, 2, 10, 0, 0, 0, wibZone(t)))
	dir := t.TempDir()
	wa, p := startWhatsAppOnly(t, dir, map[string]string{
		"KLABOT_STAFF":             "whatsapp:" + staffPhone,
		"KLABOT_WHATSAPP_BULK_MIN": "1s",
		"KLABOT_WHATSAPP_BULK_MAX": "1s",
		// The first broadcast sends 4 (of 5 recipients): one more today.
		"KLABOT_WHATSAPP_DAILY_CAP": "5",
	})

	// Recipients go in the order people first wrote (unless a message to
	// one is on its way just then): the staff member, who is in the
	// audience too, then the villagers.
	staff := wa.Person(t, staffPhone)
	menu := onboardWA(staff, "lainnya")
	var villagers []*fakewa.Person
	for _, phone := range []string{"6281400000001", "6281400000002", "6281400000003", "6281400000004"} {
		v := wa.Person(t, phone)
		onboardWA(v, "warga")
		villagers = append(villagers, v)
	}
	chatter, stopsMeanwhile := villagers[2], villagers[3]
	stopped := wa.Person(t, "6281400000008")
	onboardWA(stopped, "warga")
	stopped.SayAndWait("berhenti", "tidak akan menerima pengumuman")
	undecided := wa.Person(t, "6281400000009") // wrote, never agreed
	undecided.SayAndWait("halo", "Apakah Anda setuju?")
	// Seen by the office phone, but never wrote to it.
	const stranger = "6281499999999"
	for _, src := range []types.MessageSource{fakewa.Group("120363000000000001", stranger), fakewa.Status(stranger)} {
		if _, ok := wa.Deliver(src, fakewa.TextMessage("halo semua")); !ok {
			t.Fatal("a group message or status update was not acknowledged")
		}
	}

	// The broadcast, made in numbered text from the staff menu.
	staffMenu := staff.SayAndWait(numberOf(t, menu.Text, "Menu petugas"), "Menu petugas").Text
	home := staff.SayAndWait(numberOf(t, staffMenu, "Kirim siaran"), "Siaran:").Text
	staff.SayAndWait(numberOf(t, home, "Siaran baru"), "Tulis pesan siaran")
	text := "Pelatihan Satgas PA hari Sabtu jam 09.00 di Aula Kantor Dinas. Ajak tetangga Anda."
	audience := staff.SayAndWait(text, "Kirim kepada siapa?").Text
	count := staff.SayAndWait(numberOf(t, audience, "Semua orang"), "Siaran ini akan sampai ke").Text
	staff.Expect(count, "akan sampai ke 5 orang", "1 orang minta berhenti", "1 orang belum menyetujui")
	preview := staff.SayAndWait(numberOf(t, count, "Lihat pratinjau"), "Pengumuman dari DISKOPNAKERTRANS").Text
	// People get exactly what the preview shows above its choices.
	want := broadcast.Message("id", text, "").Text
	if !strings.HasPrefix(preview, want+"\n\n") || !strings.Contains(want, "BERHENTI") {
		t.Fatalf("preview:\n%s\nwant it to start with:\n%s", preview, want)
	}
	staff.SayAndWait(sendNowNumber(t, preview), "Siaran #1 mulai dikirim")

	// Meanwhile, once the first has gone (two of the villagers' at least
	// are due before theirs, each a pause after the other): the last
	// recipient says berhenti; the one before her chats, and is answered
	// at once, before his broadcast message.
	if err := wa.WaitFor(waitCtx(t), func() bool { return len(exactly(wa, want)) >= 1 }); err != nil {
		t.Fatal("the broadcast did not start")
	}
	stopsMeanwhile.SayAndWait("berhenti", "tidak akan menerima pengumuman")
	answer := chatter.SayAndWait("5", "SAPA 129")

	summary := sentContaining(t, wa, staffPhone, "Siaran #1 selesai.")
	// The one who stopped meanwhile counts as not sent, the reason kept;
	// those left out from the start are counted apart.
	staff.Expect(summary.Text, "Terkirim: 4 orang", "Gagal: 1 orang.",
		"1 orang minta berhenti", "1 orang belum menyetujui")
	db := openDB(t, dir)
	results, err := db.BroadcastResults(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Contact.Address == stopsMeanwhile.Phone && (r.State != store.RecipientFailed || r.Error != bot.ErrorOptedOut) {
			t.Errorf("the one who said berhenti meanwhile: %s %q", r.State, r.Error)
		}
	}

	recipients := []string{staffPhone}
	for _, v := range villagers[:3] {
		recipients = append(recipients, v.Phone)
	}
	if got := exactly(wa, want); len(got) != len(recipients) {
		t.Errorf("%d broadcast messages sent, want %d", len(got), len(recipients))
	}
	for _, r := range recipients {
		if n := timesTo(wa, r, want); n != 1 {
			t.Errorf("%s got the broadcast %d times", r, n)
		}
	}
	for _, left := range []string{stopsMeanwhile.Phone, stopped.Phone, undecided.Phone} {
		for _, s := range wa.SentTo(left) {
			if strings.Contains(s.Text, text) {
				t.Errorf("%s got the broadcast", left)
			}
		}
	}
	if n := len(wa.SentTo(stranger)); n != 0 {
		t.Errorf("%d messages to someone who never wrote", n)
	}
	for _, s := range wa.Sent() {
		if strings.Contains(s.To, "@") {
			t.Errorf("a message went to %s (a group, a status or a LID)", s.To)
		}
	}
	var answerAt, broadcastAt time.Time
	for _, s := range wa.SentTo(chatter.Phone) {
		switch {
		case s.Text == answer.Text && answerAt.IsZero():
			answerAt = s.At
		case s.Text == want:
			broadcastAt = s.At
		}
	}
	if !answerAt.Before(broadcastAt) {
		t.Errorf("the answer to someone chatting waited for the broadcast (answer %s, his broadcast %s)",
			answerAt.Format(time.StampMilli), broadcastAt.Format(time.StampMilli))
	}

	// A second broadcast: one message is left of today's cap.
	home = staff.SayAndWait("/siaran", "#1 selesai. Terkirim 4 dari 5, gagal 1, menunggu 0.").Text
	second := "Rapat Forum Anak hari Minggu jam 14.00 di balai desa."
	want2 := broadcast.Message("id", second, "").Text
	staff.SayAndWait(numberOf(t, home, "Siaran baru"), "Tulis pesan siaran")
	audience = staff.SayAndWait(second, "Kirim kepada siapa?").Text
	count = staff.SayAndWait(numberOf(t, audience, "Semua orang"), "Siaran ini akan sampai ke").Text
	staff.Expect(count, "akan sampai ke 4 orang", "2 orang minta berhenti")
	preview = staff.SayAndWait(numberOf(t, count, "Lihat pratinjau"), second).Text
	staff.SayAndWait(sendNowNumber(t, preview), "Siaran #2 mulai dikirim")
	waitFor(t, "the daily cap to hold the second broadcast back", 15*time.Second, func() bool {
		return strings.Contains(p.logs.String(), "daily cap of bulk messages reached")
	})
	// Held back, the broadcast does not hold up conversations.
	villagers[0].SayAndWait("menu", "Menu utama")
	waitFor(t, "the second broadcast's message within the cap to be counted", 15*time.Second, func() bool {
		results, err := db.BroadcastResults(context.Background(), 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if r.State == store.RecipientSent {
				return true
			}
		}
		return false
	})
	staff.Expect(staff.SayAndWait("/siaran 2", "Siaran #2: sedang dikirim").Text, "Terkirim 1 dari 4", "menunggu 3")
	confirm := staff.SayAndWait("/siaran batal 2", "Batalkan siaran #2?").Text
	staff.SayAndWait(numberOf(t, confirm, "Ya, batalkan"), "Siaran #2 dibatalkan. Yang belum")
	cancelled := sentContaining(t, wa, staffPhone, "Siaran #2 dibatalkan.\nTerkirim")
	staff.Expect(cancelled.Text, "Terkirim: 1 orang", "Tidak dikirim karena dibatalkan: 3 orang")
	if got := exactly(wa, want2); len(got) != 1 || !slices.Contains(recipients, got[0].To) {
		t.Errorf("the second broadcast went to %+v; want one of its recipients only, within the cap", got)
	}

	// Every broadcast message, of either, the pause apart.
	var bulk []fakewa.Sent
	for _, s := range wa.Sent() {
		if s.Text == want || s.Text == want2 {
			bulk = append(bulk, s)
		}
	}
	for i := 1; i < len(bulk); i++ {
		if gap := bulk[i].At.Sub(bulk[i-1].At); gap < pause {
			t.Errorf("broadcast messages %d and %d went %s apart; the pause is %s", i, i+1, gap, pause)
		}
	}
	noNumbersInLogs(t, p, append(recipients, stopsMeanwhile.Phone, stopped.Phone, undecided.Phone, stranger)...)
}

// clockFrom sets klabot's clock to start at from and run at the real pace,
// for the test's length: what depends on the day or the hour holds
// whenever the test runs.
func clockFrom(t *testing.T, from time.Time) {
	began := time.Now()
	prev := clock
	clock = func() time.Time { return from.Add(time.Since(began)) }
	t.Cleanup(func() { clock = prev })
}
