// Package flows is the conversation engine: flows made of steps, the turn
// that runs one message through them, and the words that work anywhere.
// It knows no feature: each feature (report, training, broadcast,
// reminders, privacy, menu, recap) is a package below that plugs its flows,
// menu entries and commands in, and flows/all assembles them. Flows are
// pure: they read and write through a store transaction handed to them
// and return replies; they never touch the network.
package flows

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"klabot/flows/out"
	"klabot/flows/words"
	"klabot/locales"
	"klabot/store"
)

// What klabot says lives in flows/out, so that operations shared with the
// web dashboard can produce it without importing the engine.
type (
	Option      = out.Option
	Reply       = out.Reply
	Attachment  = out.Attachment
	FileRequest = out.FileRequest
	Message     = out.Message
)

// Step is one question of a flow: what to ask, and what to do with the answer.
type Step struct {
	// Prompt builds the question from the current state. It must not change
	// anything: it is called again whenever the question is repeated.
	Prompt func(c *Ctx) Reply
	// Handle acts on the answer. choice is the key of the option picked, or
	// "" when the person typed or sent something else.
	Handle func(c *Ctx, in Input, choice string) Next
	// FreeText lets a step with options also take typed answers or media;
	// without it, anything that is not an option is asked again kindly.
	FreeText bool
	// Repeats marks a question asked again after each answer whose keys
	// mean the same every time (files sent one by one, or as an album, each
	// acknowledged with a Selesai key): a key of an earlier asking still
	// counts while the step is not left.
	Repeats bool
	// ChoiceOnly marks a step with FreeText that still acts only on its
	// options (it sees other input only to keep media or menu words): an
	// option may then be read from inside a longer sentence.
	ChoiceOnly bool
	// Again, if set, is the short line that replaces the question's text
	// (the options stay) when an answer is not one of the options: for a
	// long question, instead of a kind word and the whole question.
	Again func(c *Ctx) string
}

// Flow is a named conversation made of steps.
type Flow struct {
	ID      string
	Version int // bump when steps change meaning; old sessions restart politely
	Start   string
	Steps   map[string]*Step
	// Keep, if set, is asked before the person leaves this flow for another
	// by a command, a menu entry's name or a word that works everywhere. It
	// returns where to go, or may hold the person with a question instead
	// (a half-done report is offered to be kept).
	Keep func(c *Ctx, next Next) Next
	// Cancel, if set, replaces what "batal" does in this flow (back to the
	// main menu): a flow entered from the middle of another returns to it.
	Cancel func(c *Ctx)
	// ChildWords, if set, tells whether klabot speaks to a child in this
	// flow now: "kamu" where its texts say "Anda".
	ChildWords func(c *Ctx) bool
}

// Next says where the conversation goes after a step.
type Next struct {
	flow, step string
	stay       bool
}

// Goto moves to another step of the current flow.
func Goto(step string) Next { return Next{step: step} }

// Switch starts another flow at its first step.
func Switch(flow string) Next { return Next{flow: flow} }

// SwitchTo starts another flow at a given step.
func SwitchTo(flow, step string) Next { return Next{flow: flow, step: step} }

// Stay asks the same question again (after whatever was said).
func Stay() Next { return Next{stay: true} }

// Menu ends the flow and shows the main menu.
func Menu() Next { return Next{flow: FlowMenu} }

// State is what is remembered of a person's conversation between messages.
type State struct {
	Flow    string            `json:"flow"`
	Version int               `json:"version"`
	Step    string            `json:"step"`
	Data    map[string]string `json:"data,omitempty"`
	Back    []string          `json:"back,omitempty"` // steps to return to with "kembali"
	Seq     int               `json:"seq"`            // bumped at every question, for stale buttons
	// Asked is the Seq of the first of the askings in a row of AskedStep
	// ("flow/step"), for the keys of a step that Repeats.
	Asked     int    `json:"asked,omitempty"`
	AskedStep string `json:"asked_step,omitempty"`
	// Missed counts answers in a row that were none of the options.
	Missed  int       `json:"missed,omitempty"`
	Updated time.Time `json:"updated"`
}

