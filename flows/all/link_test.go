package all_test

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"klabot/flows"
	"klabot/flows/all"
	"klabot/store"
)

// linkWorld is two contacts of one engine and database, for flows that
// span channels.
type linkWorld struct {
	t      *testing.T
	db     *store.DB
	engine *flows.Engine
	now    time.Time
}

func newLinkWorld(t *testing.T, random []byte) *linkWorld {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	loc, _ := time.LoadLocation("Asia/Pontianak")
	return &linkWorld{t: t, db: db,
		engine: all.NewEngine(flows.Config{Location: loc, Random: bytes.NewReader(random)}),
		now:    time.Date(2026, 11, 24, 10, 0, 0, 0, loc)}
}

// say is one turn of a contact; it returns the replies' text.
func (w *linkWorld) say(c store.Contact, text string) string {
	w.t.Helper()
	var out []string
	err := w.db.Tx(context.Background(), func(tx *store.Tx) error {
		u, isNew, err := tx.UserByContact(c, "id", w.now)
		if err != nil {
			return err
		}
		msgs, err := w.engine.Run(tx, flows.Request{User: u, New: isNew, Input: flows.Input{Kind: flows.KindText, Text: text}, Now: w.now, Channel: c.Channel})
		for _, m := range msgs {
			out = append(out, m.Reply.Text)
		}
		return err
	})
	if err != nil {
		w.t.Fatalf("%s says %q: %v", c, text, err)
	}
	w.now = w.now.Add(time.Minute)
	return strings.Join(out, "\n---\n")
}

func (w *linkWorld) userOf(c store.Contact) int64 {
	var id int64
	w.db.Tx(context.Background(), func(tx *store.Tx) error {
		id, _ = tx.UserIDByContact(c)
		return nil
	})
	return id
}

var codeLine = regexp.MustCompile(`/hubungkan ([0-9]{6})`)

func TestLinkTelegramAndWhatsApp(t *testing.T) {
	w := newLinkWorld(t, bytes.Repeat([]byte{0, 1, 226, 64}, 4)) // 123456 mod 10^6
	tg := store.Contact{Channel: "telegram", Address: "5001"}
	wa := store.Contact{Channel: "whatsapp", Address: "6281200000001"}
	for _, c := range []store.Contact{tg, wa} {
		w.say(c, "halo")
		w.say(c, "1")
		w.say(c, "1")
	}
	if w.userOf(tg) == w.userOf(wa) {
		t.Fatal("two contacts started as one person")
	}

	intro := w.say(tg, "/hubungkan")
	if !strings.Contains(intro, "Hubungkan akun") || !strings.Contains(intro, "Buat kode") {
		t.Fatalf("intro = %q", intro)
	}
	made := w.say(tg, "1")
	m := codeLine.FindStringSubmatch(made)
	if m == nil || m[1] != "123456" || !strings.Contains(made, "15 menit") || !strings.Contains(made, "Menu utama") {
		t.Fatalf("code message = %q", made)
	}
	code := m[1]

	if got := w.say(tg, "/hubungkan "+code); !strings.Contains(got, "dibuat di akun ini") {
		t.Errorf("own code on the same account: %q", got)
	}
	if got := w.say(wa, "/hubungkan 000000"); !strings.Contains(got, "tidak cocok") {
		t.Errorf("wrong code: %q", got)
	}
	oldID := w.userOf(tg)
	done := w.say(wa, "/hubungkan "+code[:3]+" "+code[3:])
	if !strings.Contains(done, "sudah terhubung") || !strings.Contains(done, "Menu utama") {
		t.Errorf("link answer = %q", done)
	}
	if w.userOf(tg) != w.userOf(wa) || w.userOf(wa) == oldID {
		t.Errorf("after linking: telegram person %d, whatsapp person %d (old %d)", w.userOf(tg), w.userOf(wa), oldID)
	}
	// Both contacts now talk to the same conversation, and the code is spent.
	if got := w.say(tg, "menu"); !strings.Contains(got, "Menu utama") {
		t.Errorf("telegram after linking: %q", got)
	}
	if got := w.say(tg, "/hubungkan "+code); !strings.Contains(got, "tidak cocok") {
		t.Errorf("code used twice: %q", got)
	}
}

func TestLinkCodeByMenuExpiresAndLimitsTries(t *testing.T) {
	w := newLinkWorld(t, bytes.Repeat([]byte{0, 0, 0, 7}, 4))
	a := store.Contact{Channel: "telegram", Address: "5002"}
	b := store.Contact{Channel: "whatsapp", Address: "6281200000002"}
	for _, c := range []store.Contact{a, b} {
		w.say(c, "halo")
		w.say(c, "1")
		w.say(c, "1")
	}
	w.say(a, "/hubungkan")
	code := codeLine.FindStringSubmatch(w.say(a, "buat kode"))[1]
	w.now = w.now.Add(16 * time.Minute)

	w.say(b, "/hubungkan")
	if got := w.say(b, "2"); !strings.Contains(got, "6 angka") {
		t.Fatalf("ask for the code: %q", got)
	}
	if got := w.say(b, "kode saya"); !strings.Contains(got, "terdiri dari 6 angka") {
		t.Errorf("not a code: %q", got)
	}
	if got := w.say(b, code); !strings.Contains(got, "tidak cocok") {
		t.Errorf("expired code: %q", got)
	}
	for i := 0; i < 4; i++ {
		w.say(b, "999999")
	}
	w.say(a, "/hubungkan")
	fresh := codeLine.FindStringSubmatch(w.say(a, "1"))[1]
	if got := w.say(b, "/hubungkan "+fresh); !strings.Contains(got, "Terlalu banyak") {
		t.Errorf("after five wrong codes: %q", got)
	}
	if w.userOf(a) == w.userOf(b) {
		t.Error("linked despite too many wrong tries")
	}
	w.now = w.now.Add(time.Hour)
	if got := w.say(b, "/hubungkan "+fresh); !strings.Contains(got, "tidak cocok") {
		// the fresh code has expired by now too: the lock ended, the code is checked
		t.Errorf("after an hour: %q", got)
	}
}

// A Satgas PA volunteer who links a new phone, where they said they are a
// resident, is still shown as a volunteer in "data saya".
func TestDataShowsVolunteerAfterLinking(t *testing.T) {
	w := newLinkWorld(t, bytes.Repeat([]byte{0, 1, 226, 64}, 8))
	tg := store.Contact{Channel: "telegram", Address: "5003"}
	wa := store.Contact{Channel: "whatsapp", Address: "6281200000003"}
	for _, c := range []store.Contact{tg, wa} {
		w.say(c, "halo")
		w.say(c, "1")
		w.say(c, "1") // "Warga"
	}
	var invite string
	maker := w.userOf(tg)
	err := w.db.Tx(context.Background(), func(tx *store.Tx) error {
		inv, err := tx.CreateInvite(store.RoleSatgas, "61.07.03", maker, bytes.NewReader(bytes.Repeat([]byte{9}, 16)), w.now, time.Hour)
		invite = inv.Code
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	w.say(tg, "/kode "+invite)
	w.say(tg, "Sari")
	code := codeLine.FindStringSubmatch(w.say(tg, "/hubungkan") + w.say(tg, "1"))
	if code == nil {
		t.Fatal("no link code")
	}
	w.say(wa, "/hubungkan "+code[1])
	if got := w.say(wa, "data saya"); !strings.Contains(got, "Anda menyebut diri: Relawan Satgas PA") {
		t.Errorf("data after linking:\n%s", got)
	}
}
