package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The staff console serves no dashboard but hands out a link to the one
// klabot run serves for the address configured, saying so; with the
// dashboard off it says that.
func TestConsoleSignInLinkForTheDashboardOfRun(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:18080", "off"} {
		env := envOf(map[string]string{"KLABOT_DATA_DIR": filepath.Join(t.TempDir(), "data"), "KLABOT_WEB_ADDR": addr})
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"console", "--staff"}, strings.NewReader("halo\n1\n/masuk\n"), &out, &errOut, env); code != 0 {
			t.Fatalf("console: exit %d %s", code, errOut.String())
		}
		link := regexp.MustCompile(`http://127\.0\.0\.1:18080/masuk/[A-Za-z0-9_-]{43}`).MatchString(out.String())
		if addr == "off" {
			if link || !strings.Contains(out.String(), "KLABOT_WEB_ADDR=off") {
				t.Errorf("dashboard off:\n%s", out.String())
			}
			continue
		}
		if !link || !strings.Contains(out.String(), "klabot run") || strings.Contains(out.String(), "=off") {
			t.Errorf("dashboard at %s:\n%s", addr, out.String())
		}
	}
}
