package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"klabot/bot"
)

// In the terminal too, a new person goes from the first message to a
// report code, and staff (console --staff) find it, accept it, and the
// reporter's update waits in the outbox for their next session.
func TestConsoleReportAndStaff(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	env := envOf(map[string]string{"KLABOT_DATA_DIR": dir})
	reporter := strings.Join([]string{"halo", "1", "1", "1", "3", "2", "sanggau ledo", "bange", "lewati",
		"Anak tetangga sering dipukul ayahnya.", "1", "2", "lewati", "1", "1"}, "\n") + "\n"
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"console"}, strings.NewReader(reporter), &out, &errOut, env); code != 0 {
		t.Fatalf("reporter console exit %d: %s", code, errOut.String())
	}
	code := reportCodeRe.FindString(out.String())
	if code == "" || !strings.Contains(out.String(), "Kode laporan: "+code) {
		t.Fatalf("no report code in the console:\n%s", out.String())
	}

	out.Reset()
	errOut.Reset()
	staff := strings.Join([]string{"halo", "1", "5", "/laporan baru", "/terima " + strings.ToLower(code)}, "\n") + "\n"
	began := time.Now()
	if code := run(context.Background(), []string{"console", "--staff"}, strings.NewReader(staff), &out, &errOut, env); code != 0 {
		t.Fatalf("staff console exit %d: %s", code, errOut.String())
	}
	if took := time.Since(began); took > 4*time.Second {
		t.Errorf("the staff console took %s to close: it waited for the reporter's message", took)
	}
	// The reporter's update is theirs to print, in their own session: the
	// staff console neither tries it (a warning in the chat) nor waits
	// for it before closing.
	if strings.Contains(errOut.String(), "not attached") {
		t.Errorf("the staff console tried the reporter's message:\n%s", errOut.String())
	}
	for _, want := range []string{code + " · Baru, menunggu petugas · Kekerasan · Sanggau Ledo", "Laporan " + code + " sekarang: Diterima petugas",
		"Pelapor: tanpa nama", "1. Tugaskan relawan"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("staff console lacks %q:\n%s", want, out.String())
		}
	}

	db := openDB(t, dir)
	pending, err := db.PendingOutbox(context.Background(), "console", 50)
	if err != nil {
		t.Fatal(err)
	}
	told := false
	for _, m := range pending {
		payload, _ := db.OutboxPayload(context.Background(), m.ID)
		var o bot.Outbound
		json.Unmarshal(payload, &o)
		told = told || m.Address == "local" && strings.Contains(o.Text, "Kabar laporan "+code+": Diterima petugas.")
	}
	if !told {
		t.Error("the reporter's update is not waiting for them")
	}
}
