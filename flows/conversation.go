package flows

import (
	"encoding/json"

	"klabot/flows/ops"
)

// What a feature may do with the conversation beyond saying and
// remembering: where the person is, moving them, and the entries and
// commands other features added. Features live in packages of their own
// and see the engine only through these.

// FlowID is the flow the person is in.
func (c *Ctx) FlowID() string { return c.state.Flow }

// StepID is the step the person is at.
func (c *Ctx) StepID() string { return c.state.Step }

// MoveTo changes the step now, remembering this one for "kembali", for a
// hook that answers with Stay.
func (c *Ctx) MoveTo(step string) {
	c.state.Back = append(c.state.Back, c.state.Step)
	c.state.Step = step
}

// PopBack takes the step "kembali" would return to off the list; false
// when there is none.
func (c *Ctx) PopBack() (string, bool) {
	n := len(c.state.Back)
	if n == 0 {
		return "", false
	}
	step := c.state.Back[n-1]
	c.state.Back = c.state.Back[:n-1]
	return step, true
}

// SetStep puts the person at step without remembering the current one.
func (c *Ctx) SetStep(step string) { c.state.Step = step }

// Restart puts the person at step with nothing to go back to: a home
// screen reached again.
func (c *Ctx) Restart(step string) {
	c.state.Back = nil
	c.state.Step = step
}

// ForgetBack forgets the steps "kembali" would return to.
func (c *Ctx) ForgetBack() { c.state.Back = nil }

// ClearData forgets what the flow collected so far.
func (c *Ctx) ClearData() { c.state.Data = nil }

// Enter starts flowID at step ("" for its start) now, forgetting the
// current flow, for a hook that answers with Stay.
func (c *Ctx) Enter(flowID, step string) { c.engine.enter(c, flowID, step) }

// Current is the flow and step the person is at; the step is nil when it
// no longer exists.
func (c *Ctx) Current() (*Flow, *Step) { return c.engine.current(c) }

// Config is the engine's settings.
func (c *Ctx) Config() Config { return c.engine.cfg }

// Snapshot is the whole conversation as it stands, to come back to with
// Resume after a detour (answering a question from staff).
func (c *Ctx) Snapshot() string {
	raw, err := json.Marshal(c.state)
	if err != nil {
		return ""
	}
	return string(raw)
}

// Resume returns to a Snapshot; false when there is nothing to return
// to, or it was taken in flow skip (the detour itself). Keys shown
// meanwhile stay stale.
func (c *Ctx) Resume(snapshot, skip string) bool {
	var saved State
	if err := json.Unmarshal([]byte(snapshot), &saved); err != nil || saved.Flow == "" || saved.Flow == skip {
		return false
	}
	saved.Seq = c.state.Seq
	saved.AskedStep = ""
	*c.state = saved
	return true
}

// PromptOf is the question flowID's step would ask with data, without
// going there: a view sent as a message of its own.
func (c *Ctx) PromptOf(flowID, step string, data map[string]string) Reply {
	orig := c.state
	defer func() { c.state = orig }()
	c.state = &State{Flow: flowID, Step: step, Data: data}
	return c.engine.flows[flowID].Steps[step].Prompt(c)
}

// RunCommand runs a command written as typed, e.g. "/buka LPR-…": a
// command key chosen by its number on a channel without buttons.
func (c *Ctx) RunCommand(text string) (Next, bool) {
	name, args, ok := commandOf(Input{Kind: KindText, Text: text})
	if !ok {
		return Next{}, false
	}
	cmd, found := c.engine.commands[name]
	if !found {
		return Next{}, false
	}
	return cmd(c, args), true
}

// MenuWord is the main-menu entry named by typed text, as if chosen there.
func (c *Ctx) MenuWord(in Input) (Next, bool) { return c.engine.menuWord(c, in) }

// MenuEntries are the main menu's entries, in order.
func (c *Ctx) MenuEntries() []MenuEntry { return c.engine.menuEntries }

// StaffEntries are the staff menu's entries, in order.
func (c *Ctx) StaffEntries() []MenuEntry { return c.engine.staffEntries }

// MenuText offers text typed at the main menu that is none of its
// options to the features that read such text (codes).
func (c *Ctx) MenuText(in Input) (Next, bool) {
	for _, fn := range c.engine.menuText {
		if next, ok := fn(c, in); ok {
			return next, true
		}
	}
	return Next{}, false
}

// Queue adds a message to this turn's, e.g. one sent apart from the
// question (Separate).
func (c *Ctx) Queue(m Message) { c.out = append(c.out, m) }

// Deliver queues the messages an operation owes people.
func (c *Ctx) Deliver(res ops.Result) { c.out = append(c.out, res.Messages...) }

// Actor is the person of this turn as the staff operations see them.
func (c *Ctx) Actor() ops.Actor { return ops.Actor{UserID: c.User.ID, Staff: c.Staff} }

// Once computes fn the first time key is asked for in this turn, for an
// answer that needs the database and cannot change within a turn.
func (c *Ctx) Once(key string, fn func() bool) bool {
	if v, ok := c.once[key]; ok {
		return v
	}
	if c.once == nil {
		c.once = map[string]bool{}
	}
	c.once[key] = fn()
	return c.once[key]
}

// FlowID is the flow a Next leads to; "" when it stays in the flow.
func (n Next) FlowID() string { return n.flow }

// StepID is the step a Next leads to; "" for a flow's start or staying.
func (n Next) StepID() string { return n.step }
