package report

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"klabot/flows"
	"klabot/flows/ops"
	"klabot/flows/place"
	"klabot/flows/words"
	"klabot/locales"
	"klabot/store"
)

// The report flow: what happened, where, to how many children, evidence,
// anonymity, a summary to confirm, and a code. The draft lives in the
// session (Ctx.Get/Set), so it survives restarts and interruptions; only
// BATAL, an answer to the "leave the report?" question (or three days of
// silence) discards it.

// Draft keys.
const (
	dCategory  = "cat"
	dGroup     = "group"
	dUrgent    = "urgent"
	dAlerted   = "alerted" // staff were told an urgent report is being filled in
	dPlaceNote = "place_note"
	dDesc      = "desc"
	dDescMedia = "desc_media" // the story came as a voice note or photo
	dChildren  = "children"
	dAge       = "age"
	dMedia     = "media" // JSON list of draftMedia
	dAnon      = "anon"
	dName      = "name"
	dChild     = "child"      // a child reporter chose anonymity at the start
	dEditing   = "editing"    // came from the summary: go back there after a step
	dLeaveFlow = "leave_flow" // where MENU or a command wanted to go mid-draft
	dLeaveStep = "leave_step"
)

// storyAtCategory is how long text typed at the category question must be
// to be kept as the story.
const storyAtCategory = 60

// Limits on what is kept from a draft.
const (
	maxDescRunes      = 10000
	maxPlaceNoteRunes = 500
	maxNameRunes      = 60
	maxAgeRunes       = 60
	maxDraftMedia     = 10
	// MaxMediaBytes is the largest evidence file kept; Telegram's cloud Bot
	// API does not hand out bigger files either.
	MaxMediaBytes = 20 << 20
)

// draftMedia is an evidence file received during the draft, by reference.
type draftMedia struct {
	Kind    flows.Kind `json:"kind"`
	Channel string     `json:"channel"`
	Ref     string     `json:"ref"`
	Mime    string     `json:"mime,omitempty"`
	Size    int64      `json:"size,omitempty"`
	Caption string     `json:"caption,omitempty"`
}

var ageOptions = []words.Choice{
	{Key: "u5", Label: "report.age.u5"},
	{Key: "5_12", Label: "report.age.5_12"},
	{Key: "13_15", Label: "report.age.13_15"},
	{Key: "16_17", Label: "report.age.16_17"},
	{Key: "mixed", Label: "report.age.mixed"},
	{Key: "unknown", Label: "report.age.unknown"},
}

// childrenOptions are shared with the staff's report card (flows/words).
var childrenOptions = words.ChildrenOptions

var editOptions = []words.Choice{
	{Key: "category", Label: "report.edit.category"},
	{Key: "place", Label: "report.edit.place"},
	{Key: "description", Label: "report.edit.description"},
	{Key: "children", Label: "report.edit.children"},
	{Key: "age", Label: "report.edit.age"},
	{Key: "evidence", Label: "report.edit.evidence"},
	{Key: "anonymous", Label: "report.edit.anonymous"},
}

// Add plugs in reporting, following one's reports, and the staff and
// volunteer views of them.
func Add(e *flows.Engine) {
	e.Register(reportFlow())
	e.Register(statusFlow())
	e.AddCommand("lapor", func(c *flows.Ctx, args string) flows.Next { return flows.Switch(flows.FlowReport) })
	e.ListCommand("lapor", "command.lapor")
	e.AddMenuText(reportCodeAtMenu)
	e.AddFirstText(storyFirst)
	addReportStaff(e)
}

// storyFirst: a newcomer's first message that tells what happened starts
// a report with the sentence kept as its story, as does one asking to
// report.
func storyFirst(c *flows.Ctx, text, entry string) (flows.Next, bool) {
	in := flows.Input{Kind: flows.KindText, Text: text}
	story := isMoreStory(in)
	if entry != "lapor" && (!story || otherWish[entry]) {
		return flows.Next{}, false
	}
	c.Enter(flows.FlowReport, "")
	if story {
		addToStory(c, text)
		c.Say(c.T("report.story_kept"))
	}
	return flows.Stay(), true
}

