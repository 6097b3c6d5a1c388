package bot

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/webp"

	"klabot/store"
)

// withSegment puts a JPEG APP1 segment holding payload right after SOI.
func withSegment(t *testing.T, jpg []byte, payload []byte) []byte {
	t.Helper()
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 8, 6))
	for x := 0; x < 8; x++ {
		img.Set(x, x%6, color.RGBA{200, 10, 10, 255})
	}
	return img
}

// A reporter's photo with its GPS position in EXIF and XMP is kept
// without them: staff open a file that says nothing about where it was
// taken, and the picture itself is whole. Files that are not photos are
// kept exactly as they came.
func TestEvidencePhotosLoseTheirLocation(t *testing.T) {
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	exif := append([]byte("Exif\x00\x00MM\x00*"), []byte("GPSLatitude 0.9196 N GPSLongitude 109.4870 E")...)
	xmp := []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta exif:GPSLatitude=\"0,55.18N\"/>")
	photo := withSegment(t, withSegment(t, plain.Bytes(), xmp), exif)

	var pngPlain bytes.Buffer
	if err := png.Encode(&pngPlain, testImage()); err != nil {
		t.Fatal(err)
	}
	// An eXIf chunk before IEND.
	p := pngPlain.Bytes()
	chunk := make([]byte, 8)
	gps := []byte("MM\x00*GPSLatitude 0.9196")
	binary.BigEndian.PutUint32(chunk, uint32(len(gps)))
	copy(chunk[4:], "eXIf")
	chunk = append(append(chunk, gps...), 0, 0, 0, 0)
	pngWithExif := append(append(append([]byte{}, p[:len(p)-12]...), chunk...), p[len(p)-12:]...)

	f := newMediaFixture(t, map[string]string{"photo-gps": "photo", "png-gps": "document", "voice-1": "voice"})
	f.fetch.files["photo-gps"] = photo
	f.fetch.files["png-gps"] = pngWithExif
	voice := []byte("OggS GPSLatitude is just words here")
	f.fetch.files["voice-1"] = voice
	if _, err := f.saver.SaveDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, m := range f.media(t) {
		if m.State != store.MediaSaved {
			t.Fatalf("%s not saved: %+v", m.Ref, m)
		}
		got, err := os.ReadFile(m.Path)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(got)) != m.Size {
			t.Errorf("%s: size %d recorded, %d on disk", m.Ref, m.Size, len(got))
		}
		switch m.Ref {
		case "voice-1":
			if !bytes.Equal(got, voice) {
				t.Errorf("a voice note was changed")
			}
			continue
		case "photo-gps":
			if !bytes.Equal(got, plain.Bytes()) {
				t.Errorf("the photo is not the picture without its metadata")
			}
			if _, err := jpeg.Decode(bytes.NewReader(got)); err != nil {
				t.Errorf("the photo no longer decodes: %v", err)
			}
		case "png-gps":
			if !bytes.Equal(got, pngPlain.Bytes()) {
				t.Errorf("the PNG is not the picture without its metadata")
			}
		}
		if bytes.Contains(got, []byte("GPS")) || bytes.Contains(got, []byte("Exif")) {
			t.Errorf("%s still holds its location", m.Ref)
		}
	}
}

