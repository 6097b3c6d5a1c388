package all_test

import (
	"strings"
	"testing"
	"time"

	"klabot/flows"
	"klabot/flows/broadcast"
	"klabot/flows/words"
	"klabot/store"
)

// The "broadcasts" transcript setup adds /seedsiaran: people for staff to
// broadcast to, all on the console channel:
//
//	warga1  warga, registered in a training in Sebalo (Kec. Bengkayang)
//	warga2  warga, English, registered in the same training
//	warga3  forum_anak, said "berhenti"
//	warga4  warga, blocked the bot
//	warga5  never agreed to the data notice
//
// "/seedsiaran kirim" also makes broadcast #1 to everyone, sending (as the
// bot would have started it), to pause, resume and cancel.
func init() {
	setups["broadcasts"] = func(e *flows.Engine) {
		e.AddCommand("seedsiaran", func(c *flows.Ctx, args string) flows.Next {
			if err := seedBroadcastPeople(c, args == "kirim"); err != nil {
				return c.Fail(err)
			}
			if args == "batal" { // also a cancelled training, not offered as an audience
				if err := seedCancelledTraining(c); err != nil {
					return c.Fail(err)
				}
			}
			c.Say("SEEDED")
			return flows.Menu()
		})
	}
}

func seedCancelledTraining(c *flows.Ctx) error {
	start := c.Now.AddDate(0, 0, 3)
	t, err := c.Tx.CreateTraining(store.Training{Program: "wikapa", Title: "Menjahit Dasar", KecCode: "61.07.04",
		Place: "Aula Kantor Camat", StartsAt: start, EndsAt: start.Add(3 * time.Hour), Capacity: 20,
		AttendanceCode: "JHT234"}, c.Now)
	if err != nil {
		return err
	}
	return c.Tx.CancelTraining(t.ID, c.Now)
}

func seedBroadcastPeople(c *flows.Ctx, sending bool) error {
	tx, now := c.Tx, c.Now
	training, err := tx.CreateTraining(store.Training{Program: "wikapa", Title: "Usaha Kue Rumahan", KecCode: "61.07.04",
		Place: "Aula Kantor Camat", StartsAt: now.AddDate(0, 0, 7), EndsAt: now.AddDate(0, 0, 7).Add(3 * time.Hour),
		Capacity: 20, AttendanceCode: "KUE234"}, now)
	if err != nil {
		return err
	}
	for _, p := range []struct {
		address, lang, role string
		consent, optOut     bool
		register            bool
	}{
		{"warga1", "id", "warga", true, false, true},
		{"warga2", "en", "warga", true, false, true},
		{"warga3", "id", "forum_anak", true, true, false},
		{"warga4", "id", "warga", true, false, false},
		{"warga5", "id", "", false, false, false},
	} {
		contact := store.Contact{Channel: "console", Address: p.address}
		u, _, err := tx.UserByContact(contact, p.lang, now)
		if err != nil {
			return err
		}
		u.Role = p.role
		if p.consent {
			u.ConsentAt = now
		}
		if p.optOut {
			u.OptedOutAt = now
		}
		if err := tx.SaveUser(u); err != nil {
			return err
		}
		if p.address == "warga4" {
			if err := tx.MarkUnreachable(contact, now); err != nil {
				return err
			}
		}
		if p.register {
			if _, err := tx.Register(store.Registration{TrainingID: training.ID, UserID: u.ID, FullName: p.address,
				Age: 30, DesaCode: "61.07.04.1010"}, now); err != nil {
				return err
			}
		}
	}
	if !sending {
		return nil
	}
	b, err := tx.CreateBroadcast(store.Broadcast{CreatedBy: c.User.ID, Text: "Rapat Satgas PA hari Sabtu.",
		Audience: store.BroadcastAudience{Kind: store.ToAll}}, now)
	if err != nil {
		return err
	}
	_, err = tx.StartBroadcast(b.ID, now)
	return err
}

