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

// Besides APP1 (EXIF, XMP), a JPEG may carry metadata in APP2 (MPF, which
// holds a second image with its own EXIF, and FlashPix) and APP13 (IPTC
// and Photoshop blocks, with names and places). The colour profile, also
// in APP2, is kept, and so is the EXIF orientation, rebuilt alone, so the
// picture stays upright.

// scrubMetadata returns data without its EXIF and XMP metadata, for JPEG,
// PNG and WebP files; changed is false when there was none, or when the
// file is not one of those (it is then kept as it came).
func scrubMetadata(data []byte) (out []byte, changed bool) {
	switch {
	case isJPEG(data):
		return scrubJPEG(data)
	case bytes.HasPrefix(data, pngSignature):
		return scrubPNG(data)
	case isWebP(data):
		return scrubWebP(data)
	}
	return data, false
}

// isPhoto tells, from a file's first 12 bytes, a photo whose metadata
// scrubMetadata removes.
func isPhoto(head []byte) bool {
	return isJPEG(head) || bytes.HasPrefix(head, pngSignature) || isWebP(head)
}

func isJPEG(b []byte) bool { return bytes.HasPrefix(b, []byte{0xFF, 0xD8}) }

func isWebP(b []byte) bool {
	return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP"
}

var (
	exifHeader   = []byte("Exif\x00")
	xmpHeader    = []byte("http://ns.adobe.com/xap/")
	xmpExtHeader = []byte("http://ns.adobe.com/xmp/extension/")
	pngSignature = []byte("\x89PNG\r\n\x1a\n")
	iccHeader    = []byte("ICC_PROFILE\x00")
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
		switch {
		case marker == 0xE1 && bytes.HasPrefix(payload, exifHeader):
			changed = true
			if o := exifOrientation(payload[len(exifHeader)+1:]); o > 1 {
				out = append(out, orientationSegment(o)...)
			}
		case marker == 0xE1 && (bytes.HasPrefix(payload, xmpHeader) || bytes.HasPrefix(payload, xmpExtHeader)),
			marker == 0xE2 && !bytes.HasPrefix(payload, iccHeader),
			marker == 0xED:
			changed = true
		default:
			out = append(out, b[i:i+2+n]...)
		}
		i += 2 + n
	}
	return append(out, b[i:]...), changed
}

// exifOrientation reads the Orientation tag (0x0112) of an EXIF block's
// first directory; 0 when there is none or the block does not parse.
func exifOrientation(tiff []byte) uint16 {
	if len(tiff) < 8 {
		return 0
	}
	var order binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 0
	}
	ifd := int(order.Uint32(tiff[4:8]))
	if ifd < 8 || ifd+2 > len(tiff) {
		return 0
	}
	count := int(order.Uint16(tiff[ifd:]))
	for k := 0; k < count; k++ {
		e := ifd + 2 + 12*k
		if e+12 > len(tiff) {
			return 0
		}
		if order.Uint16(tiff[e:]) == 0x0112 && order.Uint16(tiff[e+2:]) == 3 {
			if o := order.Uint16(tiff[e+8:]); o <= 8 {
				return o
			}
			return 0
		}
	}
	return 0
}

// orientationSegment is an APP1 EXIF segment holding the orientation and
// nothing else.
func orientationSegment(o uint16) []byte {
	seg := []byte{0xFF, 0xE1, 0, 34}
	seg = append(seg, exifHeader...)
	seg = append(seg, 0)                            // the header's padding
	seg = append(seg, 'M', 'M', 0, 42, 0, 0, 0, 8)  // big-endian TIFF, directory at 8
	seg = append(seg, 0, 1)                         // one entry
	seg = append(seg, 0x01, 0x12, 0, 3, 0, 0, 0, 1) // Orientation, SHORT, one value
	seg = append(seg, byte(o>>8), byte(o), 0, 0)    // the value, padded
	return append(seg, 0, 0, 0, 0)                  // no next directory
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

// scrubWebP drops the EXIF and XMP chunks of a WebP file (sticker packs
// and some phones' cameras save WebP) and clears their flags in the VP8X
// header, so the file still says truthfully what it holds.
func scrubWebP(b []byte) ([]byte, bool) {
	out := append(make([]byte, 0, len(b)), b[:12]...)
	changed := false
	vp8x := -1
	i := 12
	for i+8 <= len(b) {
		n := int(binary.LittleEndian.Uint32(b[i+4 : i+8]))
		end := i + 8 + n + n%2 // chunks are padded to an even size
		if n < 0 || end > len(b) {
			return b, false
		}
		switch string(b[i : i+4]) {
		case "EXIF", "XMP ":
			changed = true
		case "VP8X":
			vp8x = len(out)
			out = append(out, b[i:end]...)
		default:
			out = append(out, b[i:end]...)
		}
		i = end
	}
	if !changed || i != len(b) {
		return b, false
	}
	if vp8x >= 0 && vp8x+8 < len(out) {
		out[vp8x+8] &^= webpFlagEXIF | webpFlagXMP
	}
	binary.LittleEndian.PutUint32(out[4:8], uint32(len(out)-8))
	return out, true
}

// The VP8X header's flags for the metadata chunks.
const (
	webpFlagEXIF = 0x08
	webpFlagXMP  = 0x04
)
