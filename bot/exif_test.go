package bot

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"testing"

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
