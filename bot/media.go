package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"klabot/store"
)

// MediaSaver downloads report evidence after the report is committed,
// never inside a transaction: each file goes to
// <data dir>/media/<report code>/<sha256>.<ext> (folders 0700, files 0600)
// and its checksum, size and path are recorded. Failures are retried with
// backoff; a report works the same with or without its files.
type MediaSaver struct {
	db       *store.DB
	dir      string
	fetchers map[string]Fetcher
	log      *slog.Logger
	wake     chan struct{}
	now      func() time.Time

	// MaxBytes is the largest file kept; MaxAttempts tries before giving up.
	MaxBytes    int64
	MaxAttempts int
}

// mediaPoll is how often the saver looks for work it was not woken for
// (rows left from before a restart, retries coming due).
const mediaPoll = time.Minute

// NewMediaSaver makes a saver for files of the channels in fetchers.
func NewMediaSaver(db *store.DB, dataDir string, fetchers map[string]Fetcher, log *slog.Logger) *MediaSaver {
	return &MediaSaver{
		db: db, dir: filepath.Join(dataDir, "media"), fetchers: fetchers, log: log.With("part", "media"),
		wake: make(chan struct{}, 1), now: time.Now,
		MaxBytes: 20 << 20, MaxAttempts: 12,
	}
}

// SetClock makes the saver read the time from now (call it before Run).
func (m *MediaSaver) SetClock(now func() time.Time) { m.now = now }

// Wake tells the saver there may be new files. It never blocks.
func (m *MediaSaver) Wake() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Run saves files until ctx ends.
func (m *MediaSaver) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-m.wake:
		case <-timer.C:
		}
		if _, err := m.SaveDue(ctx); err != nil && ctx.Err() == nil {
			m.log.Error("save evidence", "err", err)
		}
		wait := mediaPoll
		if next, err := m.db.NextMediaTry(ctx, m.channels()); err == nil && !next.IsZero() {
			wait = min(wait, max(next.Sub(m.now()), 10*time.Millisecond))
		}
		timer.Reset(wait)
	}
}

func (m *MediaSaver) channels() []string {
	var out []string
	for name := range m.fetchers {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// SaveDue downloads every file whose turn has come and returns how many
// it tried.
func (m *MediaSaver) SaveDue(ctx context.Context) (int, error) {
	tried := 0
	for ctx.Err() == nil {
		due, err := m.db.DueMedia(ctx, m.channels(), m.now(), 16)
		if err != nil {
			return tried, err
		}
		if len(due) == 0 {
			return tried, nil
		}
		for _, md := range due {
			if ctx.Err() != nil {
				break
			}
			tried++
			if err := m.saveOne(ctx, md); err != nil {
				return tried, err
			}
		}
	}
	return tried, nil
}

// saveOne downloads one file and records the outcome.
func (m *MediaSaver) saveOne(ctx context.Context, md store.Media) error {
	sum, size, path, err := m.download(ctx, md)
	if ctx.Err() != nil {
		return nil // shutting down: the row stays due and is tried after restart
	}
	record := context.WithoutCancel(ctx)
	if err == nil {
		m.log.Debug("evidence saved", "report", md.ReportCode, "size", size)
		return m.db.Tx(record, func(tx *store.Tx) error { return tx.MediaSaved(md.ID, sum, size, path) })
	}
	var fe *FetchError
	var next time.Time
	if !(errors.As(err, &fe) && fe.Permanent) && md.Attempts+1 < m.MaxAttempts {
		next = m.now().Add(mediaBackoff(md.Attempts))
		m.log.Warn("evidence download failed, will retry", "report", md.ReportCode, "attempt", md.Attempts+1, "err", err)
	} else {
		m.log.Error("evidence download failed for good", "report", md.ReportCode, "attempts", md.Attempts+1, "err", err)
	}
	return m.db.Tx(record, func(tx *store.Tx) error { return tx.MediaRetry(md.ID, err.Error(), next) })
}

// mediaBackoff grows from 30 s to 6 h.
func mediaBackoff(attempts int) time.Duration {
	return min(30*time.Second<<min(attempts, 10), 6*time.Hour)
}

func (m *MediaSaver) download(ctx context.Context, md store.Media) (sum string, size int64, path string, err error) {
	code, ok := store.ParseReportCode(md.ReportCode)
	if !ok || code != md.ReportCode {
		// The code names a folder: never let anything else through.
		return "", 0, "", &FetchError{Permanent: true, Err: fmt.Errorf("bad report code %q", md.ReportCode)}
	}
	fetcher := m.fetchers[md.Channel]
	if fetcher == nil {
		return "", 0, "", fmt.Errorf("no downloader for channel %s", md.Channel)
	}
	if md.Size > m.MaxBytes {
		return "", 0, "", &FetchError{Permanent: true, Err: fmt.Errorf("file of %d bytes is over the limit", md.Size)}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	body, err := fetcher.Fetch(ctx, md.Ref)
	if err != nil {
		return "", 0, "", err
	}
	defer body.Close()

	dir := filepath.Join(m.dir, code)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", 0, "", fmt.Errorf("create evidence folder: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".download-*") // created 0600
	if err != nil {
		return "", 0, "", fmt.Errorf("create evidence file: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(tmp, h), io.LimitReader(body, m.MaxBytes+1))
	if err == nil && size > m.MaxBytes {
		err = &FetchError{Permanent: true, Err: fmt.Errorf("file is over %d bytes", m.MaxBytes)}
	}
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return "", 0, "", fmt.Errorf("write evidence file: %w", err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if sum, size, err = scrubFile(tmp.Name(), sum, size); err != nil {
		return "", 0, "", err
	}
	path = filepath.Join(dir, sum+extensionFor(md.Mime, md.Kind))
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", 0, "", fmt.Errorf("store evidence file: %w", err)
	}
	return sum, size, path, nil
}

// scrubFile removes a photo's EXIF and XMP metadata (see scrubMetadata)
// before anyone sees the file, and returns its checksum and size after.
func scrubFile(path, sum string, size int64) (string, int64, error) {
	head := make([]byte, 12)
	if f, err := os.Open(path); err == nil {
		n, _ := io.ReadFull(f, head)
		f.Close()
		head = head[:n]
	}
	if !isPhoto(head) {
		return sum, size, nil // not a photo: read no further
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", 0, fmt.Errorf("read evidence file: %w", err)
	}
	clean, changed := scrubMetadata(data)
	if !changed {
		return sum, size, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return "", 0, fmt.Errorf("rewrite evidence file: %w", err)
	}
	_, err = f.Write(clean)
	if err == nil {
		err = f.Sync()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return "", 0, fmt.Errorf("rewrite evidence file: %w", err)
	}
	h := sha256.Sum256(clean)
	return hex.EncodeToString(h[:]), int64(len(clean)), nil
}

// extensionFor picks a file name extension from the type the channel
// reported, or from the kind of message.
func extensionFor(mime, kind string) string {
	mime, _, _ = strings.Cut(strings.ToLower(mime), ";")
	switch strings.TrimSpace(mime) {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/webp":
		return ".webp"
	case "audio/ogg":
		return ".ogg"
	case "audio/mpeg":
		return ".mp3"
	case "audio/mp4", "audio/x-m4a":
		return ".m4a"
	case "video/mp4":
		return ".mp4"
	case "video/quicktime":
		return ".mov"
	case "application/pdf":
		return ".pdf"
	}
	switch kind {
	case "photo":
		return ".jpg"
	case "voice":
		return ".ogg"
	case "video":
		return ".mp4"
	}
	return ".bin"
}
