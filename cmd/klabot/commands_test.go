package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"klabot/locales"
	"klabot/store"
)

// Every command klabot has, as README.md documents them.
var documentedCommands = []string{"run", "console", "whatsapp login", "whatsapp status", "whatsapp logout",
	"trainings import", "export", "recap", "backup", "restore"}

// The flags each command has of its own, besides its settings.
var ownFlags = map[string][]string{
	"console":        {"staff"},
	"whatsapp login": {"phone"},
	"export":         {"from", "to", "format", "out"},
	"recap":          {"month", "out"},
	"backup":         {"out"},
	"restore":        {"yes"},
}

// "klabot -h" (and "klabot help") lists every command, one line each.
func TestHelpListsEveryCommand(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		code, out, errOut := klabot(t, dir, "", args...)
		if code != 0 || errOut != "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
		for _, name := range documentedCommands {
			var lines []string
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "klabot "+name+" ") || strings.TrimSpace(line) == "klabot "+name {
					lines = append(lines, line)
				}
			}
			if len(lines) != 1 || len(strings.Fields(lines[0])) < 3 {
				t.Errorf("%v: want one line for %q with what it does, got %q in:\n%s", args, name, lines, out)
			}
		}
	}
	if len(commands) != len(documentedCommands) {
		t.Errorf("klabot has %d commands, the list here %d: keep README.md and this test up to date", len(commands), len(documentedCommands))
	}
	if _, err := os.Stat(filepath.Join(dir, "klabot.db")); !os.IsNotExist(err) {
		t.Errorf("help opened the database: %v", err)
	}
}

