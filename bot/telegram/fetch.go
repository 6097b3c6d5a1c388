package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"klabot/bot/message"
)

// maxFetchBytes is the largest file the cloud Bot API lets a bot download.
const maxFetchBytes = 20 << 20

// Fetch implements message.Fetcher: getFile, then a GET of the file. The file
// address is derived from the configured endpoint ("/bot%s/%s" becomes
// "/file/bot%s/%s"), so self-hosted Bot API servers and test fakes work.
// The address holds the token: it is never logged, and errors are redacted.
func (t *Telegram) Fetch(ctx context.Context, ref string) (io.ReadCloser, error) {
	file, err := t.api(ctx).GetFile(tgbotapi.FileConfig{FileID: ref})
	if err != nil {
		err = t.redact(err)
		var apiErr *tgbotapi.Error
		if errors.As(err, &apiErr) && apiErr.Code == http.StatusBadRequest {
			// "invalid file_id", "file is too big": asking again cannot help.
			return nil, &message.FetchError{Permanent: true, Err: fmt.Errorf("get file: %w", err)}
		}
		return nil, fmt.Errorf("get file: %w", err)
	}
	if file.FileSize > maxFetchBytes {
		return nil, &message.FetchError{Permanent: true, Err: fmt.Errorf("file of %d bytes is too big to download", file.FileSize)}
	}
	if file.FilePath == "" {
		return nil, fmt.Errorf("get file: no file path given")
	}
	endpoint := t.cfg.Endpoint
	if !strings.Contains(endpoint, "/bot%s/%s") {
		return nil, &message.FetchError{Permanent: true, Err: fmt.Errorf("cannot derive the file address from the API endpoint")}
	}
	url := fmt.Sprintf(strings.Replace(endpoint, "/bot%s/%s", "/file/bot%s/%s", 1), t.cfg.Token, file.FilePath)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, t.redact(fmt.Errorf("download file: %w", err))
	}
	resp, err := t.http.Do(req)
	if err != nil {
		return nil, t.redact(fmt.Errorf("download file: %w", err))
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		// The file path expires after an hour; a later try asks getFile again.
		return nil, fmt.Errorf("download file: HTTP %d", resp.StatusCode)
	}
	return resp.Body, nil
}