// Request is one turn: a person and what they sent.
type Request struct {
	User    store.User
	New     bool // first message ever from this person
	Staff   bool
	Input   Input
	Now     time.Time
	Channel string // the channel the message came on, e.g. "telegram"
	// Received are the messages with choices the person received on
	// klabot's own since they last wrote, oldest first (received.go).
	Received []Received
}

// Config holds the settings flows need.
type Config struct {
	Location *time.Location
	// OfficeOpen tells whether the office answers now.
	OfficeOpen func(time.Time) bool
	// Random is the source of codes (report codes, invites); tests fix it.
	Random io.Reader
	// DataDir is klabot's data folder; exports for staff go under it.
	DataDir string
	// RetentionDays is KLABOT_RETENTION_DAYS, told to people who ask what
	// is stored about them (0: store.DefaultRetentionDays).
	RetentionDays int
	// WebURL is the dashboard's base address for sign-in links; "" when
	// the dashboard is off.
	WebURL string
	// WebElsewhere: this process does not serve the dashboard (the
	// console); another one, klabot run, does, and its links work while
	// that one runs.
	WebElsewhere bool
	// StaffContacts is how many staff contacts receive staff alerts. With
	// none, nobody is told that staff know.
	StaffContacts int
}

// Engine runs flows.
type Engine struct {
	cfg   Config
	flows map[string]*Flow
	// menuEntries are the main menu's options, mapped to the flow they start.
	menuEntries []MenuEntry
	// staffEntries are the staff menu's options.
	staffEntries []MenuEntry
	// commands are slash commands, e.g. "/undang", handled in any step.
	commands map[string]Command
	// listed are the commands offered in a platform's command menu, in
	// order, with the locales key of their description.
	listed []listedCommand
	// words are features' words that work anywhere (see AddWord), and
	// phrases what people type for them.
	words   map[string]func(c *Ctx) Next
	phrases map[string]string
	// textKeys are commands of received messages' keys that also read
	// typed text (a question's Jawab reads the answer): see receivedText.
	textKeys map[string]TextKey
	// menuText are tried, in turn, on text typed at the main menu that is
	// none of its options (an attendance code, a report code).
	menuText []func(c *Ctx, in Input) (Next, bool)
	// firstText are tried, in turn, on a newcomer's first message (see
	// first.go) that is no command or code.
	firstText []FirstText
	// clarifying are commands whose keys ask about what was just sent
	// (see AddClarifying).
	clarifying map[string]bool
	// isChild tells a child from an adult (see SpeaksToChildren).
	isChild func(c *Ctx) (bool, error)
}

// Command handles a typed command such as "/laporan baru"; args is the text
// after the command word. It decides itself who may use it.
type Command func(c *Ctx, args string) Next

// NewEngine makes an engine with the welcome and the features: each adds
// its flows, menu entries, commands and words, in order.
func NewEngine(cfg Config, features ...func(*Engine)) *Engine {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.OfficeOpen == nil {
		cfg.OfficeOpen = func(t time.Time) bool { return OfficeOpen(t.In(cfg.Location)) }
	}
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	e := &Engine{cfg: cfg, flows: map[string]*Flow{}, commands: map[string]Command{},
		words: map[string]func(*Ctx) Next{}, phrases: map[string]string{}, textKeys: map[string]TextKey{},
		clarifying: map[string]bool{}}
	e.Register(welcomeFlow())
	e.AddCommand(pickCommand, e.pick)
	for _, add := range features {
		add(e)
	}
	return e
}

// MenuEntry is one line of the main menu or the staff menu.
type MenuEntry struct {
	Key, Label string // Label is a locales key
	// Run acts on the choice; most entries start a flow.
	Run func(c *Ctx) Next
}

// StartFlow is an entry's Run that starts a flow.
func StartFlow(id string) func(*Ctx) Next { return func(*Ctx) Next { return Switch(id) } }

// AddMenuEntry adds an option to the main menu.
func (e *Engine) AddMenuEntry(key, labelKey string, run func(c *Ctx) Next) {
	e.menuEntries = append(e.menuEntries, MenuEntry{key, labelKey, run})
}

// AddStaffEntry adds an option to the staff menu that starts a flow.
func (e *Engine) AddStaffEntry(key, labelKey, flowID string) {
	e.AddStaffAction(key, labelKey, StartFlow(flowID))
}