func TestParseWhen(t *testing.T) {
	wib := wib(t)
	now := time.Date(2026, 6, 10, 14, 30, 0, 0, wib) // a Wednesday afternoon
	at := func(y int, m time.Month, d, h, min int) string {
		return time.Date(y, m, d, h, min, 0, 0, wib).Format(time.RFC3339)
	}
	good := map[string]string{
		"12-06-2026 08:00":          at(2026, 6, 12, 8, 0),
		"12/6/2026 8.00":            at(2026, 6, 12, 8, 0),
		"12.06.2026 08.00 WIB":      at(2026, 6, 12, 8, 0),
		"2026-06-12 08:00":          at(2026, 6, 12, 8, 0),
		"12-06 08:00":               at(2026, 6, 12, 8, 0),
		"12/6 jam 08.00":            at(2026, 6, 12, 8, 0),
		"1-6 08:00":                 at(2027, 6, 1, 8, 0),  // passed this year: next year
		"10/6 08.00":                at(2026, 6, 10, 8, 0), // today, passed: past, not a year ahead
		"12 Juni 2026 pukul 08.00":  at(2026, 6, 12, 8, 0),
		"Jumat, 12 Juni 08.00":      at(2026, 6, 12, 8, 0),
		"12 jun 26 8:00":            at(2026, 6, 12, 8, 0),
		"23 juli jam 9 pagi":        at(2026, 7, 23, 9, 0),
		"besok 07.30":               at(2026, 6, 11, 7, 30),
		"besok jam 3 sore":          at(2026, 6, 11, 15, 0),
		"lusa jam 9":                at(2026, 6, 12, 9, 0),
		"hari ini 16.00":            at(2026, 6, 10, 16, 0),
		"16:00":                     at(2026, 6, 10, 16, 0),
		"jam 8":                     at(2026, 6, 11, 8, 0), // 08.00 has passed today
		"Senin 08.00":               at(2026, 6, 15, 8, 0),
		"rabu 15.00":                at(2026, 6, 10, 15, 0), // later today
		"rabu 08.00":                at(2026, 6, 17, 8, 0),  // today's has passed: next week
		"tomorrow 7:30 pm":          at(2026, 6, 11, 19, 30),
		"jam 12 malam":              at(2026, 6, 11, 0, 0),
		"  12 - 06 - 2026   08:00 ": "",
	}
	for in, want := range good {
		got, problem := words.ParseWhen(in, now, wib)
		if want == "" {
			if problem == "" {
				t.Errorf("%q read as %s, want an error", in, got)
			}
			continue
		}
		if problem != "" || got.Format(time.RFC3339) != want {
			t.Errorf("%q: got %s (%s), want %s", in, got.Format(time.RFC3339), problem, want)
		}
	}
	bad := map[string]string{
		"kapan-kapan":      "broadcast.when_format",
		"besok":            "broadcast.when_format",
		"12-06-2026":       "broadcast.when_format",
		"31-02-2027 08:00": "broadcast.when_invalid",
		"12-13-2026 08:00": "broadcast.when_invalid",
		"12-06-2026 25:00": "broadcast.when_invalid",
		"12-06-2026 08:61": "broadcast.when_invalid",
		"senin depan 8.00": "broadcast.when_format",
	}
	for in, want := range bad {
		if got, problem := words.ParseWhen(in, now, wib); problem != want {
			t.Errorf("%q: got %s (%q), want %s", in, got, problem, want)
		}
	}
}

// The broadcast a person receives is the staff member's text with a footer
// in the person's own language; the staff preview uses the same function.
func TestBroadcastMessage(t *testing.T) {
	id := broadcast.Message("id", "Rapat hari Sabtu.", "")
	en := broadcast.Message("en", "Rapat hari Sabtu.", "AgACAgIAAx")
	if !strings.HasPrefix(id.Text, "Rapat hari Sabtu.\n\n—\n") || !strings.Contains(id.Text, "Balas BERHENTI") || id.Attachment != nil {
		t.Errorf("id: %+v", id)
	}
	if !strings.Contains(en.Text, "Reply BERHENTI") || en.Attachment == nil || en.Attachment.Ref != "AgACAgIAAx" ||
		en.Attachment.Kind != "photo" {
		t.Errorf("en: %+v", en)
	}
}

// The summary mentions failures only when there were some, and blocked
// people only when some blocked the bot: "(0 of them blocked)" is noise on
// a phone screen.
func TestBroadcastSummaryLeavesOutNothingFailed(t *testing.T) {
	b := store.Broadcast{ID: 2, State: store.BroadcastDone}
	cases := []struct {
		p    store.BroadcastProgress
		want string
	}{
		{store.BroadcastProgress{Sent: 2}, "Siaran #2 selesai.\nTerkirim: 2 orang."},
		{store.BroadcastProgress{Sent: 2, Failed: 1}, "Siaran #2 selesai.\nTerkirim: 2 orang.\nGagal: 1 orang."},
		{store.BroadcastProgress{Sent: 2, Failed: 3, Blocked: 1}, "Siaran #2 selesai.\nTerkirim: 2 orang.\nGagal: 3 orang (1 di antaranya memblokir bot)."},
	}
	for _, c := range cases {
		if got := broadcast.Summary("id", b, c.p).Text; got != c.want {
			t.Errorf("%+v: %q, want %q", c.p, got, c.want)
		}
	}
}
