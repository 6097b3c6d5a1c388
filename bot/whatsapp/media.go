package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"klabot/bot/message"
)

// Kinds of media in a reference; each has its own decryption keys.
const (
	kindImage    = "image"
	kindAudio    = "audio"
	kindVideo    = "video"
	kindDocument = "document"
)

// refPrefix marks a WhatsApp media reference.
const refPrefix = "wa1:"

// maxFetch bounds the size of a file Fetch downloads (WhatsApp itself
// allows up to 2 GB documents; evidence does not need that).
const maxFetch = 100 << 20

// mediaRef is what is needed to download a file someone sent, later: where
// WhatsApp keeps it and the keys to decrypt and check it. It is stored in
// message.Media.Ref as JSON. WhatsApp keeps files for some weeks only, so a
// flow that wants the file fetches it soon.
type mediaRef struct {
	Kind       string `json:"kind"`
	DirectPath string `json:"path"`
	MediaKey   []byte `json:"key"`
	SHA256     []byte `json:"sha256"`
	EncSHA256  []byte `json:"enc_sha256"`
	Length     uint64 `json:"length"`
}

// mediaInput describes a media message for the flows.
func mediaInput(kind message.Kind, refKind string, msg whatsmeow.DownloadableMessage, caption, mime, name string, size uint64) message.Input {
	ref := mediaRef{
		Kind: refKind, DirectPath: msg.GetDirectPath(), MediaKey: msg.GetMediaKey(),
		SHA256: msg.GetFileSHA256(), EncSHA256: msg.GetFileEncSHA256(), Length: size,
	}
	raw, _ := json.Marshal(ref) // plain fields: cannot fail
	return message.Input{Kind: kind, Text: caption, Media: &message.Media{
		Ref: refPrefix + string(raw), Mime: mime, Size: int64(size), FileName: name,
	}}
}

// downloadable rebuilds the message whatsmeow downloads from; its type
// chooses the decryption keys.
func (r mediaRef) downloadable() (whatsmeow.DownloadableMessage, error) {
	path, key, sum, encSum, n := proto.String(r.DirectPath), r.MediaKey, r.SHA256, r.EncSHA256, proto.Uint64(r.Length)
	switch r.Kind {
	case kindImage:
		return &waE2E.ImageMessage{DirectPath: path, MediaKey: key, FileSHA256: sum, FileEncSHA256: encSum, FileLength: n}, nil
	case kindAudio:
		return &waE2E.AudioMessage{DirectPath: path, MediaKey: key, FileSHA256: sum, FileEncSHA256: encSum, FileLength: n}, nil
	case kindVideo:
		return &waE2E.VideoMessage{DirectPath: path, MediaKey: key, FileSHA256: sum, FileEncSHA256: encSum, FileLength: n}, nil
	case kindDocument:
		return &waE2E.DocumentMessage{DirectPath: path, MediaKey: key, FileSHA256: sum, FileEncSHA256: encSum, FileLength: n}, nil
	}
	return nil, fmt.Errorf("unknown media kind %q", r.Kind)
}

// Fetch downloads a file someone sent, by the Ref of its message.Media. It
// implements message.Fetcher: a *message.FetchError marked Permanent means trying
// again cannot help (the file is gone from WhatsApp, or too big).
func (w *WhatsApp) Fetch(ctx context.Context, ref string) (io.ReadCloser, error) {
	raw, ok := strings.CutPrefix(ref, refPrefix)
	if !ok {
		return nil, &message.FetchError{Permanent: true, Err: errors.New("not a WhatsApp media reference")}
	}
	var r mediaRef
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return nil, &message.FetchError{Permanent: true, Err: fmt.Errorf("read WhatsApp media reference: %w", err)}
	}
	if r.Length > maxFetch {
		return nil, &message.FetchError{Permanent: true, Err: fmt.Errorf("file of %d bytes is larger than %d", r.Length, maxFetch)}
	}
	msg, err := r.downloadable()
	if err != nil {
		return nil, &message.FetchError{Permanent: true, Err: err}
	}
	data, err := w.client.Download(ctx, msg)
	switch {
	case data != nil && (errors.Is(err, whatsmeow.ErrFileLengthMismatch) || errors.Is(err, whatsmeow.ErrInvalidMediaSHA256)):
		// whatsmeow's warnings, with the file: the sender's phone gave a
		// wrong (or no) length or hash, but the encrypted file passed its
		// check, so it is what was sent.
		w.log.Warn("a file from WhatsApp does not match its stated size or hash; kept", "err", err)
	case errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith404), errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith410),
		errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith403), errors.Is(err, whatsmeow.ErrInvalidMediaHMAC):
		// WhatsApp no longer has the file, or it is not what was sent.
		return nil, &message.FetchError{Permanent: true, Err: fmt.Errorf("download from WhatsApp: %w", err)}
	case err != nil:
		return nil, fmt.Errorf("download from WhatsApp: %w", err)
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// mimeOf is a file's type, by its name or else by its first bytes.
func mimeOf(name string, data []byte) string {
	if t := mime.TypeByExtension(filepath.Ext(name)); t != "" {
		return t
	}
	return http.DetectContentType(data)
}