// AddStaffAction adds an option to the staff menu that does something else.
func (e *Engine) AddStaffAction(key, labelKey string, run func(c *Ctx) Next) {
	e.staffEntries = append(e.staffEntries, MenuEntry{key, labelKey, run})
}

// AddCommand registers a slash command, e.g. AddCommand("undang", ...).
func (e *Engine) AddCommand(name string, cmd Command) { e.commands[name] = cmd }

type listedCommand struct{ name, descKey string }

// ListCommand offers a command in the platform's command menu (Telegram's
// "/" list), described by the text of descKey. Staff-only commands stay
// out: the list is the same for everyone.
func (e *Engine) ListCommand(name, descKey string) {
	e.listed = append(e.listed, listedCommand{name, descKey})
}

// CommandInfo is a command as a platform's command menu shows it.
type CommandInfo struct{ Name, Description string }

// Commands lists the commands to offer, described in lang: the way in
// first, each feature's in the order features were added, then the words
// that work everywhere.
func (e *Engine) Commands(lang string) []CommandInfo {
	all := []listedCommand{{"start", "command.start"}, {"menu", "command.menu"}}
	all = append(all, e.listed...)
	all = append(all, listedCommand{"batal", "command.cancel"}, listedCommand{"bantuan", "command.help"})
	out := make([]CommandInfo, len(all))
	for i, c := range all {
		out[i] = CommandInfo{Name: c.name, Description: locales.T(lang, c.descKey)}
	}
	return out
}

// AddMenuText lets a feature act on something typed at the main menu that
// is not one of its options; fn says false to leave it to others.
func (e *Engine) AddMenuText(fn func(c *Ctx, in Input) (Next, bool)) {
	e.menuText = append(e.menuText, fn)
}

// Register adds a flow. Later issues' flows plug in here.
func (e *Engine) Register(f *Flow) {
	if _, ok := f.Steps[f.Start]; !ok {
		panic(fmt.Sprintf("flow %s: start step %q missing", f.ID, f.Start))
	}
	e.flows[f.ID] = f
}

// OfficeOpen is the regency office's working time: Monday to Friday,
// 08:00 to 16:00 local time.
func OfficeOpen(t time.Time) bool {
	if t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		return false
	}
	return t.Hour() >= 8 && t.Hour() < 16
}

// Ctx is what a step sees during one turn.
type Ctx struct {
	Tx    *store.Tx
	User  store.User
	Staff bool
	Now   time.Time
	Loc   *time.Location
	// Channel is where this turn's message came from; media references
	// (Input.Media.Ref) are only meaningful on it.
	Channel string

	engine  *Engine
	state   *State
	out     []Message
	said    []string
	userMod bool
	err     error
	// tellOnly: what was said is the whole answer if the step stays.
	tellOnly bool
	// missed is State.Missed before this turn; hint asks the question
	// again as a one-line hint with its numbers.
	missed int
	hint   bool
	// once holds answers computed once in the turn (see Once).
	once map[string]bool
	// first is the message a newcomer opened with, to act on once the
	// welcome is done.
	first string
}

// Fail ends the turn with an error a step cannot recover from (the
// database failed): Run returns it, so nothing of the turn is kept and the
// person is asked to try again.
func (c *Ctx) Fail(err error) Next {
	if c.err == nil {
		c.err = err
	}
	return Stay()
}

// Failed tells whether the turn has failed (see Fail).
func (c *Ctx) Failed() bool { return c.err != nil }