// otherWish are the main-menu entries that a sentence naming them asks
// for even when it is long: "mau daftar pelatihan forum anak di Ledo" is
// no report. Help and information words ("tolong", "darurat") are said
// in stories too, so those go to a report.
var otherWish = map[string]bool{"pelatihan": true, "pengingat": true, "status": true, "bahasa": true}

// reportCodeAtMenu opens a report whose code is typed at the main menu: the
// reporter's own (or "not found"), or any report for staff and volunteers
// (with their usual rights). Only text with the LPR prefix counts, so that
// an eight-letter word is never read as a code.
func reportCodeAtMenu(c *flows.Ctx, in flows.Input) (flows.Next, bool) {
	if in.Kind != flows.KindText || !strings.Contains(strings.ToUpper(in.Text), store.ReportCodePrefix) {
		return flows.Next{}, false
	}
	code, ok := store.ParseReportCode(in.Text)
	if !ok {
		return flows.Next{}, false
	}
	role, err := reportRole(c)
	if err != nil {
		return c.Fail(err), true
	}
	if role != "" {
		return cmdOpen(c, code), true
	}
	return ownStatus(c, code), true
}

func reportFlow() *flows.Flow {
	steps := map[string]*flows.Step{
		"category": draftGuard(&flows.Step{
			Prompt: func(c *flows.Ctx) flows.Reply {
				if askChildFirst(c) {
					return childAnonPrompt(c)
				}
				return flows.Reply{Text: c.T("report.category_question"), Options: firstCategoryOptions(c.T)}
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				if askChildFirst(c) {
					return childAnonChoice(c, in, choice)
				}
				if choice == "" {
					// A telling of the case is its story, whether or not
					// it also names the kind of case; a short phrase
					// ("anak kerja di sawit") only names it, and the
					// story is asked for later.
					story := isMoreStory(in) && utf8.RuneCountInString(in.Text) >= storyAtCategory
					if story {
						addToStory(c, in.Text)
						c.Say(c.T("report.story_kept"))
					}
					key, ok := namedCategory(c.T, in)
					switch {
					case ok:
						choice = key
					case story:
						return flows.Stay()
					default:
						c.Misunderstood(in)
						return flows.Stay()
					}
				}
				if group, ok := strings.CutPrefix(choice, "group:"); ok {
					c.Set(dGroup, group)
					return flows.Goto("category_group")
				}
				return chooseCategory(c, choice)
			},
		}, guardOptions|guardFreeText),
		"category_group": draftGuard(&flows.Step{
			Prompt: func(c *flows.Ctx) flows.Reply {
				r := flows.Reply{Options: groupOptions(c.Get(dGroup), c.T)}
				for _, g := range words.CategoryGroups {
					if g.Key == c.Get(dGroup) {
						r.Text = c.T(g.Question)
					}
				}
				return r
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next { return chooseCategory(c, choice) },
		}, guardOptions),
		"urgent": draftGuard(&flows.Step{
			Prompt: func(c *flows.Ctx) flows.Reply {
				return flows.Reply{Text: c.T("report.urgent_question"), Options: []flows.Option{
					{Key: "yes", Label: c.T("report.urgent_yes")},
					{Key: "no", Label: c.T("report.urgent_no")},
				}}
			},
			Handle: handleUrgent,
		}, guardOptions),
		"place_note": draftGuard(&flows.Step{
			Prompt: func(c *flows.Ctx) flows.Reply {
				return flows.Reply{Text: c.T("report.place_note_question"), Options: []flows.Option{{Key: "skip", Label: c.T("report.skip")}}}
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				if choice == "skip" {
					c.Set(dPlaceNote, "")
					return reportNext(c, storyStep(c))
				}
				note, ok := typedText(in, maxPlaceNoteRunes)
				if !ok {
					c.Say(c.T("report.place_note_empty"))
					return flows.Stay()
				}
				c.Set(dPlaceNote, note)
				return reportNext(c, storyStep(c))
			},
		}, guardFreeText),
		"description": draftGuard(&flows.Step{
			Prompt: func(c *flows.Ctx) flows.Reply { return flows.Reply{Text: c.T("report.desc_question")} },
			Handle: handleDescription,
		}, guardFreeText|guardOwnMedia),
		"children": draftGuard(&flows.Step{
			Prompt: func(c *flows.Ctx) flows.Reply {
				return flows.TableReply(c, "report.children_question", childrenOptions)
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				if choice == "" {
					// A count beyond the list, typed: "7", "7 anak".
					n, ok := leadingNumber(flows.Normalize(in.Text))
					if !ok || n < 1 || n > 999 {
						c.Say(c.T("report.children_invalid"))
						return flows.Stay()
					}
					choice = strconv.Itoa(n)
				}
				c.Set(dChildren, choice)
				return reportNext(c, "age")
			},
		}, guardFreeText|guardStory),
		"age": draftGuard(&flows.Step{
			Prompt: func(c *flows.Ctx) flows.Reply { return flows.TableReply(c, "report.age_question", ageOptions) },
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				if choice == "" {
					// Typed ages are kept as written: "12 dan 14 tahun".
					age, ok := typedText(in, maxAgeRunes)
					if !ok {
						c.Say(c.T("report.age_invalid"))
						return flows.Stay()
					}
					choice = age
				}
				c.Set(dAge, choice)
				return reportNext(c, "evidence")
			},
		}, guardFreeText|guardStory),
		"evidence": draftGuard(&flows.Step{
			Repeats: true,
			Prompt: func(c *flows.Ctx) flows.Reply {
				if n := len(draftMediaOf(c)); n > 0 {
					return flows.Reply{Text: c.T("report.evidence_more", n), Options: []flows.Option{{Key: "done", Label: c.T("report.done")}}}
				}
				return flows.Reply{Text: c.T("report.evidence_question"), Options: []flows.Option{{Key: "skip", Label: c.T("report.skip")}}}
			},
			Handle: handleEvidence,
		}, guardFreeText|guardOwnMedia|guardStory),
		"anonymous": draftGuard(&flows.Step{
			Prompt: func(c *flows.Ctx) flows.Reply {
				return flows.Reply{Text: c.T("report.anon_question"), Options: []flows.Option{
					{Key: "anon", Label: c.T("report.anon_yes")},
					{Key: "named", Label: c.T("report.anon_no")},
				}}
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				if choice == "anon" {
					c.Set(dAnon, "1")
					return flows.Goto("confirm")
				}
				c.Set(dAnon, "0")
				if c.User.Name == "" && c.Get(dName) == "" && c.Get(dChild) == "" {
					return flows.Goto("name")
				}
				return flows.Goto("confirm")
			},
		}, guardOptions),
		"name": draftGuard(&flows.Step{
			Prompt: func(c *flows.Ctx) flows.Reply { return flows.Reply{Text: c.T("report.name_question")} },
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				name, ok := typedText(in, maxNameRunes)
				if !ok {
					c.Say(c.T("report.name_invalid"))
					return flows.Stay()
				}
				c.Set(dName, name)
				return flows.Goto("confirm")
			},
		}, guardFreeText),
		"confirm": draftGuard(&flows.Step{
			Prompt: func(c *flows.Ctx) flows.Reply {
				return flows.Reply{Text: c.T("report.summary", draftSummary(c)), Options: []flows.Option{
					{Key: "send", Label: c.T("report.send")},
					{Key: "edit", Label: c.T("report.edit")},
					{Key: "cancel", Label: c.T("report.cancel")},
				}}
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				switch choice {
				case "send":
					return submitReport(c)
				case "edit":
					c.Set(dEditing, "1")
					return flows.Goto("edit")
				}
				c.Say(c.T("report.cancelled"))
				return flows.Menu()
			},
		}, guardOptions),
		"leave": draftGuard(&flows.Step{
			Prompt: leavePrompt,
			Handle: leaveChoice,
		}, guardOptions),
		"edit": draftGuard(&flows.Step{
			Prompt: func(c *flows.Ctx) flows.Reply { return flows.TableReply(c, "report.edit_question", editOptions) },
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				if choice == "place" {
					for _, k := range []string{place.Kec, place.Desa, place.Lat, place.Lon} {
						c.Set(k, "")
					}
					return flows.Goto("kec")
				}
				return flows.Goto(choice)
			},
		}, guardOptions),
	}
	for name, s := range place.Steps(place.Options{Next: "place_note", AllowPin: true, MayNotKnowDesa: true, MayNotKnowKec: true}) {
		steps[name] = draftGuard(s, guardFreeText)
	}
	return &flows.Flow{ID: flows.FlowReport, Version: 1, Start: "category", Steps: steps, Keep: keepDraft, ChildWords: speaksToChild}
}

