package all_test

import (
	"strings"
	"testing"

	"klabot/flows"
	"klabot/flows/all"
)

// The "/" menu a platform offers comes from the features, in the office's
// language, so an adapter needs to know no command of its own.
func TestCommandsComeFromTheFeatures(t *testing.T) {
	e := all.NewEngine(flows.Config{})
	var names []string
	for _, c := range e.Commands("id") {
		if c.Description == "" || strings.HasPrefix(c.Description, "command.") {
			t.Errorf("/%s has no description: %q", c.Name, c.Description)
		}
		names = append(names, c.Name)
	}
	if got := strings.Join(names, " "); got != "start menu lapor status pelatihan hadir batal bantuan" {
		t.Errorf("commands = %q", got)
	}
	if id, en := e.Commands("id")[2].Description, e.Commands("en")[2].Description; id == en {
		t.Errorf("description of /lapor not translated: %q", en)
	}
}