// T translates a key into the person's language.
func (c *Ctx) T(key string, args ...any) string {
	if !c.childWords() {
		return locales.T(c.User.Lang, key, args...)
	}
	s := words.ChildForm(locales.T(c.User.Lang, key))
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Random is the source for codes.
func (c *Ctx) Random() io.Reader { return c.engine.cfg.Random }

// NotifyStaff queues a message to every staff member.
func (c *Ctx) NotifyStaff(priority int, r Reply) {
	c.out = append(c.out, Message{ToStaff: true, Priority: priority, Reply: r})
}

// Tell says text as the whole answer when the step then stays: the
// question on screen is not asked again, so a mistyped code does not
// reprint the report opened before as if it were the one asked for.
func (c *Ctx) Tell(text string) { c.Say(text); c.tellOnly = true }

// Misunderstood answers something that is none of the options: a kind
// word and the question again; from the second time in a row, a one-line
// hint with the numbers instead, since the same question word for word
// does not help. The options stay.
func (c *Ctx) Misunderstood(in Input) { c.MissedSaying(c.T(MisunderstoodKey(in))) }

// MissedSaying is Misunderstood with the step's own words for the miss.
func (c *Ctx) MissedSaying(text string) {
	c.state.Missed = c.missed + 1
	if c.state.Missed >= 2 && len(c.said) == 0 {
		c.hint = true
		return
	}
	c.Say(text)
}

// Say adds a line to this turn's answer, before the next question.
func (c *Ctx) Say(text string) { c.said = append(c.said, text) }

// Send queues a separate message to another person.
func (c *Ctx) Send(userID int64, priority int, r Reply) {
	c.out = append(c.out, Message{UserID: userID, Priority: priority, Reply: r})
}

// Get reads a value collected earlier in the flow.
func (c *Ctx) Get(key string) string { return c.state.Data[key] }

// Set stores a value for later steps of the flow.
func (c *Ctx) Set(key, value string) {
	if c.state.Data == nil {
		c.state.Data = map[string]string{}
	}
	c.state.Data[key] = value
}

// SetUser changes the person's record (language, role, consent...).
func (c *Ctx) SetUser(u store.User) { c.User = u; c.userMod = true }

// StaffReachable tells whether a staff alert queued now reaches anyone.
func (c *Ctx) StaffReachable() bool { return c.engine.cfg.StaffContacts > 0 }

// OfficeOpen tells whether the office is answering now.
func (c *Ctx) OfficeOpen() bool { return c.engine.cfg.OfficeOpen(c.Now) }

// Run handles one turn: global words first, then the current step. It
// loads and saves the session in tx and returns the messages to send.
func (e *Engine) Run(tx *store.Tx, req Request) ([]Message, error) {
	c := &Ctx{Tx: tx, User: req.User, Staff: req.Staff, Now: req.Now, Loc: e.cfg.Location, Channel: req.Channel, engine: e}
	raw, err := tx.Session(req.User.ID)
	if err != nil {
		return nil, err
	}
	st := &State{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, st); err != nil {
			st = &State{} // a broken session must not lock the person out
		}
	}
	c.state = st

	e.turn(c, req)
	if c.err != nil {
		return nil, c.err
	}

	st.Updated = req.Now
	encoded, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encode session: %w", err)
	}
	if err := tx.SaveSession(req.User.ID, store.SessionState{JSON: encoded, Flow: st.Flow, HasData: st.Data != nil}, req.Now); err != nil {
		return nil, err
	}
	if c.userMod {
		if err := tx.SaveUser(c.User); err != nil {
			return nil, err
		}
	}
	return c.out, nil
}