// after is the step that follows, or the summary when the person came to
// change one answer from there.
func reportNext(c *flows.Ctx, next string) flows.Next {
	if c.Get(dEditing) != "" {
		return flows.Goto("confirm")
	}
	return flows.Goto(next)
}

func chooseCategory(c *flows.Ctx, key string) flows.Next {
	if _, ok := words.CategoryByKey(key); !ok {
		return flows.Stay()
	}
	c.Set(dCategory, key)
	return reportNext(c, "urgent")
}

// handleUrgent puts a child in danger first: the emergency numbers at
// once, the report marked urgent, and staff told straight away (without
// who is reporting), before the rest of the questions.
func handleUrgent(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	if choice != "yes" {
		c.Set(dUrgent, "")
		return flows.Goto("kec")
	}
	c.Set(dUrgent, "1")
	if c.Get(dAlerted) == "" {
		c.Set(dAlerted, "1")
		c.NotifyStaff(store.PriorityAlert, flows.Reply{Text: flows.StaffT("report.staff_urgent_draft", words.CategoryName(locales.Default, c.Get(dCategory)))})
	}
	// Only say staff know when someone is there to read the alert now.
	then := "report.urgent_go_on"
	switch {
	case !c.OfficeOpen():
		then = "report.urgent_closed"
	case c.StaffReachable():
		then = "report.urgent_staff_told"
	}
	c.Say(c.T("report.urgent_numbers") + "\n\n" + c.T(then))
	return flows.Goto("kec")
}

