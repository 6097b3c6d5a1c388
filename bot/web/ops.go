package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"klabot/store"
)

// healthz answers 200 with each channel's state when the database
// answers, 503 when it does not. It names no person.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if err := s.db.Ping(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "database": "down"})
		return
	}
	channels := []ChannelState{}
	if s.cfg.Channels != nil {
		channels = s.cfg.Channels()
	}
	for i := range channels {
		if channels[i].LastError == "" {
			msg, err := s.db.LastSendError(r.Context(), channels[i].Name)
			if err == nil && msg != "" {
				channels[i].LastError = store.SendErrorKind(msg)
			}
		}
	}
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "database": "up", "channels": channels})
}

// metrics writes Prometheus' text format. Without KLABOT_WEB_METRICS=on it
// needs a staff sign-in.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.Metrics {
		if u, ok := s.session(r); !ok || !u.Staff {
			http.Error(w, "sign in as staff, or turn on KLABOT_WEB_METRICS", http.StatusUnauthorized)
			return
		}
	}
	ctx := r.Context()
	var b bytes.Buffer
	metric := func(name, kind, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind)
	}
	in, err := s.db.InboundCount(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	metric("klabot_messages_in", "gauge", "Inbound messages received in the last week, by channel.")
	for _, ch := range sortedKeys(in) {
		fmt.Fprintf(&b, "klabot_messages_in{channel=%q} %d\n", ch, in[ch])
	}
	figures, err := s.db.OutboxFigures(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	metric("klabot_messages_out_total", "counter", "Messages sent, by channel.")
	for _, f := range figures {
		if f.State == "sent" {
			fmt.Fprintf(&b, "klabot_messages_out_total{channel=%q,priority=\"%d\"} %d\n", f.Channel, f.Priority, f.N)
		}
	}
	metric("klabot_outbox_depth", "gauge", "Messages waiting to be sent, by channel and priority (0 replies, 1 alerts, 2 reminders, 3 broadcasts).")
	for _, f := range figures {
		if f.State == "pending" {
			fmt.Fprintf(&b, "klabot_outbox_depth{channel=%q,priority=\"%d\"} %d\n", f.Channel, f.Priority, f.N)
		}
	}
	errs, err := s.db.SendErrors(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	metric("klabot_send_errors", "gauge", "Messages that met a send error (retried or failed), by channel and kind.")
	var keys [][2]string
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(&b, "klabot_send_errors{channel=%q,kind=%q} %d\n", k[0], k[1], errs[k])
	}
	var lines []string
	err = s.db.View(ctx, func(tx *store.Tx) error {
		list, err := tx.RecentBroadcasts(20)
		if err != nil {
			return err
		}
		for _, bc := range list {
			if bc.State != store.BroadcastSending && bc.State != store.BroadcastPaused && bc.State != store.BroadcastScheduled {
				continue
			}
			p, err := tx.ProgressOf(bc.ID)
			if err != nil {
				return err
			}
			for _, st := range []struct {
				name string
				n    int
			}{{"total", p.Total}, {"sent", p.Sent}, {"failed", p.Failed}, {"pending", p.Pending()}, {"cancelled", p.Cancelled}} {
				lines = append(lines, fmt.Sprintf("klabot_broadcast_recipients{broadcast=\"%d\",state=%q} %d", bc.ID, st.name, st.n))
			}
		}
		return nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	metric("klabot_broadcast_recipients", "gauge", "Recipients of broadcasts not finished, by state.")
	if len(lines) > 0 {
		b.WriteString(strings.Join(lines, "\n") + "\n")
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Write(b.Bytes())
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
