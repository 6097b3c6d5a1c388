package export_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"klabot/bot"
	"klabot/bot/export"
	"klabot/bot/message"
	"klabot/flows"
	"klabot/flows/all"
	"klabot/flows/exportdata"
	"klabot/store"
	. "klabot/store/exporttest"
)

// rawDB opens the database file directly, for what the store has no
// reader of (the audit log).
func rawDB(t *testing.T, db *store.DB) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func exportFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "exports"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// A recap asked for in the chat: the turn records the request and commits
// without rendering anything; the maker then makes the workbook and the
// chart, writes an audit row for each and queues the messages that carry
// them. A turn that is undone leaves no request and no file.
func TestFilesMadeAfterTheTurnCommits(t *testing.T) {
	ctx := context.Background()
	db, s := OpenSeeded(t)
	dataDir := t.TempDir()
	engine := all.NewEngine(flows.Config{Location: WIB, DataDir: dataDir})
	now := func() time.Time { return s.Now }
	maker := export.NewMaker(db, export.MakerConfig{DataDir: dataDir, Location: WIB, Now: now})
	rekap := flows.Input{Kind: flows.KindText, Text: "/rekap 2026-11"}
	menu := store.SessionState{JSON: []byte(`{"flow":"menu","version":1,"step":"main"}`), Flow: "menu"}

	undone := errors.New("undone")
	err := db.Tx(ctx, func(tx *store.Tx) error {
		staff, err := tx.User(s.People["Staf"])
		if err != nil {
			return err
		}
		if err := tx.SaveSession(staff.ID, menu, s.Now); err != nil {
			return err
		}
		msgs, err := engine.Run(tx, flows.Request{User: staff, Staff: true, Input: rekap, Now: s.Now, Channel: "console"})
		if err != nil {
			return err
		}
		if len(msgs) != 3 {
			t.Errorf("%d messages, want the summary and two files", len(msgs))
		}
		return undone
	})
	if !errors.Is(err, undone) {
		t.Fatal(err)
	}
	if n, err := maker.MakeDue(ctx); err != nil || n != 0 {
		t.Errorf("after an undone turn: %d files made (%v)", n, err)
	}
	if files := exportFiles(t, dataDir); len(files) != 0 {
		t.Errorf("an undone turn left files: %v", files)
	}

	// The same through the dispatcher, committed.
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	committed := make(chan store.Queued, 4)
	d := bot.NewDispatcher(db, engine, bot.Config{Staff: map[string]bool{"console:staf": true}, Now: now},
		func(q store.Queued) { committed <- q }, log)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go d.Run(runCtx)
	if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.SaveSession(s.People["Staf"], menu, s.Now) }); err != nil {
		t.Fatal(err)
	}
	if err := d.Handle(ctx, bot.Inbound{Channel: "console", ChatID: "staf", MessageID: "r1",
		Input: message.Input{Kind: message.KindText, Text: rekap.Text}}); err != nil {
		t.Fatal(err)
	}
	if q := <-committed; !q.Files {
		t.Error("the commit did not say files were asked for")
	}
	if files := exportFiles(t, dataDir); len(files) != 0 {
		t.Errorf("files made inside the turn: %v", files)
	}
	pending, err := db.PendingOutbox(ctx, "console", 100)
	if err != nil || len(pending) != 1 {
		t.Fatalf("%d messages queued by the turn, want the summary alone (%v)", len(pending), err)
	}

	if n, err := maker.MakeDue(ctx); err != nil || n != 2 {
		t.Fatalf("%d files made, want 2 (%v)", n, err)
	}
	if n, err := maker.MakeDue(ctx); err != nil || n != 0 {
		t.Errorf("made again: %d (%v)", n, err)
	}
	pending, err = db.PendingOutbox(ctx, "console", 100)
	if err != nil || len(pending) != 3 {
		t.Fatalf("%d messages queued, want the summary and the two files (%v)", len(pending), err)
	}
	var paths []string
	for _, p := range pending[1:] {
		raw, err := db.OutboxPayload(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var m bot.Outbound
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		if m.Attachment == nil || m.Attachment.File != nil || m.Attachment.Path == "" {
			t.Fatalf("message %+v does not carry a made file", m)
		}
		info, err := os.Stat(m.Attachment.Path)
		if err != nil || info.Mode().Perm() != 0o600 || filepath.Base(m.Attachment.Path) != m.Attachment.Name {
			t.Errorf("%s: %v %v", m.Attachment.Path, err, info)
		}
		paths = append(paths, m.Attachment.Path)
	}
	book, err := excelize.OpenFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	if got := strings.Join(book.GetSheetList(), ","); got != "Rekap,Rincian,Keterangan" {
		t.Errorf("sheets %s", got)
	}
	chart, err := os.Open(paths[1])
	if err != nil {
		t.Fatal(err)
	}
	defer chart.Close()
	if _, err := png.Decode(chart); err != nil {
		t.Errorf("chart: %v", err)
	}

	rows, err := rawDB(t, db).Query(`SELECT actor || ' ' || action || ' ' || subject || ' ' || detail FROM audit
		WHERE action = 'recap_export' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var audit []string
	for rows.Next() {
		var line string
		rows.Scan(&line)
		audit = append(audit, line)
	}
	actor := "user:" + strconv.FormatInt(s.People["Staf"], 10)
	want := []string{actor + " recap_export 2026-11 " + filepath.Base(paths[0]), actor + " recap_export 2026-11 " + filepath.Base(paths[1])}
	if strings.Join(audit, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit rows:\n%s\nwant:\n%s", strings.Join(audit, "\n"), strings.Join(want, "\n"))
	}
}

// Every export writes times one way, in WIB: the session list staff get
// in the chat and the CLI's registrations export show a registration at
// the same "2006-01-02 15:04".
func TestOneDateFormatInEveryExport(t *testing.T) {
	ctx := context.Background()
	db, s := OpenSeeded(t)
	dataDir := t.TempDir()
	maker := export.NewMaker(db, export.MakerConfig{DataDir: dataDir, Location: WIB, Now: func() time.Time { return s.Now }})
	var training store.Training
	for _, tr := range s.Trainings {
		if training.ID == 0 || tr.ID < training.ID {
			training = tr
		}
	}
	name := "pelatihan-" + strconv.FormatInt(training.ID, 10) + ".csv"
	asked := bot.Outbound{Text: "Daftar", Attachment: &bot.Attachment{Kind: "document", Name: name, File: &bot.FileRequest{
		Kind: exportdata.FileTrainingList, Args: map[string]string{exportdata.ArgTraining: strconv.FormatInt(training.ID, 10),
			exportdata.ArgAt: s.Now.Format(time.RFC3339), exportdata.ArgActor: "user:1", exportdata.ArgLang: "id"}}}}
	if err := db.Tx(ctx, func(tx *store.Tx) error {
		return bot.Enqueue(tx, store.Contact{Channel: "console", Address: "staf"}, store.PriorityReply, asked, s.Now)
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := maker.MakeDue(ctx); err != nil || n != 1 {
		t.Fatalf("%d files made (%v)", n, err)
	}
	raw, err := os.ReadFile(filepath.Join(dataDir, "exports", name))
	if err != nil {
		t.Fatal(err)
	}
	inChat := readCSV(t, raw)
	cli := both(t, build(t, db, exportdata.KindRegistrations))[export.CSV]

	stamp := regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$`)
	registered := map[string]string{} // name -> daftar_pada in the CLI export
	for _, r := range cli[1:] {
		registered[r[column(cli, "nama_lengkap")]] = r[column(cli, "daftar_pada")]
	}
	if len(inChat) < 2 {
		t.Fatalf("the session list has no rows: %q", inChat)
	}
	for _, r := range inChat[1:] {
		who, at := r[column(inChat, "nama_lengkap")], r[column(inChat, "daftar_pada")]
		if !stamp.MatchString(at) || at != registered[who] {
			t.Errorf("%s registered at %q in the chat's list, %q in the CLI export", who, at, registered[who])
		}
	}
}
