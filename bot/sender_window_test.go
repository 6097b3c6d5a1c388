package bot

import (
	"testing"
	"time"
)

// The overall limit counts a send from its start until a span after its
// answer, so sends that reach the platform late or bunched up never make
// more than n in any span there.
func TestSlidingWindow(t *testing.T) {
	t0 := time.Date(2026, 6, 12, 1, 0, 0, 0, time.UTC)
	w := newWindow(3, time.Second)
	for i := range 3 {
		if wait := w.wait(t0); wait != 0 {
			t.Fatalf("send %d must wait %s", i+1, wait)
		}
		w.start()
	}
	if wait := w.wait(t0); wait != pollInterval {
		t.Errorf("with all three in flight: wait %s, want to look again when one answers", wait)
	}
	w.finish(t0.Add(200*time.Millisecond), true)
	w.finish(t0.Add(300*time.Millisecond), true)
	w.finish(t0.Add(100*time.Millisecond), false) // never reached the platform
	if wait := w.wait(t0.Add(300 * time.Millisecond)); wait != 0 {
		t.Errorf("a send that never went out still counts: wait %s", wait)
	}
	w.start()
	if wait := w.wait(t0.Add(400 * time.Millisecond)); wait != 801*time.Millisecond {
		t.Errorf("wait %s, want until a second after the first answer", wait)
	}
	if wait := w.wait(t0.Add(1201 * time.Millisecond)); wait != 0 {
		t.Errorf("a second after the first answer: wait %s", wait)
	}
	if w.idle(t0.Add(5 * time.Second)) {
		t.Error("a window with a send in flight is idle")
	}
	w.finish(t0.Add(1300*time.Millisecond), true)
	if !w.idle(t0.Add(2301*time.Millisecond)) || w.idle(t0.Add(2*time.Second)) {
		t.Error("idle is wrong")
	}
	if w := newSlidingWindow(25.5); w.n != 25 || w.span != 980392156*time.Nanosecond {
		t.Errorf("25.5/s: %d in %s", w.n, w.span)
	}
	if w := newSlidingWindow(0.5); w.n != 1 || w.span != 2*time.Second {
		t.Errorf("0.5/s: %d in %s", w.n, w.span)
	}
}
