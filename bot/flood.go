package bot

import "time"

// floodState counts one person's recent messages.
type floodState struct {
	times       []time.Time // arrivals within the window
	silentUntil time.Time
}

// flooded records a message from key. silent says to ignore it; warn says
// it is the first ignored one, which gets a single polite warning.
func (d *Dispatcher) flooded(key string, now time.Time) (warn, silent bool) {
	st := d.flood[key]
	if st == nil {
		if len(d.flood) > 10000 {
			d.pruneFlood(now)
		}
		st = &floodState{}
		d.flood[key] = st
	}
	if now.Before(st.silentUntil) {
		return false, true
	}
	cutoff := now.Add(-d.cfg.FloodWindow)
	kept := st.times[:0]
	for _, t := range st.times {
		if t.After(cutoff) {
			kept = append(kept, t)
		}
	}
	st.times = append(kept, now)
	if len(st.times) > d.cfg.FloodLimit {
		st.times = nil
		st.silentUntil = now.Add(d.cfg.FloodPause)
		return true, true
	}
	return false, false
}

// pruneFlood forgets people who have been quiet for a while, so the map
// does not grow without end.
func (d *Dispatcher) pruneFlood(now time.Time) {
	for k, st := range d.flood {
		quiet := len(st.times) == 0 || now.Sub(st.times[len(st.times)-1]) > d.cfg.FloodWindow
		if quiet && now.After(st.silentUntil) {
			delete(d.flood, k)
		}
	}
}