// storyStep asks what happened, unless the person told it already (in the
// message they started with): then the summary shows it, to change there.
func storyStep(c *flows.Ctx) string {
	if c.Get(dDesc) != "" {
		return "children"
	}
	return "description"
}

func handleDescription(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	if in.HasMedia() {
		if !keepDraftMedia(c, in) {
			return flows.Stay()
		}
		c.Set(dDescMedia, "1")
		c.Say(c.T("report.desc_media_kept"))
		return reportNext(c, "children")
	}
	if in.Kind != flows.KindText {
		c.Say(c.T("report.desc_need_text"))
		return flows.Stay()
	}
	text := strings.TrimSpace(in.Text)
	if flows.Normalize(text) == "" {
		c.Say(c.T("report.desc_empty"))
		return flows.Stay()
	}
	if utf8.RuneCountInString(text) > maxDescRunes {
		text = string([]rune(text)[:maxDescRunes])
		c.Say(c.T("report.desc_cut", maxDescRunes))
	}
	c.Set(dDesc, text)
	return reportNext(c, "children")
}

func handleEvidence(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	switch {
	case choice == "skip" || choice == "done":
		return reportNext(c, anonymityStep(c))
	case in.HasMedia():
		keepDraftMedia(c, in)
		return flows.Stay()
	case in.Kind == flows.KindText && noEvidenceWords[flows.Normalize(in.Text)]:
		return reportNext(c, anonymityStep(c))
	}
	c.Say(c.T("report.evidence_need_file"))
	return flows.Stay()
}

// noneWords say "there is nothing" where evidence is asked for.
var noEvidenceWords = map[string]bool{
	"tidak": true, "tidak ada": true, "tdk ada": true, "gak ada": true, "ga ada": true, "nggak ada": true,
	"enggak ada": true, "belum ada": true, "no": true, "none": true, "nothing": true, "tidak punya": true,
}

// Guard flags: what a report step does with input its options do not cover.
const (
	guardOptions  = 0
	guardFreeText = 1 << iota // the step reads typed text itself
	guardOwnMedia             // the step takes files itself
	guardStory                // long typed text is more of the story, not an answer
)

