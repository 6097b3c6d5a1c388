package message

import (
	"sync"
	"time"
)

// Health is a channel's connection as its adapter last saw it, kept up to
// date by the adapter as it changes and read by the dashboard's /healthz.
// Safe for concurrent use. A nil *Health ignores updates, so an adapter
// given none works as before. The zero value is not connected.
type Health struct {
	mu      sync.Mutex
	state   HealthState
	changed chan struct{}
}

// HealthState is a snapshot of a Health.
type HealthState struct {
	Connected bool
	// LastError is the kind of the latest failure ("network",
	// "unauthorized", "logged_out"…), kept after the channel recovers.
	// Never a token, an address or a person.
	LastError string
	// ErrorAt is when LastError happened.
	ErrorAt time.Time
}

// Up records that the channel works.
func (h *Health) Up() {
	h.set(func(s *HealthState) { s.Connected = true })
}

// Down records that the channel does not work, with the kind of failure.
func (h *Health) Down(kind string, at time.Time) {
	h.set(func(s *HealthState) { s.Connected, s.LastError, s.ErrorAt = false, kind, at })
}

func (h *Health) set(change func(*HealthState)) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	before := h.state
	change(&h.state)
	// Only a change wakes the waiters: a poll that works again and again
	// is no news.
	if h.state.Connected != before.Connected || h.state.LastError != before.LastError {
		if h.changed != nil {
			close(h.changed)
			h.changed = nil
		}
	}
}

// State is the channel's state now.
func (h *Health) State() HealthState {
	if h == nil {
		return HealthState{}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.state
}

// Changed is closed at the next change of connection or error kind: take
// it before reading State to wait for a state without missing one.
func (h *Health) Changed() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.changed == nil {
		h.changed = make(chan struct{})
	}
	return h.changed
}
