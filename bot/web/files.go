package web

import (
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
)

// safeTypes are the content types a file is served as inline; anything
// else goes as a download of unknown type, so a browser never runs it.
var safeTypes = map[string]bool{
	"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true,
	"audio/ogg": true, "audio/mpeg": true, "audio/mp4": true, "audio/wave": true,
	"video/mp4": true, "video/webm": true, "application/pdf": true,
}

// serveFile sends a file kept in the data folder, never cached, with a
// content type read from the file itself.
func serveFile(w http.ResponseWriter, r *http.Request, path, name string, download bool) {
	f, err := os.Open(path)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	ctype := http.DetectContentType(head[:n])
	if strings.HasPrefix(ctype, "application/ogg") {
		ctype = "audio/ogg" // voice notes
	}
	if i := strings.Index(ctype, ";"); i >= 0 {
		ctype = ctype[:i]
	}
	disposition := "inline"
	if !safeTypes[ctype] || download {
		if !safeTypes[ctype] {
			ctype = "application/octet-stream"
		}
		disposition = "attachment"
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": name}))
	h.Set("Cache-Control", "no-store, private")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(w, r, "", info.ModTime(), f)
}