// guard gives every report step the same kindness: a greeting or "lanjut"
// in the middle of a draft shows the question again and says the draft is
// kept; a file sent where text was asked is kept as evidence, not dropped;
// long text sent after the story is added to the story; anything else a
// step with options does not understand is asked again kindly.
func draftGuard(s *flows.Step, flags int) *flows.Step {
	handle := s.Handle
	choiceOnly := flags&(guardFreeText|guardStory) == 0
	return &flows.Step{Prompt: s.Prompt, FreeText: true, ChoiceOnly: choiceOnly, Repeats: s.Repeats, Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
		if choice != "" {
			return handle(c, in, choice)
		}
		if m, ok := typedMenuEntry(c, in); ok {
			return keepDraft(c, m.Run(c))
		}
		switch {
		case flows.IsGreeting(in):
			c.Say(c.T("report.draft_kept"))
			return flows.Stay()
		case in.HasMedia() && flags&guardOwnMedia == 0:
			if keepDraftMedia(c, in) {
				c.Say(c.T("report.media_kept"))
			}
			return flows.Stay()
		case flags&guardStory != 0 && isMoreStory(in):
			addToStory(c, in.Text)
			c.Say(c.T("report.added_to_story"))
			return flows.Stay()
		case flags&guardFreeText == 0:
			c.Misunderstood(in)
			return flows.Stay()
		}
		return handle(c, in, choice)
	}}
}

// typedMenuEntry is the main-menu entry whose label the person typed, word
// for word ("Pelatihan", "cek status laporan"): they want to go there, not
// to answer the report's question with it.
func typedMenuEntry(c *flows.Ctx, in flows.Input) (flows.MenuEntry, bool) {
	if in.Kind != flows.KindText {
		return flows.MenuEntry{}, false
	}
	text := flows.Normalize(in.Text)
	for _, m := range c.MenuEntries() {
		if text != "" && flows.Normalize(c.T(m.Label)) == text {
			return m, true
		}
	}
	return flows.MenuEntry{}, false
}

// keepDraft stops MENU, /start, a command or a main-menu choice that leads
// elsewhere from wiping a half-done report: the person is first asked
// whether to go on with it, start over, or leave it. Where nothing would
// be lost, next is returned as it is; so it is when the person is at that
// question already (saying MENU again is leaving).
func keepDraft(c *flows.Ctx, next flows.Next) flows.Next {
	if next.FlowID() == "" || c.Get(dCategory) == "" {
		return next
	}
	if c.StepID() == "leave" {
		c.Say(c.T("report.left"))
		return next
	}
	c.Set(dLeaveFlow, next.FlowID())
	c.Set(dLeaveStep, next.StepID())
	c.MoveTo("leave")
	return flows.Stay()
}

func leavePrompt(c *flows.Ctx) flows.Reply {
	r := flows.Reply{Text: c.T("report.leave_question"), Options: []flows.Option{
		{Key: "continue", Label: c.T("report.leave_continue")},
		{Key: "restart", Label: c.T("report.leave_restart")},
	}}
	switch c.Get(dLeaveFlow) {
	case flows.FlowReport: // "start over" is where they wanted to go
	case flows.FlowMenu:
		r.Options = append(r.Options, flows.Option{Key: "leave", Label: c.T("report.leave_menu")})
	default:
		r.Options = append(r.Options, flows.Option{Key: "leave", Label: c.T("report.leave_other")})
	}
	return r
}

func leaveChoice(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	switch choice {
	case "continue":
		// Back to the question that was left, as if nothing happened.
		step, ok := c.PopBack()
		if !ok {
			step = "category"
		}
		c.Set(dLeaveFlow, "")
		c.Set(dLeaveStep, "")
		c.SetStep(step)
		return flows.Stay()
	case "restart":
		c.Say(c.T("report.left"))
		return flows.Switch(flows.FlowReport)
	}
	c.Say(c.T("report.left"))
	if c.Get(dLeaveFlow) == "" {
		return flows.Menu()
	}
	return flows.SwitchTo(c.Get(dLeaveFlow), c.Get(dLeaveStep))
}

// isStory tells typed text that is clearly more of what happened (a
// sentence, not a short answer) from an answer to the question.
func isMoreStory(in flows.Input) bool {
	if in.Kind != flows.KindText {
		return false
	}
	n := flows.Normalize(in.Text)
	return utf8.RuneCountInString(n) >= 25 && strings.Count(n, " ") >= 3
}

func addToStory(c *flows.Ctx, text string) {
	desc := strings.TrimSpace(c.Get(dDesc) + "\n" + strings.TrimSpace(text))
	if utf8.RuneCountInString(desc) > maxDescRunes {
		desc = string([]rune(desc)[:maxDescRunes])
	}
	c.Set(dDesc, desc)
}

