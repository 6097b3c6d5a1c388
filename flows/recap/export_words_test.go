package recap

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"klabot/flows/exportdata"
	"klabot/store"
	"klabot/store/exporttest"
)

// Staff read exports in Bahasa Indonesia: states, yes and no, audiences
// roles and the programmes' questions are words, not the codes stored.
func TestExportValuesInBahasa(t *testing.T) {
	db, _ := exporttest.OpenSeeded(t)
	loc, _ := time.LoadLocation("Asia/Pontianak")
	now := exporttest.At(time.November, 24, 10, 0)
	var text strings.Builder
	err := db.Tx(context.Background(), func(tx *store.Tx) error {
		for _, a := range []store.BroadcastAudience{{Kind: store.ToRole, Value: "forum_anak"}, {Kind: store.ToKec, Value: exporttest.KecBengkayang}} {
			if _, err := tx.CreateBroadcast(store.Broadcast{CreatedBy: 1, Text: "Rapat", Audience: a, ScheduledAt: now.Add(time.Hour)}, now); err != nil {
				return err
			}
		}
		r := exportdata.Range{From: exporttest.At(time.November, 1, 0, 0), To: exporttest.At(time.December, 1, 0, 0), Loc: loc}
		for _, kind := range []string{exportdata.KindRegistrations, exportdata.KindBroadcasts} {
			tab, err := exportdata.Build(tx, kind, r, ExportLabels("id"))
			if err != nil {
				return err
			}
			for _, row := range tab.Rows {
				fmt.Fprintln(&text, row...)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := text.String()
	for _, english := range []string{" registered ", " cancelled ", " scheduled ", "=yes", "role:", "kec:", "guardian_ok", "extreme_poor"} {
		if strings.Contains(got, english) {
			t.Errorf("export shows %q:\n%s", english, got)
		}
	}
	for _, want := range []string{" terdaftar ", "orang tua/wali setuju: ya", "peran: Anggota Forum Anak", "kecamatan: Bengkayang", " terjadwal "} {
		if !strings.Contains(got, want) {
			t.Errorf("export lacks %q:\n%s", want, got)
		}
	}
}
