package all_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"klabot/flows"
	"klabot/flows/all"
	"klabot/flows/place"
	"klabot/store"
)

var update = flag.Bool("update", false, "rewrite transcript files with the replies the flows give now")

// A transcript is a conversation in a file: ">> input" lines, each followed
// by the replies expected for it. Headers before the first input set the
// clock ("time: RFC3339") and staff rights ("staff: true" for the person
// writing, or "staff: ani, budi" for named people) and how many staff
// contacts receive alerts ("staff contacts: 0"; one by default). Inputs other than text
// are written "[kind] text", e.g. "[button] yes|3", "[sticker]". Several
// people can talk: ">> @budi /terima {LPR}" is budi writing; {LPR} and
// {UND} stand for the last report and invite code the bot gave anyone.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) { runTranscript(t, file) })
	}
}

type turn struct {
	input    string
	expected string
}

func parseTranscript(t *testing.T, text string) (preamble string, headers map[string]string, turns []turn) {
	headers = map[string]string{}
	if i := strings.Index(text, "\n>>"); i >= 0 {
		preamble = text[:i+1]
	}
	var cur *turn
	var body []string
	flush := func() {
		if cur != nil {
			cur.expected = strings.TrimSpace(strings.Join(body, "\n"))
			turns = append(turns, *cur)
		}
		body = nil
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, ">> ") || line == ">>" {
			flush()
			cur = &turn{input: strings.TrimPrefix(strings.TrimPrefix(line, ">>"), " ")}
			continue
		}
		if cur == nil {
			if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
				headers[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
			continue
		}
		body = append(body, line)
	}
	flush()
	return preamble, headers, turns
}

// setups add test-only flows, reached by a command, for transcripts that
// exercise building blocks such as the place picker.
var setups = map[string]func(*flows.Engine){
	"place": func(e *flows.Engine) {
		steps := place.Steps(place.Options{Next: "done", AllowPin: true})
		steps["done"] = &flows.Step{
			Prompt: func(c *flows.Ctx) flows.Reply {
				where := place.Name(c.Get(place.Kec), c.Get(place.Desa))
				if where == "" {
					where = c.Get(place.Lat) + "," + c.Get(place.Lon)
				}
				return flows.Reply{Text: "PLACE: " + where}
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next { return flows.Menu() },
		}
		e.Register(&flows.Flow{ID: "placetest", Version: 1, Start: "kec", Steps: steps})
		e.AddCommand("placetest", func(c *flows.Ctx, args string) flows.Next { return flows.Switch("placetest") })
	},
}

func inputOf(s string) flows.Input {
	if !strings.HasPrefix(s, "[") {
		return flows.Input{Kind: flows.KindText, Text: s}
	}
	kind, rest, _ := strings.Cut(strings.TrimPrefix(s, "["), "]")
	rest = strings.TrimSpace(rest)
	in := flows.Input{Kind: flows.Kind(kind), Text: rest}
	switch in.Kind {
	case flows.KindButton:
		in.Payload, in.Text = rest, ""
	case flows.KindPhoto, flows.KindVoice, flows.KindVideo, flows.KindDocument:
		in.Media = &flows.Media{Ref: "file-" + kind}
	case flows.KindSticker:
		in.Text = ""
	case flows.KindLocation:
		in.Text, in.Lat, in.Lon = "", 0.9, 109.5
	}
	return in
}

// codePatterns find the codes a transcript's inputs can refer to.
var codePatterns = map[string]*regexp.Regexp{
	"{LPR}": regexp.MustCompile(`LPR-[0-9A-Z]{4}-[0-9A-Z]{4}`),
	"{UND}": regexp.MustCompile(`UND-[0-9A-Z]{4}-[0-9A-Z]{4}`),
}

// receivedOf is a message's command keys, as the dispatcher remembers them.
func receivedOf(r flows.Reply) []flows.Received {
	head, _, _ := strings.Cut(r.Text, "\n")
	rec := flows.Received{Head: head}
	for _, o := range r.Options {
		if strings.HasPrefix(o.Key, "/") {
			rec.Options = append(rec.Options, o)
		}
	}
	if len(rec.Options) == 0 {
		return nil // nothing to pick
	}
	return []flows.Received{rec}
}

// render shows a reply the way the console does.
func render(m flows.Message) string {
	var b strings.Builder
	switch {
	case m.ToStaff:
		fmt.Fprintf(&b, "[to staff, priority %d]\n", m.Priority)
	case m.UserID != 0:
		fmt.Fprintf(&b, "[to user %d, priority %d]\n", m.UserID, m.Priority)
	}
	if a := m.Reply.Attachment; a != nil {
		fmt.Fprintf(&b, "[%s: %s]\n", a.Kind, a.Name)
	}
	b.WriteString(m.Reply.Text)
	for i, o := range m.Reply.Options {
		if i == 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "\n%d. %s [%s]", i+1, o.Label, o.Key)
	}
	return b.String()
}