func (e *Engine) turn(c *Ctx, req Request) {
	st := c.state
	in := req.Input
	c.missed, st.Missed = st.Missed, 0

	// Someone new, or someone who never agreed to the data notice, starts
	// with the welcome; nothing is collected before consent.
	if req.New || st.Flow == "" {
		e.enter(c, FlowWelcome, "")
		keepFirstMessage(c, in)
		e.ask(c)
		return
	}
	if c.User.ConsentAt.IsZero() && st.Flow != FlowWelcome {
		// Someone who took their consent back (their data erased) starts
		// again like a newcomer: what they wrote is kept for after.
		e.enter(c, FlowWelcome, "")
		keepFirstMessage(c, in)
		e.ask(c)
		return
	}

	if in.Kind == KindEdited {
		c.Say(c.T("input.edited"))
		e.ask(c)
		return
	}
	if in.Late && e.globalWord(in) != wordStop { // "berhenti" holds whenever it was said
		c.Say(c.T("input.late"))
		e.ask(c)
		return
	}
	if word := e.globalWord(in); word != "" && !e.optionNamed(c, in, word) && e.global(c, word) {
		return
	}
	if name, args, ok := commandOf(in); ok && !c.User.ConsentAt.IsZero() {
		if cmd, found := e.commands[name]; found {
			e.follow(c, e.leaving(c, cmd(c, args)))
			return
		}
	}

	flow, step := e.current(c)
	if step == nil {
		// The stored step no longer exists (the flow changed): start over kindly.
		c.Say(c.T("flow.reset"))
		e.enter(c, FlowMenu, "")
		e.ask(c)
		return
	}

	prompt := step.Prompt(c)
	if !c.User.ConsentAt.IsZero() && (e.receivedChoice(c, flow, prompt, in, req.Received) ||
		e.receivedText(c, step, prompt, in, req.Received)) {
		return
	}
	choice, matched := "", false
	if in.Kind == KindButton && strings.HasPrefix(in.Payload, "/") {
		// A command key (e.g. "/terima LPR-…" on a staff alert) works
		// whatever the person's conversation is doing; the command itself
		// checks rights and state.
		if name, args, ok := commandOf(Input{Kind: KindText, Text: in.Payload}); ok {
			if cmd, found := e.commands[name]; found && !c.User.ConsentAt.IsZero() {
				e.follow(c, e.leaving(c, cmd(c, args)))
				return
			}
		}
		c.Say(c.T("input.stale_button"))
		e.ask(c)
		return
	}
	if in.Kind == KindButton {
		key, token, ok := strings.Cut(in.Payload, "|")
		if !ok || !currentToken(st, step, token) || !hasOption(prompt.Options, key) {
			c.Say(c.T("input.stale_button"))
			e.ask(c)
			return
		}
		choice, matched = key, true
	} else if len(prompt.Options) > 0 {
		// The exact name of a main-menu entry wins over an option that
		// merely looks like it ("ganti bahasa" is not "bahaya").
		loose := !step.FreeText || step.ChoiceOnly
		if loose && !isOptionLabel(prompt.Options, in) {
			if next, ok := e.menuWord(c, in); ok {
				e.follow(c, e.leaving(c, next))
				return
			}
		}
		choice, matched = MatchOption(prompt.Options, in, loose)
	}
	if !matched && len(prompt.Options) > 0 && !step.FreeText {
		if next, ok := e.menuWord(c, in); ok {
			e.follow(c, e.leaving(c, next))
			return
		}
		if step.Again != nil {
			prompt.Text = step.Again(c)
			e.put(c, prompt)
			return
		}
		c.Misunderstood(in)
		e.ask(c)
		return
	}
	next := step.Handle(c, in, choice)
	if first := c.first; first != "" {
		c.first = ""
		e.actOnFirst(c, first)
		return
	}
	e.follow(c, next)
}

// optionNamed tells whether typed text that is a word working everywhere
// names, in whole words, an option of the question on screen: "batalkan"
// at "Batalkan daftar" picks that option rather than leaving. "Menu"
// always leads to the main menu, as klabot promises, and stopping
// messages holds whatever the question.
func (e *Engine) optionNamed(c *Ctx, in Input, word string) bool {
	if word == wordMenu || word == wordStop || word == wordResume || c.User.ConsentAt.IsZero() {
		return false
	}
	if _, _, ok := commandOf(in); ok || in.Kind != KindText {
		return false
	}
	_, step := e.current(c)
	if step == nil {
		return false
	}
	typed := strings.Fields(Normalize(in.Text))
	for _, o := range step.Prompt(c).Options {
		if _, ok := wordsWithin(typed, strings.Fields(Normalize(o.Label)), false); ok && len(typed) > 0 {
			return true
		}
	}
	return false
}

// isMenuWord tells whether typed text is the name of a main-menu entry.
func (e *Engine) isMenuWord(c *Ctx, in Input) bool {
	text := Normalize(in.Text)
	for _, m := range e.menuEntries {
		if text == m.Key || text == Normalize(c.T(m.Label)) {
			return true
		}
	}
	return false
}

// menuWord takes the name of a main-menu entry ("pelatihan", "Cek status
// laporan") typed where the choices on screen are others: the person
// wants that entry, as at the main menu. Only whole names count. A step
// that takes free text reads such names itself.
func (e *Engine) menuWord(c *Ctx, in Input) (Next, bool) {
	if in.Kind != KindText || c.User.ConsentAt.IsZero() || c.state.Flow == FlowMenu {
		return Next{}, false
	}
	text := Normalize(in.Text)
	for _, m := range e.menuEntries {
		if text == m.Key || text == Normalize(c.T(m.Label)) {
			return m.Run(c), true
		}
	}
	return Next{}, false
}

