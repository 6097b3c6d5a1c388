package fakeapi

import (
	"fmt"
	"path"
	"strings"
)

// fileEntry is a file known to the server: registered by a test with AddFile
// or uploaded by the bot.
type fileEntry struct {
	id       string
	uniqueID string
	path     string
	data     []byte // replaced, never modified in place
}

// AddFile registers downloadable content under fileID, as if a user had sent
// it to the bot, and returns its file_path. getFile then reports it and
// GET /file/bot<token>/<file_path> serves data. Registering an existing
// fileID replaces its content and keeps its path. data is copied.
func (s *Server) AddFile(fileID string, data []byte) (filePath string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addFileLocked(fileID, "files", "", data).path
}

// File returns the content of a registered or uploaded file.
func (s *Server) File(fileID string) (data []byte, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[fileID]
	if f == nil {
		return nil, false
	}
	return append([]byte(nil), f.data...), true
}

func (s *Server) addFileLocked(fileID, dir, name string, data []byte) *fileEntry {
	data = append([]byte(nil), data...)
	if f := s.files[fileID]; f != nil {
		f.data = data
		return f
	}
	s.fileSeq++
	f := &fileEntry{
		id:       fileID,
		uniqueID: fmt.Sprintf("AQAD%08d", s.fileSeq),
		// Telegram paths look like "photos/file_12.jpg".
		path: fmt.Sprintf("%s/file_%d%s", dir, s.fileSeq, strings.ToLower(path.Ext(name))),
		data: data,
	}
	s.files[fileID] = f
	s.filePaths[f.path] = f
	return f
}

// mintFileLocked stores an upload (or a file fetched "by URL", whose content
// the fake cannot know) under a new file_id.
func (s *Server) mintFileLocked(kind, dir, name string, data []byte) *fileEntry {
	id := fmt.Sprintf("fake-%s-%08d", kind, s.fileSeq+1)
	return s.addFileLocked(id, dir, name, data)
}

// fileJSON renders the common fields of a file object. Unregistered ids are
// allowed so tests need not register files the bot never downloads.
func (s *Server) fileJSON(fileID string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fileJSONLocked(fileID)
}

func (s *Server) fileJSONLocked(fileID string) map[string]any {
	obj := map[string]any{"file_id": fileID, "file_unique_id": "AQAD-" + fileID}
	if f := s.files[fileID]; f != nil {
		obj["file_unique_id"] = f.uniqueID
		obj["file_size"] = len(f.data)
	}
	return obj
}

func (s *Server) photoSize(fileID string) map[string]any {
	obj := s.fileJSON(fileID)
	obj["width"], obj["height"] = 1280, 960
	return obj
}

func (s *Server) getFile(c *call) (any, *apiError) {
	id := c.params.Get("file_id")
	if id == "" {
		return nil, badRequest("file_id not specified")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[id]
	if f == nil {
		return nil, badRequest("invalid file_id")
	}
	if len(f.data) > maxDownloadBytes {
		return nil, badRequest("file is too big")
	}
	return map[string]any{
		"file_id":        f.id,
		"file_unique_id": f.uniqueID,
		"file_size":      len(f.data),
		"file_path":      f.path,
	}, nil
}