// segment is a JPEG APPn segment holding payload.
func segment(marker byte, payload []byte) []byte {
	seg := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// A phone photo's other metadata goes too: the second image's EXIF in
// APP2 (MPF), FlashPix, and IPTC/Photoshop blocks in APP13. The colour
// profile stays, and so does the orientation, so the picture shows as it
// was taken.
func TestEvidencePhotosLoseMetadataOutsideEXIF(t *testing.T) {
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	// EXIF, little-endian: Orientation 6 and a GPS note in the same block.
	tiff := []byte("II*\x00\x08\x00\x00\x00\x02\x00" +
		"\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00" +
		"\x25\x88\x04\x00\x01\x00\x00\x00\x26\x00\x00\x00" +
		"\x00\x00\x00\x00GPSLatitude 0.9196 N")
	icc := append([]byte("ICC_PROFILE\x00\x01\x01"), bytes.Repeat([]byte{0x42}, 40)...)
	var segs []byte
	segs = append(segs, segment(0xE1, append([]byte("Exif\x00\x00"), tiff...))...)
	segs = append(segs, segment(0xE2, icc)...)
	segs = append(segs, segment(0xE2, []byte("MPF\x00MM\x00*Exif GPSLongitude 109.4870 E"))...)
	segs = append(segs, segment(0xE2, []byte("FPXR\x00\x00Kampung Bange"))...)
	segs = append(segs, segment(0xED, []byte("Photoshop 3.0\x008BIM\x04\x04IPTC City: Bengkayang"))...)
	photo := append(append(append([]byte{}, plain.Bytes()[:2]...), segs...), plain.Bytes()[2:]...)

	out, changed := scrubMetadata(photo)
	if !changed {
		t.Fatal("nothing was removed")
	}
	for _, secret := range []string{"GPSLatitude", "GPSLongitude", "MPF", "FPXR", "Kampung", "8BIM", "Bengkayang"} {
		if bytes.Contains(out, []byte(secret)) {
			t.Errorf("%q is still in the file", secret)
		}
	}
	if !bytes.Contains(out, icc) {
		t.Error("the colour profile was removed")
	}
	if got := exifOrientationOf(out); got != 6 {
		t.Errorf("orientation = %d, want 6", got)
	}
	if _, err := jpeg.Decode(bytes.NewReader(out)); err != nil {
		t.Errorf("the scrubbed photo does not decode: %v", err)
	}
	if again, changed := scrubMetadata(out); changed && !bytes.Equal(again, out) {
		t.Error("a scrubbed photo is changed again")
	}
}

// exifOrientationOf finds the orientation in a JPEG's EXIF segment.
func exifOrientationOf(jpg []byte) uint16 {
	i := bytes.Index(jpg, []byte("Exif\x00\x00"))
	if i < 0 {
		return 0
	}
	return exifOrientation(jpg[i+6:])
}

// A WebP photo loses its EXIF and XMP chunks, its header stops announcing
// them, and it still decodes.
func TestWebPLosesMetadata(t *testing.T) {
	// A 1x1 lossless image, and the same in the extended format with
	// EXIF (an odd size, so padded) and XMP chunks.
	lossless, _ := base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
	chunk := func(fourcc string, payload []byte) []byte {
		c := append([]byte(fourcc), 0, 0, 0, 0)
		binary.LittleEndian.PutUint32(c[4:], uint32(len(payload)))
		c = append(c, payload...)
		if len(payload)%2 == 1 {
			c = append(c, 0)
		}
		return c
	}
	vp8x := chunk("VP8X", []byte{webpFlagEXIF | webpFlagXMP, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	body := append(append(append(vp8x, lossless[12:]...),
		chunk("EXIF", []byte("II*\\x00GPSLatitude 0.9196 N"))...),
		chunk("XMP ", []byte("<x:xmpmeta>Kampung Bange</x:xmpmeta>"))...)
	photo := append([]byte("RIFF\x00\x00\x00\x00WEBP"), body...)
	binary.LittleEndian.PutUint32(photo[4:8], uint32(len(photo)-8))
	if _, err := webp.Decode(bytes.NewReader(photo)); err != nil {
		t.Fatalf("the test photo does not decode: %v", err)
	}

	out, changed := scrubMetadata(photo)
	if !changed {
		t.Fatal("nothing was removed")
	}
	for _, secret := range []string{"GPSLatitude", "Kampung", "EXIF", "XMP "} {
		if bytes.Contains(out, []byte(secret)) {
			t.Errorf("%q is still in the file", secret)
		}
	}
	if flags := out[20]; flags&(webpFlagEXIF|webpFlagXMP) != 0 {
		t.Errorf("the header still announces metadata: flags %#x", flags)
	}
	if size := binary.LittleEndian.Uint32(out[4:8]); int(size) != len(out)-8 {
		t.Errorf("RIFF size %d for a file of %d bytes", size, len(out))
	}
	if _, err := webp.Decode(bytes.NewReader(out)); err != nil {
		t.Errorf("the scrubbed photo does not decode: %v", err)
	}
	if _, changed := scrubMetadata(lossless); changed {
		t.Error("a photo without metadata was changed")
	}
	// Evidence saved as a WebP file is scrubbed on disk like a JPEG.
	path := filepath.Join(t.TempDir(), "bukti.webp")
	if err := os.WriteFile(path, photo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, size, err := scrubFile(path, "before", int64(len(photo))); err != nil || size != int64(len(out)) {
		t.Errorf("scrubFile: size %d, err %v; want %d", size, err, len(out))
	}
	if saved, _ := os.ReadFile(path); bytes.Contains(saved, []byte("GPSLatitude")) {
		t.Error("the saved file keeps its location")
	}
}
