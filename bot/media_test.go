package bot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"klabot/store"
)

// fakeFetcher serves files by reference and fails as it is told.
type fakeFetcher struct {
	mu    sync.Mutex
	files map[string][]byte
	fail  map[string][]error // per reference, consumed in order
	calls int
}

func (f *fakeFetcher) Fetch(ctx context.Context, ref string) (io.ReadCloser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if errs := f.fail[ref]; len(errs) > 0 {
		f.fail[ref] = errs[1:]
		return nil, errs[0]
	}
	data, ok := f.files[ref]
	if !ok {
		return nil, &FetchError{Permanent: true, Err: errors.New("invalid file_id")}
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

type mediaFixture struct {
	db     *store.DB
	dir    string
	saver  *MediaSaver
	fetch  *fakeFetcher
	report store.Report
	now    time.Time
}

func newMediaFixture(t *testing.T, refs map[string]string) *mediaFixture {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "klabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &mediaFixture{db: db, dir: dir, now: time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC),
		fetch: &fakeFetcher{files: map[string][]byte{}, fail: map[string][]error{}}}
	err = db.Tx(context.Background(), func(tx *store.Tx) error {
		u, _, err := tx.UserByContact(store.Contact{Channel: "telegram", Address: "1"}, "id", f.now)
		if err != nil {
			return err
		}
		f.report = store.Report{Category: "kekerasan", ReporterID: u.ID, Anonymous: true}
		if err := tx.CreateReport(&f.report, bytes.NewReader([]byte{1, 2, 3, 4, 5}), f.now); err != nil {
			return err
		}
		for ref, kind := range refs {
			mime := map[string]string{"photo": "image/jpeg", "voice": "audio/ogg"}[kind]
			if _, err := tx.AddReportMedia(f.report.ID, store.Media{Kind: kind, Channel: "telegram", Ref: ref, Mime: mime}, u.ID, f.now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.saver = NewMediaSaver(db, dir, map[string]Fetcher{"telegram": f.fetch}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.saver.now = func() time.Time { return f.now }
	return f
}

func (f *mediaFixture) media(t *testing.T) []store.Media {
	t.Helper()
	var out []store.Media
	err := f.db.Tx(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = tx.ReportMedia(f.report.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMediaSaverStoresFileWithChecksumPrivately(t *testing.T) {
	f := newMediaFixture(t, map[string]string{"photo-1": "photo"})
	data := []byte("\xff\xd8\xff a jpeg of a child at work")
	f.fetch.files["photo-1"] = data
	if n, err := f.saver.SaveDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("SaveDue = %d, %v", n, err)
	}
	sum := sha256.Sum256(data)
	want := filepath.Join(f.dir, "media", f.report.Code, hex.EncodeToString(sum[:])+".jpg")
	m := f.media(t)[0]
	if m.State != store.MediaSaved || m.Path != want || m.SHA256 != hex.EncodeToString(sum[:]) || m.Size != int64(len(data)) {
		t.Fatalf("row = %+v, want saved at %s", m, want)
	}
	got, err := os.ReadFile(want)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("file: %v", err)
	}
	for path, mode := range map[string]os.FileMode{want: 0o600, filepath.Dir(want): 0o700, filepath.Join(f.dir, "media"): 0o700} {
		if info, err := os.Stat(path); err != nil || info.Mode().Perm() != mode {
			t.Errorf("%s: mode %v (%v), want %o", path, info.Mode().Perm(), err, mode)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(want)); len(entries) != 1 {
		t.Errorf("left-over files next to the evidence: %v", entries)
	}
	if n, _ := f.saver.SaveDue(context.Background()); n != 0 || f.fetch.calls != 1 {
		t.Errorf("a saved file was fetched again (%d tries, %d calls)", n, f.fetch.calls)
	}
}

func TestMediaSaverRetriesWithBackoff(t *testing.T) {
	f := newMediaFixture(t, map[string]string{"voice-1": "voice"})
	f.fetch.files["voice-1"] = []byte("OggS voice")
	f.fetch.fail["voice-1"] = []error{errors.New("connection reset"), errors.New("HTTP 502")}
	f.saver.SaveDue(context.Background())
	if m := f.media(t)[0]; m.State != store.MediaPending || m.Attempts != 1 {
		t.Fatalf("after a failure: %+v", m)
	}
	// Not yet due: nothing is tried.
	if n, _ := f.saver.SaveDue(context.Background()); n != 0 {
		t.Errorf("retried at once (%d)", n)
	}
	f.now = f.now.Add(mediaBackoff(0))
	f.saver.SaveDue(context.Background())
	f.now = f.now.Add(mediaBackoff(1))
	f.saver.SaveDue(context.Background())
	if m := f.media(t)[0]; m.State != store.MediaSaved || m.Attempts != 3 || filepath.Ext(m.Path) != ".ogg" {
		t.Errorf("after the retries: %+v", m)
	}
}

func TestMediaSaverGivesUpOnPermanentFailures(t *testing.T) {
	f := newMediaFixture(t, map[string]string{"gone": "photo", "huge": "photo"})
	f.fetch.files["huge"] = bytes.Repeat([]byte("x"), 11)
	f.saver.MaxBytes = 10
	f.saver.SaveDue(context.Background())
	for _, m := range f.media(t) {
		if m.State != store.MediaFailed || m.Path != "" {
			t.Errorf("%s: %+v, want failed without a file", m.Ref, m)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(f.dir, "media", f.report.Code)); len(entries) != 0 {
		t.Errorf("a partial download was left behind: %v", entries)
	}
	f.now = f.now.Add(24 * time.Hour)
	if n, _ := f.saver.SaveDue(context.Background()); n != 0 {
		t.Error("a failed file was tried again")
	}
}

func TestMediaSaverStopsAfterMaxAttempts(t *testing.T) {
	f := newMediaFixture(t, map[string]string{"flaky": "photo"})
	f.saver.MaxAttempts = 2
	f.fetch.fail["flaky"] = []error{errors.New("timeout"), errors.New("timeout"), errors.New("timeout")}
	f.saver.SaveDue(context.Background())
	f.now = f.now.Add(time.Hour)
	f.saver.SaveDue(context.Background())
	if m := f.media(t)[0]; m.State != store.MediaFailed || m.Attempts != 2 {
		t.Errorf("after %d attempts: %+v", f.saver.MaxAttempts, m)
	}
}

func TestExtensionFor(t *testing.T) {
	for _, c := range []struct{ mime, kind, want string }{
		{"image/jpeg", "photo", ".jpg"}, {"", "photo", ".jpg"}, {"audio/ogg; codecs=opus", "voice", ".ogg"},
		{"video/mp4", "video", ".mp4"}, {"application/pdf", "document", ".pdf"}, {"application/x-evil", "document", ".bin"},
	} {
		if got := extensionFor(c.mime, c.kind); got != c.want {
			t.Errorf("extensionFor(%q, %q) = %q, want %q", c.mime, c.kind, got, c.want)
		}
	}
}
