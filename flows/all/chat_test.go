package all_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"klabot/flows"
	"klabot/flows/all"
	"klabot/store"
)

// chat drives the engine for several people in one database.
type chat struct {
	t      *testing.T
	db     *store.DB
	engine *flows.Engine
	now    time.Time
	staff  map[string]bool
	// seen collects every message, by who received it.
	seen map[string][]string
	ids  map[int64]string
}

func newChat(t *testing.T) *chat {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	loc, _ := time.LoadLocation("Asia/Pontianak")
	return &chat{t: t, db: db, engine: all.NewEngine(flows.Config{Location: loc, Random: rand.NewChaCha8([32]byte{3})}),
		now: time.Date(2026, 11, 24, 10, 0, 0, 0, loc), staff: map[string]bool{}, seen: map[string][]string{}, ids: map[int64]string{}}
}

// say sends text from a person and returns the reply to them.
func (ch *chat) say(who, text string) string {
	ch.t.Helper()
	in := flows.Input{Kind: flows.KindText, Text: text}
	if strings.HasPrefix(text, "[button] ") {
		in = flows.Input{Kind: flows.KindButton, Payload: strings.TrimPrefix(text, "[button] ")}
	}
	var reply string
	err := ch.db.Tx(context.Background(), func(tx *store.Tx) error {
		u, isNew, err := tx.UserByContact(store.Contact{Channel: "console", Address: who}, "id", ch.now)
		if err != nil {
			return err
		}
		ch.ids[u.ID] = who
		msgs, err := ch.engine.Run(tx, flows.Request{User: u, New: isNew, Staff: ch.staff[who], Input: in, Now: ch.now, Channel: "console"})
		for _, m := range msgs {
			switch {
			case m.ToStaff:
				ch.seen["staff"] = append(ch.seen["staff"], m.Reply.Text+optionText(m.Reply))
			case m.UserID == 0 || m.UserID == u.ID:
				if reply == "" {
					reply = m.Reply.Text // the answer; a view sent alongside comes after it
				}
				ch.seen[who] = append(ch.seen[who], m.Reply.Text+optionText(m.Reply))
			default:
				ch.seen[ch.ids[m.UserID]] = append(ch.seen[ch.ids[m.UserID]], m.Reply.Text+optionText(m.Reply))
			}
		}
		return err
	})
	if err != nil {
		ch.t.Fatal(err)
	}
	ch.now = ch.now.Add(time.Minute)
	return reply
}

func optionText(r flows.Reply) string {
	var b strings.Builder
	for _, o := range r.Options {
		b.WriteString("\n" + o.Label + " " + o.Key)
	}
	return b.String()
}

func (ch *chat) join(who, role string) {
	ch.say(who, "halo")
	ch.say(who, "1")
	ch.say(who, role)
}

// addVolunteer has staff ("petugas") invite who to be a volunteer of kec,
// and who join with the code, named after their address; it returns the
// code.
func (ch *chat) addVolunteer(who, kec string) string {
	ch.t.Helper()
	invite := ch.say("petugas", "/undang satgas "+kec)
	code := strings.Fields(invite[strings.Index(invite, "UND-"):])[0]
	ch.join(who, "3")
	ch.say(who, "/kode "+code)
	ch.say(who, strings.ToUpper(who[:1])+who[1:])
	return code
}

func (ch *chat) idOf(who string) int64 {
	for id, name := range ch.ids {
		if name == who {
			return id
		}
	}
	ch.t.Fatalf("%s never wrote", who)
	return 0
}
