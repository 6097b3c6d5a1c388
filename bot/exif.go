package bot

import (
	"bytes"
	"encoding/binary"
)

// Photos carry metadata that can point at the person who took them: the
// EXIF block holds the GPS position where the picture was taken, the time
// and the phone's model and serial number; XMP repeats much of it. Staff
// must never learn a reporter's whereabouts from a file, so the evidence
// is kept without it. A location a reporter shares on purpose comes as a
// location pin, which is kept with the report.

// scrubMetadata returns data without its EXIF and XMP metadata, for JPEG
// and PNG files; changed is false when there was none, or when the file
// is not one of those (it is then kept as it came).
func scrubMetadata(data []byte) (out []byte, changed bool) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8}):
		return scrubJPEG(data)
	case bytes.HasPrefix(data, pngSignature):
		return scrubPNG(data)
	}
	return data, false
}

var (
	exifHeader   = []byte("Exif\x00")
	xmpHeader    = []byte("http://ns.adobe.com/xap/")
	xmpExtHeader = []byte("http://ns.adobe.com/xmp/extension/")
	pngSignature = []byte("\x89PNG\r\n\x1a\n")
)

// scrubJPEG drops the APP1 segments holding EXIF or XMP. The segments
// before the image data are walked one by one; the image data itself is
// copied untouched. A file that does not parse is returned as it is.
func scrubJPEG(b []byte) ([]byte, bool) {
	out := append(make([]byte, 0, len(b)), 0xFF, 0xD8)
	changed := false
	i := 2
	for i+2 <= len(b) {
		if b[i] != 0xFF {
			return b, false
		}
		marker := b[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0x01 || marker >= 0xD0 && marker <= 0xD8:
			out = append(out, b[i:i+2]...)
			i += 2
			continue
		case marker == 0xD9: // end of image
			return append(out, b[i:]...), changed
		}
		if i+4 > len(b) {
			return b, false
		}
		n := int(binary.BigEndian.Uint16(b[i+2 : i+4]))
		if n < 2 || i+2+n > len(b) {
			return b, false
		}
		if marker == 0xDA { // start of scan: the rest is image data
			return append(out, b[i:]...), changed
		}
		payload := b[i+4 : i+2+n]
		if marker == 0xE1 && (bytes.HasPrefix(payload, exifHeader) || bytes.HasPrefix(payload, xmpHeader) ||
			bytes.HasPrefix(payload, xmpExtHeader)) {
			changed = true
		} else {
			out = append(out, b[i:i+2+n]...)
		}
		i += 2 + n
	}
	return append(out, b[i:]...), changed
}

// scrubPNG drops the eXIf chunk and the text chunks (where XMP lives).
func scrubPNG(b []byte) ([]byte, bool) {
	out := append(make([]byte, 0, len(b)), pngSignature...)
	changed := false
	i := len(pngSignature)
	for i+12 <= len(b) {
		n := int(binary.BigEndian.Uint32(b[i : i+4]))
		if n < 0 || i+12+n > len(b) {
			return b, false
		}
		switch string(b[i+4 : i+8]) {
		case "eXIf", "tEXt", "iTXt", "zTXt":
			changed = true
		default:
			out = append(out, b[i:i+12+n]...)
		}
		i += 12 + n
	}
	return append(out, b[i:]...), changed
}