// leaving lets the current flow keep the person before next takes them
// elsewhere.
func (e *Engine) leaving(c *Ctx, next Next) Next {
	if f := e.flows[c.state.Flow]; f != nil && f.Keep != nil && next.flow != "" {
		return f.Keep(c, next)
	}
	return next
}

// follow applies a step's Next and asks the next question.
func (e *Engine) follow(c *Ctx, next Next) {
	switch {
	case next.stay && c.tellOnly && len(c.said) > 0:
		// Keys on screen stay valid: the question was not asked again.
		c.out = append([]Message{{Reply: Reply{Text: strings.Join(c.said, "\n\n")}}}, c.out...)
		c.said = nil
		return
	case next.stay:
	case next.flow != "":
		e.enter(c, next.flow, next.step)
	case next.step != "":
		// The step is of the flow the person is in now: a command may
		// have entered another flow before going to one of its steps.
		if f := e.flows[c.state.Flow]; f == nil || f.Steps[next.step] == nil {
			panic(fmt.Sprintf("flow %s: no step %q", c.state.Flow, next.step))
		}
		c.state.Back = append(c.state.Back, c.state.Step)
		c.state.Step = next.step
	}
	e.ask(c)
}

// enter starts a flow (at step, or its start), forgetting the previous one.
func (e *Engine) enter(c *Ctx, flowID, step string) {
	f, ok := e.flows[flowID]
	if !ok {
		// A menu entry whose feature is not built yet.
		c.Say(c.T("menu.not_ready"))
		f = e.flows[FlowMenu]
	}
	if step == "" {
		step = f.Start
	}
	c.state.Flow, c.state.Version, c.state.Step = f.ID, f.Version, step
	c.state.Data, c.state.Back = nil, nil
	c.state.AskedStep = "" // entered anew: earlier keys are stale
}

// currentToken tells whether a key's token is of the question asked now,
// or, for a step that Repeats, of an earlier asking of it in a row.
func currentToken(st *State, step *Step, token string) bool {
	n, err := strconv.Atoi(token)
	if err != nil {
		return false
	}
	first := st.Seq
	if step.Repeats && st.Asked > 0 && st.AskedStep == st.Flow+"/"+st.Step {
		first = st.Asked
	}
	return n >= first && n <= st.Seq
}

// ask sends what was said this turn together with the current question, as
// one message: fewer messages cost less data and arrive in order.
func (e *Engine) ask(c *Ctx) {
	_, step := e.current(c)
	var r Reply
	if step != nil {
		r = step.Prompt(c)
	}
	if c.hint && len(r.Options) > 0 {
		r.Text = c.T("input.hint_numbers", len(r.Options))
	}
	e.put(c, r)
}

// put sends what was said this turn together with the question r.
func (e *Engine) put(c *Ctx, r Reply) {
	c.state.Seq++
	if at := c.state.Flow + "/" + c.state.Step; at != c.state.AskedStep {
		c.state.Asked, c.state.AskedStep = c.state.Seq, at
	}
	r.Token = strconv.Itoa(c.state.Seq)
	parts := append([]string{}, c.said...)
	if r.Text != "" {
		parts = append(parts, r.Text)
	}
	r.Text = strings.Join(parts, "\n\n")
	c.said = nil
	c.out = append([]Message{{Reply: r}}, c.out...)
}

func (e *Engine) current(c *Ctx) (*Flow, *Step) {
	f, ok := e.flows[c.state.Flow]
	if !ok || f.Version != c.state.Version {
		return f, nil
	}
	return f, f.Steps[c.state.Step]
}

func hasOption(opts []Option, key string) bool {
	for _, o := range opts {
		if o.Key == key {
			return true
		}
	}
	return false
}

// MisunderstoodKey picks the kind "I did not understand" for what was sent.
func MisunderstoodKey(in Input) string {
	switch in.Kind {
	case KindText:
		return "input.choose_option"
	case KindSticker:
		return "input.sticker"
	case KindPhoto, KindVoice, KindVideo, KindDocument:
		return "input.media_not_needed"
	default:
		return "input.not_understood"
	}
}
