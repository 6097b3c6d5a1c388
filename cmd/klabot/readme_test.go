package main

import (
	"os"
	"strings"
	"testing"
)

// The README's configuration table is what office staff read: every
// setting must be in it with its flag and default, so the two cannot drift.
func TestReadmeListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, "| `KLABOT_") {
			cells := strings.Split(line, "|")
			rows[strings.Trim(cells[1], " `")] = line
		}
	}
	for _, s := range settings(map[string]*string{}) {
		row, ok := rows[s.env]
		if !ok {
			t.Errorf("README configuration table has no row for %s", s.env)
			continue
		}
		cells := strings.Split(row, "|")
		if len(cells) < 5 {
			t.Errorf("README row for %s should have four columns: %s", s.env, row)
			continue
		}
		if flag := strings.Trim(cells[2], " `"); flag != "--"+s.flag {
			t.Errorf("README gives %s the flag %q, want --%s", s.env, flag, s.flag)
		}
		if def := strings.Trim(cells[3], " `"); def != s.def {
			t.Errorf("README gives %s the default %q, want %q", s.env, def, s.def)
		}
		delete(rows, s.env)
	}
	for env := range rows {
		t.Errorf("README lists %s, which is not a setting", env)
	}
}

// README's "Commands" section quotes "klabot -h": the two must not drift.
func TestReadmeQuotesTheCommandList(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var list strings.Builder
	printCommands(&list, "")
	for _, line := range strings.Split(list.String(), "\n") {
		if strings.HasPrefix(line, "  klabot ") && !strings.Contains(string(readme), "\n  "+line+"\n") {
			t.Errorf("README.md does not quote this line of klabot -h:\n%s", line)
		}
	}
}