// "klabot <command> -h" lists that command's own flags and the settings
// it uses, and nothing else; a setting's default is shown, never the
// value in the environment (it may be a token).
func TestCommandHelpListsItsOwnFlags(t *testing.T) {
	allOwn := map[string]bool{}
	for _, flags := range ownFlags {
		for _, f := range flags {
			allOwn[f] = true
		}
	}
	token := "123456:RAHASIA-jangan-tampil"
	env := envOf(map[string]string{"KLABOT_DATA_DIR": t.TempDir(), "KLABOT_TELEGRAM_TOKEN": token})
	for _, cmd := range commands {
		var out, errOut bytes.Buffer
		args := append(strings.Fields(cmd.name), "-h")
		code := run(context.Background(), args, strings.NewReader(""), &out, &errOut, env)
		help := out.String()
		if code != 0 || errOut.Len() != 0 || !strings.Contains(help, "klabot "+cmd.name) {
			t.Errorf("%v: exit %d, stderr %q, stdout:\n%s", args, code, errOut.String(), help)
			continue
		}
		has := func(flag string) bool { // a line of its own, not a mention in a text
			return strings.Contains(help, "\n  --"+flag+" ") || strings.Contains(help, "\n  --"+flag+",") ||
				strings.Contains(help, "\n  --"+flag+"\n")
		}
		for f := range allOwn {
			if want := slices.Contains(ownFlags[cmd.name], f); has(f) != want {
				t.Errorf("%s -h: lists --%s: %v, want %v:\n%s", cmd.name, f, has(f), want, help)
			}
		}
		for _, s := range settings(map[string]*string{}) {
			want := cmd.settings == nil || slices.Contains(cmd.settings, s.env)
			if listed := strings.Contains(help, "--"+s.flag+", "+s.env); listed != want || has(s.flag) != want {
				t.Errorf("%s -h: lists %s (--%s): %v, want %v:\n%s", cmd.name, s.env, s.flag, listed, want, help)
			}
		}
		if strings.Contains(help, token) {
			t.Errorf("%s -h shows the token from the environment", cmd.name)
		}
	}
	// export, as an example: its four flags and three settings.
	_, out, _ := klabot(t, t.TempDir(), "", "export", "-h")
	for _, want := range []string{"--from", "--to", "--format", "--out", "--data-dir", "--timezone", "--lang"} {
		if !strings.Contains(out, want) {
			t.Errorf("export -h lacks %s:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{"--telegram-token", "--staff-contacts", "--whatsapp-daily-cap", "--retention-days", "--month", "--yes"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("export -h lists %s:\n%s", unwanted, out)
		}
	}
}

// A command that uses a setting takes its flag; one that does not,
// refuses it like any unknown flag. A bad value in the environment is
// said by every command, used or not.
func TestSettingsFlagsOnlyWhereUsed(t *testing.T) {
	dir, _ := seededDataDir(t)
	code, out, errOut := klabot(t, dir, "", "export", "reports", "--lang", "en", "--from", "2026-11-01", "--to", "2026-11-30")
	if code != 0 || !strings.Contains(out, "Saved:") {
		t.Errorf("export --lang en: exit %d, %q %q", code, out, errOut)
	}
	code, _, errOut = klabot(t, dir, "", "export", "reports", "--telegram-token", "1:abc")
	want := "klabot: " + locales.T("id", "cli.flag_unknown", "--telegram-token", "export") + "\n"
	if code != 2 || errOut != want {
		t.Errorf("export --telegram-token: exit %d, stderr %q, want %q", code, errOut, want)
	}
	var out2, errOut2 bytes.Buffer
	code = run(context.Background(), []string{"export", "reports"}, strings.NewReader(""), &out2, &errOut2,
		envOf(map[string]string{"KLABOT_DATA_DIR": dir, "KLABOT_TELEGRAM_RATE": "cepat"}))
	if code != 2 || !strings.HasPrefix(errOut2.String(), "klabot: KLABOT_TELEGRAM_RATE: ") {
		t.Errorf("export with a bad KLABOT_TELEGRAM_RATE: exit %d, %q", code, errOut2.String())
	}
}

// A command klabot does not have, a flag it does not know and a missing
// word each get one kind line, exit 2, in the staff's language.
func TestMistakesGetOneLine(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		lang string
		args []string
		want string
	}{
		{"id", []string{"laporan"}, locales.T("id", "cli.unknown_command", "laporan")},
		{"en", []string{"laporan"}, locales.T("en", "cli.unknown_command", "laporan")},
		{"id", []string{"trainings", "export"}, locales.T("id", "cli.unknown_command", "trainings export")},
		{"id", []string{"recap", "--bulan", "2026-11"}, locales.T("id", "cli.flag_unknown", "--bulan", "recap")},
		{"id", []string{"recap", "--month"}, locales.T("id", "cli.flag_no_value", "--month", "recap")},
		{"id", []string{"export"}, locales.T("id", "cli.missing", locales.T("id", "cli.arg_export_kind"), "export")},
		{"en", []string{"restore", "--yes"}, locales.T("en", "cli.missing", locales.T("en", "cli.arg_backup_file"), "restore")},
		{"id", []string{"trainings", "import"}, locales.T("id", "cli.missing", locales.T("id", "cli.arg_trainings_csv"), "trainings import")},
		{"id", []string{"export", "people"}, locales.T("id", "cli.export_kind_bad", "people")},
		{"id", []string{"export", "reports", "--from", "1/11/2026"}, locales.T("id", "cli.from_bad", "1/11/2026")},
		{"id", []string{"recap", "--month", "2999-01"}, locales.T("id", "cli.month_future", "2999-01")},
		{"id", []string{"recap", "--month", "Novembre"}, locales.T("id", "cli.month_bad", "Novembre")},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		code := run(context.Background(), c.args, strings.NewReader(""), &out, &errOut,
			envOf(map[string]string{"KLABOT_DATA_DIR": dir, "KLABOT_LANG": c.lang}))
		if code != 2 || errOut.String() != "klabot: "+c.want+"\n" || out.Len() != 0 {
			t.Errorf("%s %v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.lang, c.args, code, out.String(), errOut.String(), c.want)
		}
	}
	// A group's name without a command lists the group's commands.
	for _, args := range [][]string{{"whatsapp"}, {"whatsapp", "--phone", "6281234567890"}, {"trainings"}} {
		code, out, errOut := klabot(t, dir, "", args...)
		if code != 2 || out != "" || !strings.Contains(errOut, "  klabot "+args[0]+" ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	if code, out, _ := klabot(t, dir, "", "whatsapp", "-h"); code != 0 || strings.Count(out, "klabot whatsapp ") != 3 {
		t.Errorf("whatsapp -h: exit %d:\n%s", code, out)
	}

	// The staff's language is Bahasa Indonesia unless KLABOT_LANG says
	// otherwise: no English sentence in what they read.
	_, _, errOut := klabot(t, dir, "", "recap", "--month", "2999-01")
	if strings.Contains(errOut, "has not begun") || !strings.Contains(errOut, "belum tiba") {
		t.Errorf("recap of a month to come: %q", errOut)
	}
	// A bad setting too, in the language asked for.
	code, _, errOut := klabot(t, dir, "", "backup", "--timezone", "Mars/Olympus")
	if code != 2 || errOut != "klabot: KLABOT_TIMEZONE: "+locales.T("id", "cli.cfg_timezone", "Mars/Olympus")+"\n" {
		t.Errorf("bad time zone: exit %d, %q", code, errOut)
	}
}

// Flags may come after the word a command takes.
func TestFlagsAfterTheWord(t *testing.T) {
	dir, _ := seededDataDir(t)
	if code, out, errOut := klabot(t, dir, "", "backup", "--out", filepath.Join(dir, "copy.db")); code != 0 {
		t.Fatalf("backup: exit %d, %q %q", code, out, errOut)
	}
	if code, out, errOut := klabot(t, dir, "", "restore", filepath.Join(dir, "copy.db"), "--yes"); code != 0 {
		t.Errorf("restore FILE --yes: exit %d, %q %q", code, out, errOut)
	}
	if code, _, errOut := klabot(t, dir, "", "export", "--format", "xlsx", "attendance"); code != 0 {
		t.Errorf("export --format xlsx attendance: exit %d, %q", code, errOut)
	}
}

// bumpSchema makes the database at path look written by a klabot whose
// schema is two versions newer than this one's.
func bumpSchema(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	newer := store.SchemaVersion() + 2
	if _, err := db.Exec(`INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, '')`,
		newer, fmt.Sprintf("%04d_later.sql", newer)); err != nil {
		t.Fatal(err)
	}
	return newer
}

// A database written by a newer klabot stops every command that opens it
// with one line naming both versions and saying to update klabot; a
// backup from a newer klabot is refused by restore with the same line.
func TestNewerDatabaseRefused(t *testing.T) {
	dir, _ := seededDataDir(t)
	newer := bumpSchema(t, filepath.Join(dir, "klabot.db"))
	line := "klabot: " + locales.T("id", "cli.db_newer", "klabot.db", newer, store.SchemaVersion()) + "\n"
	if !strings.Contains(line, "Perbarui klabot") {
		t.Fatalf("the message does not say to update klabot: %q", line)
	}
	for _, args := range [][]string{{"run"}, {"console"}, {"export", "reports"}, {"recap"}, {"backup"}, {"trainings", "import", "x.csv"}} {
		code, out, errOut := klabot(t, dir, "", args...)
		if code == 0 || errOut != line {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", args, code, out, errOut, line)
		}
	}

	other, _ := seededDataDir(t)
	backup := filepath.Join(t.TempDir(), "baru.db")
	if code, _, errOut := klabot(t, other, "", "backup", "--out", backup); code != 0 {
		t.Fatalf("backup: %d %s", code, errOut)
	}
	bumpSchema(t, backup)
	code, _, errOut := klabot(t, other, "YA\n", "restore", backup)
	want := "klabot: " + locales.T("id", "cli.db_newer", "baru.db", newer, store.SchemaVersion()) + "\n"
	if code != 1 || errOut != want {
		t.Errorf("restore of a newer backup: exit %d, stderr %q, want %q", code, errOut, want)
	}
}

// A file that is not a klabot database is refused in the staff's
// language, without SQLite's English.
func TestRestoreOfABadFileSaysWhy(t *testing.T) {
	dir, _ := seededDataDir(t)
	text := filepath.Join(t.TempDir(), "catatan.db")
	os.WriteFile(text, []byte("bukan database, hanya catatan"), 0o600)
	other := filepath.Join(t.TempDir(), "lain.db")
	db, _ := sql.Open("sqlite3", other)
	db.Exec(`CREATE TABLE x(y)`)
	db.Close()
	for file, key := range map[string]string{text: "cli.file_damaged", other: "cli.file_not_klabot", t.TempDir(): "cli.file_not_file"} {
		code, _, errOut := klabot(t, dir, "", "restore", "--yes", file)
		want := "klabot: " + locales.T("id", key, filepath.Base(file)) + "\n"
		if code != 1 || errOut != want {
			t.Errorf("restore %s: exit %d, stderr %q, want %q", filepath.Base(file), code, errOut, want)
		}
	}
}