// keepMedia adds a file to the draft's evidence; false (with the reason
// said) when it cannot be kept.
func keepDraftMedia(c *flows.Ctx, in flows.Input) bool {
	media := draftMediaOf(c)
	if len(media) >= maxDraftMedia {
		c.Say(c.T("report.evidence_full", maxDraftMedia))
		return false
	}
	if in.Media.Size > MaxMediaBytes {
		c.Say(c.T("report.evidence_too_big"))
		return false
	}
	media = append(media, draftMedia{Kind: in.Kind, Channel: c.Channel, Ref: in.Media.Ref, Mime: in.Media.Mime,
		Size: in.Media.Size, Caption: strings.TrimSpace(in.Text)})
	raw, _ := json.Marshal(media) // plain strings and numbers: cannot fail
	c.Set(dMedia, string(raw))
	return true
}

func draftMediaOf(c *flows.Ctx) []draftMedia {
	var media []draftMedia
	if raw := c.Get(dMedia); raw != "" {
		_ = json.Unmarshal([]byte(raw), &media) // a broken list counts as none
	}
	return media
}

// cleanText is typed text, trimmed and cut to limit; false if there are
// no words in it.
func typedText(in flows.Input, limit int) (string, bool) {
	if in.Kind != flows.KindText {
		return "", false
	}
	text := strings.TrimSpace(in.Text)
	if flows.Normalize(text) == "" {
		return "", false
	}
	if utf8.RuneCountInString(text) > limit {
		text = string([]rune(text)[:limit])
	}
	return text, true
}

// leadingNumber reads "7" or "7 anak".
func leadingNumber(s string) (int, bool) {
	word, _, _ := strings.Cut(s, " ")
	if n, ok := flows.NumberWords[word]; ok {
		return n, true
	}
	n, err := strconv.Atoi(word)
	return n, err == nil
}

// draftSummary is the draft as the reporter checks it before sending.
func draftSummary(c *flows.Ctx) string {
	lang := c.User.Lang
	var lines []string
	line := func(key string, args ...any) { lines = append(lines, c.T(key, args...)) }
	line("report.sum_category", words.CategoryName(lang, c.Get(dCategory)))
	if c.Get(dUrgent) != "" {
		line("report.sum_urgent")
	}
	line("report.sum_place", draftPlace(c))
	if note := c.Get(dPlaceNote); note != "" {
		line("report.sum_place_note", shortText(note, 100))
	}
	switch desc := c.Get(dDesc); {
	case desc != "" && utf8.RuneCountInString(desc) > 200:
		line("report.sum_story_long", shortText(desc, 200), utf8.RuneCountInString(desc))
	case desc != "":
		line("report.sum_story", desc)
	default:
		line("report.sum_story_media")
	}
	line("report.sum_children", childrenText(lang, c.Get(dChildren)), ageText(lang, c.Get(dAge)))
	if n := len(draftMediaOf(c)); n > 0 {
		line("report.sum_evidence", n)
	} else {
		line("report.sum_evidence_none")
	}
	if c.Get(dAnon) == "1" {
		line("report.sum_anonymous")
	} else if c.Get(dChild) != "" {
		line("report.sum_child_named")
	} else {
		name := c.Get(dName)
		if name == "" {
			name = c.User.Name
		}
		line("report.sum_named", name)
	}
	return strings.Join(lines, "\n")
}

func draftPlace(c *flows.Ctx) string {
	return placeText(c.T, c.Get(place.Kec), c.Get(place.Desa), c.Get(place.Lat) != "")
}

// placeText names a report's place for people: the desa and kecamatan,
// the location sent, or that it is not known.
func placeText(t func(string, ...any) string, kec, desa string, pin bool) string {
	if name := place.Name(kec, desa); name != "" {
		return name
	}
	if pin {
		return t("report.pin_place")
	}
	return t("report.place_unknown")
}

var (
	shortText    = words.ShortText
	childrenText = words.ChildrenText
)

// ageText is an age answer as it reads after "umur": "5-12 tahun",
// "beda-beda", "tidak diketahui"; an age typed in is kept as typed.
func ageText(lang, v string) string {
	if key, ok := ageTexts[v]; ok {
		return locales.T(lang, key)
	}
	return v
}

var ageTexts = map[string]string{"u5": "report.age_text.u5", "5_12": "report.age_text.5_12",
	"13_15": "report.age_text.13_15", "16_17": "report.age_text.16_17", "mixed": "report.age_text.mixed",
	"unknown": "report.age_text.unknown"}