func runTranscript(t *testing.T, file string) {
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	preamble, headers, turns := parseTranscript(t, string(raw))
	loc, _ := time.LoadLocation("Asia/Pontianak")
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, loc) // a Tuesday, office open
	if h := headers["time"]; h != "" {
		if now, err = time.Parse(time.RFC3339, h); err != nil {
			t.Fatalf("time header: %v", err)
		}
	}
	staffNames := map[string]bool{}
	for _, name := range strings.Split(headers["staff"], ",") {
		if name = strings.TrimSpace(name); name == "true" {
			staffNames["transcript"] = true
		} else if name != "" {
			staffNames[name] = true
		}
	}

	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A fixed random source: report and invite codes are the same every run.
	// Staff alerts reach one staff contact, unless "staff contacts: 0".
	contacts := 1
	if h := headers["staff contacts"]; h != "" {
		if contacts, err = strconv.Atoi(h); err != nil {
			t.Fatalf("staff contacts header: %v", err)
		}
	}
	engine := all.NewEngine(flows.Config{Location: loc, Random: rand.NewChaCha8([32]byte{}), DataDir: t.TempDir(), StaffContacts: contacts})
	if name := headers["setup"]; name != "" {
		setups[name](engine)
	}
	codes := map[string]string{}
	// What each person received on klabot's own since they last wrote,
	// as the dispatcher keeps it: typed numbers may refer to it.
	received := map[string][]flows.Received{}
	people := map[int64]string{}

	var out strings.Builder
	out.WriteString(strings.TrimRight(preamble, "\n") + "\n")
	failed := false
	for i, tr := range turns {
		var got []string
		person, input := "transcript", tr.input
		if rest, ok := strings.CutPrefix(input, "@"); ok {
			person, input, _ = strings.Cut(rest, " ")
		}
		for placeholder, code := range codes {
			input = strings.ReplaceAll(input, placeholder, code)
		}
		contact := store.Contact{Channel: "console", Address: person}
		err := db.Tx(ctx, func(tx *store.Tx) error {
			user, isNew, err := tx.UserByContact(contact, "id", now)
			if err != nil {
				return err
			}
			people[user.ID] = person
			msgs, err := engine.Run(tx, flows.Request{User: user, New: isNew, Staff: staffNames[person],
				Input: inputOf(input), Now: now, Channel: contact.Channel, Received: received[person]})
			delete(received, person)
			for _, m := range msgs {
				got = append(got, render(m))
				switch {
				case m.ToStaff:
					for name := range staffNames {
						received[name] = append(received[name], receivedOf(m.Reply)...)
					}
				case m.UserID != 0 && m.UserID != user.ID:
					received[people[m.UserID]] = append(received[people[m.UserID]], receivedOf(m.Reply)...)
				case m.Separate:
					received[person] = append(received[person], receivedOf(m.Reply)...)
				}
			}
			return err
		})
		if err != nil {
			t.Fatalf("turn %d (%q): %v", i+1, tr.input, err)
		}
		actual := strings.Join(got, "\n---\n")
		for placeholder, pattern := range codePatterns {
			if found := pattern.FindAllString(actual, -1); len(found) > 0 {
				codes[placeholder] = found[len(found)-1]
			}
		}
		if actual != tr.expected && !*update {
			t.Errorf("turn %d, after %q:\n--- want\n%s\n--- got\n%s", i+1, tr.input, tr.expected, actual)
			failed = true
		}
		fmt.Fprintf(&out, ">> %s\n%s\n\n", tr.input, actual)
		now = now.Add(time.Minute)
	}
	if *update {
		if err := os.WriteFile(file, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if failed {
		t.Log("run `go test ./flows -run Transcripts -update` to accept the new replies")
	}
}