// submitReport stores the draft as a report, tells staff at once and gives
// the reporter the code, what happens next, and a safety tip.
func submitReport(c *flows.Ctx) flows.Next {
	cat, _ := words.CategoryByKey(c.Get(dCategory))
	media := draftMediaOf(c)
	desc := c.Get(dDesc)
	for _, m := range media {
		if m.Caption != "" {
			desc = strings.TrimSpace(desc + "\n[" + words.MediaKindName(locales.Default, string(m.Kind)) + "] " + m.Caption)
		}
	}
	children, _ := strconv.Atoi(c.Get(dChildren))
	r := store.Report{
		Category: cat.Key, Urgent: c.Get(dUrgent) != "",
		KecCode: c.Get(place.Kec), DesaCode: c.Get(place.Desa),
		PlaceNote: c.Get(dPlaceNote), Description: desc,
		ChildrenCount: children, ChildrenAge: ageText(locales.Default, c.Get(dAge)),
		Anonymous: c.Get(dAnon) != "0", ReporterID: c.User.ID, ChildReporter: c.Get(dChild) != "",
		// The name given for this report stays with it: it may be someone
		// else's than the person's own (staff filing for a villager).
		ReporterName: c.Get(dName),
		KLACluster:   cat.Cluster, KLAIndicator: cat.Indicator,
	}
	if lat, err := strconv.ParseFloat(c.Get(place.Lat), 64); err == nil {
		lon, _ := strconv.ParseFloat(c.Get(place.Lon), 64)
		r.HasPin, r.Lat, r.Lon = true, lat, lon
	}
	if err := c.Tx.CreateReport(&r, c.Random(), c.Now); err != nil {
		return c.Fail(err)
	}
	for _, m := range media {
		if _, err := c.Tx.AddReportMedia(r.ID, store.Media{Kind: string(m.Kind), Channel: m.Channel, Ref: m.Ref,
			Mime: m.Mime, Size: m.Size}, c.User.ID, c.Now); err != nil {
			return c.Fail(err)
		}
	}
	alert, err := ops.Card(c.Tx, r, locales.Default, ops.CardAlert, c.Loc)
	if err != nil {
		return c.Fail(err)
	}
	c.NotifyStaff(store.PriorityAlert, flows.Reply{Text: alert, Options: []flows.Option{
		{Key: "/terima " + r.Code, Label: flows.StaffT("triage.accept")},
		{Key: "/tugaskan " + r.Code, Label: flows.StaffT("triage.assign")},
		{Key: "/buka " + r.Code, Label: flows.StaffT("triage.open")},
	}, Subject: store.ReportSubject(r.Code)})
	// One plain message on what happens next: an urgent report at night
	// must not read as if someone were on it now.
	next := c.T("report.next_open") + "\n\n" + c.T("report.emergency_after")
	switch {
	case !c.OfficeOpen() && r.Urgent:
		next = c.T("report.urgent_closed_next")
	case !c.OfficeOpen():
		next = c.T("report.next_closed") + "\n\n" + c.T("report.emergency_after")
	}
	c.Say(c.T("report.thanks", r.Code) + "\n\n" + next + "\n\n" + c.T("report.safety_tip"))
	return flows.Menu()
}

// DraftNudge is the one gentle reminder for a report left half done.
func DraftNudge(lang string) flows.Reply { return flows.Reply{Text: locales.T(lang, "report.nudge")} }

// DropDraft turns a stored session holding a report draft, or answers
// typed in any other flow (a registration's name and phone, a broadcast's
// text), into one at the main menu, the answers gone; false if there is
// nothing to drop.
func DropDraft(raw []byte) ([]byte, bool) {
	var st flows.State
	if err := json.Unmarshal(raw, &st); err != nil || (st.Flow != flows.FlowReport && len(st.Data) == 0) {
		return nil, false
	}
	st.Flow, st.Version, st.Step, st.Data, st.Back = flows.FlowMenu, menuVersion, "main", nil, nil
	out, err := json.Marshal(st)
	if err != nil {
		panic(fmt.Sprintf("encode session: %v", err)) // a State always encodes
	}
	return out, true
}

// menuVersion is the main menu flow's version (menuFlow).
const menuVersion = 1
