package broadcast

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"klabot/flows"
	"klabot/flows/ops"
	"klabot/flows/place"
	"klabot/flows/wilayah"
	"klabot/flows/words"
	"klabot/locales"
	"klabot/store"
)

// Staff broadcasts: write a message (text, or a photo with its caption),
// choose who gets it, see how many people it reaches and who is left out,
// see it exactly as people will, then send it now or at a time (WIB). The
// draft lives in the conversation until it is confirmed, so "batal" at any
// point simply forgets it. Sending, progress and the final summary are the
// bot's work (bot.Broadcaster); staff pause, resume or cancel here or with
// the keys on the progress message ("/siaran jeda 12").

// FlowBroadcast is the staff broadcast flow.
const FlowBroadcast = "broadcast"

// photoChannel is where a broadcast photo can come from: the Bot API sends
// a photo again by the file_id it gave us, so the preview is exact and a
// broadcast costs no uploads. Recipients on other channels get the file,
// downloaded once when the broadcast starts.
const photoChannel = "telegram"

// Limits of a broadcast's text: what fits a Telegram message or photo
// caption together with the footer.
const (
	maxText    = 3500
	maxCaption = 850
	// maxScheduleAhead is how far ahead a broadcast can be scheduled.
	maxScheduleAhead = 366 * 24 * time.Hour
	// broadcastsListed is how many broadcasts the home step shows.
	broadcastsListed = 6
	// trainingsListed is how many trainings are offered as an audience.
	trainingsListed = 9
)

// Session data keys of the broadcast flow.
const (
	dText      = "text"
	dPhoto     = "photo"
	dAudience  = "aud"
	dAudValue  = "aud_v"
	dWhen      = "when"
	dID        = "id"
	dPlacePref = "p_"
)

// audienceChoices are the kinds of audience staff pick from.
var audienceChoices = []words.Choice{
	{Key: store.ToAll, Label: "broadcast.aud_all"},
	{Key: store.ToRole, Label: "broadcast.aud_role"},
	{Key: "place", Label: "broadcast.aud_place"},
	{Key: store.ToTraining, Label: "broadcast.aud_training"},
	{Key: store.ToChannel, Label: "broadcast.aud_channel"},
}

// channelLabels name the channels for staff.
var channelLabels = map[string]string{
	"telegram": "broadcast.channel_telegram",
	"whatsapp": "broadcast.channel_whatsapp",
	"console":  "broadcast.channel_console",
}

// stateLabels say a broadcast's state in words.
var stateLabels = map[string]string{
	store.BroadcastScheduled: "broadcast.state_scheduled",
	store.BroadcastSending:   "broadcast.state_sending",
	store.BroadcastPaused:    "broadcast.state_paused",
	store.BroadcastCancelled: "broadcast.state_cancelled",
	store.BroadcastDone:      "broadcast.state_done",
	store.BroadcastMissed:    "broadcast.state_missed",
}

// Add plugs in broadcasts: the staff menu entry and the /siaran command.
func Add(e *flows.Engine) {
	e.Register(broadcastFlow())
	e.AddStaffEntry("siaran", "broadcast.staff_entry", FlowBroadcast)
	e.AddCommand("siaran", broadcastCommand)
}

func broadcastFlow() *flows.Flow {
	steps := map[string]*flows.Step{
		"home":           {Prompt: broadcastHomePrompt, Handle: broadcastHome},
		"compose":        {Prompt: askText, Handle: takeText},
		"caption":        {Prompt: askCaption, Handle: takeCaption},
		"audience":       {Prompt: audiencePrompt, Handle: takeAudience},
		"role":           {Prompt: rolePrompt, Handle: takeRole},
		"training":       {Prompt: trainingAudiencePrompt, Handle: takeTrainingAudience},
		"channel":        {Prompt: channelPrompt, Handle: takeChannel},
		"count":          {Prompt: countPrompt, Handle: countChoice},
		"preview":        {Prompt: previewPrompt, Handle: previewChoice},
		"night":          {Prompt: nightPrompt, Handle: nightChoice},
		"when":           {Prompt: askWhen, Handle: takeWhen},
		"when_confirm":   {Prompt: whenConfirmPrompt, Handle: whenConfirm},
		"manage":         {Prompt: managePrompt, Handle: manageChoice},
		"cancel_confirm": {Prompt: cancelConfirmPrompt, Handle: cancelConfirm},
	}
	for name, s := range place.Steps(place.Options{Prefix: dPlacePref, Next: "count"}) {
		steps[name] = s
	}
	// The desa question also offers the whole kecamatan.
	desa := steps[dPlacePref+"desa"]
	desaPrompt, desaHandle := desa.Prompt, desa.Handle
	desa.Prompt = func(c *flows.Ctx) flows.Reply {
		r := desaPrompt(c)
		r.Options = append([]flows.Option{{Key: "whole_kec", Label: c.T("broadcast.opt_whole_kec")}}, r.Options...)
		return r
	}
	desa.Handle = func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
		if choice == "whole_kec" {
			c.Set(dPlacePref+place.Desa, "")
			return flows.Goto("count")
		}
		return desaHandle(c, in, choice)
	}
	flows.StaffOnlySteps(steps)
	return &flows.Flow{ID: FlowBroadcast, Version: 1, Start: "home", Steps: steps}
}

// broadcastCommand handles "/siaran" (the flow), "/siaran 12" (one
// broadcast), "/siaran jeda 12", "/siaran lanjut 12" and "/siaran batal 12"
// (which asks first): what the keys of the progress message send.
func broadcastCommand(c *flows.Ctx, args string) flows.Next {
	if !c.Staff {
		c.Say(c.T("input.choose_option"))
		return flows.Stay()
	}
	fields := strings.Fields(strings.ToLower(args))
	if len(fields) == 0 {
		return flows.Switch(FlowBroadcast)
	}
	action, idText := "", fields[len(fields)-1]
	if len(fields) == 2 {
		action = fields[0]
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(idText, "#"), 10, 64)
	if err != nil || len(fields) > 2 {
		c.Say(c.T("broadcast.command_help"))
		return flows.Stay()
	}
	if _, err := c.Tx.Broadcast(id); errors.Is(err, store.ErrNotFound) {
		c.Say(c.T("broadcast.not_found", id))
		return flows.Stay()
	} else if err != nil {
		return c.Fail(err)
	}
	switch action {
	case "jeda", "pause":
		changeBroadcast(c, id, "pause")
		return flows.Stay()
	case "lanjut", "lanjutkan", "resume":
		changeBroadcast(c, id, "resume")
		return flows.Stay()
	case "batal", "batalkan", "cancel":
		return openBroadcast(c, id, "cancel_confirm")
	case "":
		return openBroadcast(c, id, "manage")
	}
	c.Say(c.T("broadcast.command_help"))
	return flows.Stay()
}

// openBroadcast starts the broadcast flow at one broadcast's step.
func openBroadcast(c *flows.Ctx, id int64, step string) flows.Next {
	c.Enter(FlowBroadcast, step)
	c.Set(dID, strconv.FormatInt(id, 10))
	return flows.Stay()
}

// changeBroadcast pauses, resumes or cancels a broadcast and says so.
func changeBroadcast(c *flows.Ctx, id int64, action string) bool {
	ch, err := ops.ChangeBroadcast(c.Tx, ops.Actor{UserID: c.User.ID, Staff: c.Staff}, id, action, c.Now.In(c.Loc))
	if err != nil {
		c.Fail(err)
		return false
	}
	switch ch.Outcome {
	case ops.Done:
		c.Say(c.T(map[string]string{ops.BroadcastPause: "broadcast.paused", ops.BroadcastResume: "broadcast.resumed",
			ops.BroadcastCancel: "broadcast.cancelled"}[action], id))
		return true
	case ops.AlreadyDone:
		c.Say(c.T("broadcast.already", id, c.T(stateLabels[ch.State])))
	case ops.NotFound:
		c.Say(c.T("broadcast.not_found", id))
	case ops.NotAllowed:
		c.Say(c.T(ch.Why))
	default:
		c.Say(c.T("broadcast.cannot", id, c.T(stateLabels[ch.State])))
	}
	return false
}

func broadcastHomePrompt(c *flows.Ctx) flows.Reply {
	list, err := c.Tx.RecentBroadcasts(broadcastsListed)
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	r := flows.Reply{Options: []flows.Option{{Key: "new", Label: c.T("broadcast.opt_new")}}}
	if len(list) == 0 {
		r.Text = c.T("broadcast.home_none")
		return r
	}
	var b strings.Builder
	b.WriteString(c.T("broadcast.home_title"))
	for _, bc := range list {
		fmt.Fprintf(&b, "\n\n#%d %s\n%s", bc.ID, broadcastWhenLine(c.Tx, c.User.Lang, c.Loc, c.Now, bc),
			c.T("broadcast.to", DescribeAudience(c.Tx, c.User.Lang, bc.Audience)))
		r.Options = append(r.Options, flows.Option{Key: "b" + strconv.FormatInt(bc.ID, 10), Label: c.T("broadcast.opt_item", bc.ID)})
	}
	r.Text = b.String()
	return r
}

// broadcastWhenLine is a broadcast's state with its time and, once it
// started, its counts.
func broadcastWhenLine(tx *store.Tx, lang string, loc *time.Location, now time.Time, b store.Broadcast) string {
	state := locales.T(lang, stateLabels[b.State])
	switch {
	case b.State == store.BroadcastScheduled && !b.ScheduledAt.After(now):
		return locales.T(lang, "broadcast.state_starting")
	case b.StartedAt.IsZero():
		return state + ", " + words.FormatTime(lang, loc, b.ScheduledAt)
	}
	p, err := tx.ProgressOf(b.ID)
	if err != nil {
		return state
	}
	return state + ". " + progressLine(lang, p)
}

func progressLine(lang string, p store.BroadcastProgress) string {
	if p.Cancelled > 0 {
		return locales.T(lang, "broadcast.progress_cancelled", p.Sent, p.Total, p.Failed, p.Cancelled)
	}
	return locales.T(lang, "broadcast.progress", p.Sent, p.Total, p.Failed, p.Pending())
}

func broadcastHome(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	if choice == "new" {
		for _, k := range []string{dText, dPhoto, dAudience, dAudValue, dWhen} {
			c.Set(k, "")
		}
		return flows.Goto("compose")
	}
	if id, ok := strings.CutPrefix(choice, "b"); ok {
		c.Set(dID, id)
		return flows.Goto("manage")
	}
	return flows.Stay()
}

func askText(c *flows.Ctx) flows.Reply { return flows.Reply{Text: c.T("broadcast.ask_text")} }

func askCaption(c *flows.Ctx) flows.Reply { return flows.Reply{Text: c.T("broadcast.ask_caption")} }

func takeText(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	switch {
	case in.Kind == flows.KindPhoto && in.HasMedia():
		if c.Channel != photoChannel {
			c.Say(c.T("broadcast.photo_telegram_only"))
			return flows.Stay()
		}
		c.Set(dPhoto, in.Media.Ref)
		if strings.TrimSpace(in.Text) == "" {
			return flows.Goto("caption")
		}
	case in.Kind == flows.KindText:
		c.Set(dPhoto, "")
	default:
		c.Say(c.T("broadcast.text_expected"))
		return flows.Stay()
	}
	return keepText(c, in.Text)
}

func takeCaption(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	if in.Kind != flows.KindText {
		c.Say(c.T("broadcast.caption_expected"))
		return flows.Stay()
	}
	return keepText(c, in.Text)
}

// keepText checks the message's length and moves on to the audience.
func keepText(c *flows.Ctx, text string) flows.Next {
	text = strings.TrimSpace(text)
	limit := maxText
	if c.Get(dPhoto) != "" {
		limit = maxCaption
	}
	// Counted as Telegram counts (UTF-16 units: an emoji is two).
	n := 0
	for _, r := range text {
		n += utf16.RuneLen(r)
	}
	switch {
	case n < 2:
		c.Say(c.T("broadcast.text_too_short"))
		return flows.Stay()
	case n > limit:
		c.Say(c.T("broadcast.text_too_long", n, limit))
		return flows.Stay()
	}
	c.Set(dText, text)
	if c.Get(dAudience) != "" {
		return flows.Goto("preview") // rewriting after the audience was chosen
	}
	return flows.Goto("audience")
}

func audiencePrompt(c *flows.Ctx) flows.Reply {
	return flows.TableReply(c, "broadcast.ask_audience", audienceChoices)
}

func takeAudience(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	c.Set(dAudience, choice)
	c.Set(dAudValue, "")
	switch choice {
	case store.ToAll:
		return flows.Goto("count")
	case "place":
		return flows.Goto(dPlacePref + place.Kec)
	}
	return flows.Goto(choice) // role, training, channel
}

func rolePrompt(c *flows.Ctx) flows.Reply {
	return flows.TableReply(c, "broadcast.ask_role", words.Roles)
}

func takeRole(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	c.Set(dAudValue, choice)
	return flows.Goto("count")
}

func trainingAudiencePrompt(c *flows.Ctx) flows.Reply {
	all, err := c.Tx.TrainingsEndingAfter(c.Now.AddDate(0, 0, -30))
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	// A cancelled session has nobody registered any more: nobody to reach.
	var ts []store.Training
	for _, t := range all {
		if t.Status != store.TrainingCancelled {
			ts = append(ts, t)
		}
	}
	if len(ts) == 0 {
		return flows.Reply{Text: c.T("broadcast.training_none"), Options: []flows.Option{
			{Key: "back", Label: c.T("broadcast.opt_change_audience")}}}
	}
	var b strings.Builder
	b.WriteString(c.T("broadcast.ask_training"))
	r := flows.Reply{}
	for i, t := range ts[:min(len(ts), trainingsListed)] {
		fmt.Fprintf(&b, "\n%d. %s, %s (%d)", i+1, t.Title, words.FormatTime(c.User.Lang, c.Loc, t.StartsAt),
			t.Registered+t.Waitlisted)
		r.Options = append(r.Options, flows.Option{Key: "t" + strconv.FormatInt(t.ID, 10), Label: labelOf(t.Title)})
	}
	r.Text = b.String()
	return r
}

func takeTrainingAudience(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	id, ok := strings.CutPrefix(choice, "t")
	if !ok {
		return flows.Goto("audience")
	}
	c.Set(dAudValue, id)
	return flows.Goto("count")
}

func channelPrompt(c *flows.Ctx) flows.Reply {
	channels, err := c.Tx.ContactChannels()
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	r := flows.Reply{Text: c.T("broadcast.ask_channel")}
	for _, ch := range channels {
		r.Options = append(r.Options, flows.Option{Key: ch, Label: channelName(c.User.Lang, ch)})
	}
	return r
}

func channelName(lang, channel string) string {
	if key, ok := channelLabels[channel]; ok {
		return locales.T(lang, key)
	}
	return channel
}

func takeChannel(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	c.Set(dAudValue, choice)
	return flows.Goto("count")
}

// draftAudience is the audience the staff member chose.
func draftAudience(c *flows.Ctx) store.BroadcastAudience {
	if c.Get(dAudience) == "place" {
		if desa := c.Get(dPlacePref + place.Desa); desa != "" {
			return store.BroadcastAudience{Kind: store.ToDesa, Value: desa}
		}
		return store.BroadcastAudience{Kind: store.ToKec, Value: c.Get(dPlacePref + place.Kec)}
	}
	return store.BroadcastAudience{Kind: c.Get(dAudience), Value: c.Get(dAudValue)}
}

// DescribeAudience says who an audience is, in a few words.
func DescribeAudience(tx *store.Tx, lang string, a store.BroadcastAudience) string {
	switch a.Kind {
	case store.ToAll:
		return locales.T(lang, "broadcast.desc_all")
	case store.ToRole:
		for _, r := range words.Roles {
			if r.Key == a.Value {
				return locales.T(lang, "broadcast.desc_role", locales.T(lang, r.Label))
			}
		}
	case store.ToKec:
		if k, ok := wilayah.KecamatanByCode(a.Value); ok {
			return locales.T(lang, "broadcast.desc_kec", k.Name)
		}
	case store.ToDesa:
		if d, ok := wilayah.DesaByCode(a.Value); ok {
			return locales.T(lang, "broadcast.desc_desa", d.Name, d.KecName)
		}
	case store.ToTraining:
		if id, err := strconv.ParseInt(a.Value, 10, 64); err == nil {
			if t, err := tx.Training(id); err == nil {
				return locales.T(lang, "broadcast.desc_training", t.Title)
			}
		}
	case store.ToChannel:
		return locales.T(lang, "broadcast.desc_channel", channelName(lang, a.Value))
	}
	return a.Kind + " " + a.Value
}

func countPrompt(c *flows.Ctx) flows.Reply {
	aud := draftAudience(c)
	_, count, err := c.Tx.BroadcastAudienceMembers(aud)
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	var b strings.Builder
	b.WriteString(c.T("broadcast.count", DescribeAudience(c.Tx, c.User.Lang, aud), count.Reach))
	if len(count.ByChannel) > 1 {
		var parts []string
		for _, ch := range []string{"telegram", "whatsapp", "console"} {
			if n := count.ByChannel[ch]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", channelName(c.User.Lang, ch), n))
			}
		}
		b.WriteString("\n" + c.T("broadcast.count_by_channel", strings.Join(parts, ", ")))
	}
	b.WriteString(leftOutLines(c.User.Lang, count))
	if count.Reach == 0 {
		b.WriteString("\n\n" + c.T("broadcast.count_none"))
		return flows.Reply{Text: b.String(), Options: []flows.Option{
			{Key: "audience", Label: c.T("broadcast.opt_change_audience")},
			{Key: "cancel", Label: c.T("broadcast.opt_cancel")},
		}}
	}
	b.WriteString("\n\n" + c.T("broadcast.count_next"))
	return flows.Reply{Text: b.String(), Options: []flows.Option{
		{Key: "preview", Label: c.T("broadcast.opt_preview")},
		{Key: "audience", Label: c.T("broadcast.opt_change_audience")},
		{Key: "cancel", Label: c.T("broadcast.opt_cancel")},
	}}
}

// leftOutLines says how many people were left out and why ("" if none).
func leftOutLines(lang string, n store.BroadcastReach) string {
	if n.Left() == 0 {
		return ""
	}
	out := "\n\n" + locales.T(lang, "broadcast.left", n.Left())
	for _, part := range []struct {
		n   int
		key string
	}{
		{n.OptedOut, "broadcast.left_opted_out"},
		{n.Unreachable, "broadcast.left_unreachable"},
		{n.NoConsent, "broadcast.left_no_consent"},
	} {
		if part.n > 0 {
			out += "\n" + locales.T(lang, part.key, part.n)
		}
	}
	return out
}

func countChoice(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	switch choice {
	case "preview":
		return flows.Goto("preview")
	case "audience":
		return flows.Goto("audience")
	}
	c.Say(c.T("global.cancelled"))
	return flows.Menu()
}

// Message is a broadcast exactly as a person receives it, in
// their language: the staff member's text and a short footer saying who
// sends it and how to stop; with the photo, when there is one, sent again
// by the reference of the channel it came from.
func Message(lang, text, photoRef string) flows.Reply {
	r := flows.Reply{Text: text + "\n\n" + locales.T(lang, "broadcast.footer")}
	if photoRef != "" {
		r.Attachment = &flows.Attachment{Kind: "photo", Ref: photoRef}
	}
	return r
}

// previewPrompt shows the message exactly as people will see it, with the
// choices under it.
func previewPrompt(c *flows.Ctx) flows.Reply {
	r := Message(c.User.Lang, c.Get(dText), c.Get(dPhoto))
	send := []flows.Option{{Key: "now", Label: c.T("broadcast.opt_send_now")}}
	if ops.InQuietHours(c.Now, c.Loc) {
		// At night the morning comes first: nothing that is not urgent
		// goes between 21:00 and 06:00.
		send = []flows.Option{
			{Key: "morning", Label: c.T("broadcast.opt_send_morning")},
			{Key: "now", Label: c.T("broadcast.opt_send_now_night")},
		}
	}
	r.Options = append(send,
		flows.Option{Key: "schedule", Label: c.T("broadcast.opt_schedule")},
		flows.Option{Key: "rewrite", Label: c.T("broadcast.opt_rewrite")},
		flows.Option{Key: "cancel", Label: c.T("broadcast.opt_cancel")},
	)
	return r
}

func previewChoice(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	switch choice {
	case "now":
		if ops.InQuietHours(c.Now, c.Loc) {
			return flows.Goto("night")
		}
		return saveBroadcast(c, c.Now)
	case "morning":
		return saveBroadcast(c, ops.AfterQuietHours(c.Now, c.Loc))
	case "schedule":
		return flows.Goto("when")
	case "rewrite":
		c.Set(dPhoto, "")
		return flows.Goto("compose")
	}
	c.Say(c.T("global.cancelled"))
	return flows.Menu()
}

// askWhen gives an example date a week ahead, so that typing the
// example back works.
func askWhen(c *flows.Ctx) flows.Reply {
	// A week ahead at 08.00: the time is written out, since ".00" in a
	// Go layout would print fractions of a second.
	example := c.Now.In(c.Loc).AddDate(0, 0, 7).Format("02-01-2006") + " 08.00"
	if c.User.Lang == "en" {
		example = strings.Replace(example, "08.00", "08:00", 1)
	}
	return flows.Reply{Text: c.T("broadcast.ask_when", example)}
}

// nightPrompt asks once more before a broadcast wakes people at night.
func nightPrompt(c *flows.Ctx) flows.Reply {
	return flows.Reply{Text: c.T("broadcast.confirm_night", DescribeAudience(c.Tx, c.User.Lang, draftAudience(c))),
		Options: []flows.Option{
			{Key: "now", Label: c.T("broadcast.opt_confirm_night")},
			{Key: "morning", Label: c.T("broadcast.opt_send_morning")},
			{Key: "back", Label: c.T("broadcast.opt_back")},
		}}
}

func nightChoice(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	switch choice {
	case "now":
		return saveBroadcast(c, c.Now)
	case "morning":
		return saveBroadcast(c, ops.AfterQuietHours(c.Now, c.Loc))
	}
	return flows.Goto("preview")
}

// nowWords ask for a broadcast to go at once.
var nowWords = map[string]bool{"sekarang": true, "skrg": true, "kirim sekarang": true, "sekarang saja": true,
	"now": true, "send now": true, "right now": true}

func takeWhen(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	if in.Kind != flows.KindText {
		c.Say(c.T("broadcast.when_format"))
		return flows.Stay()
	}
	if nowWords[flows.Normalize(in.Text)] {
		// "sekarang" after all: as the preview's "Kirim sekarang".
		return previewChoice(c, in, "now")
	}
	when, problem := words.ParseWhen(in.Text, c.Now, c.Loc)
	switch {
	case problem != "":
		c.Say(c.T(problem))
		return flows.Stay()
	case !when.After(c.Now):
		c.Say(c.T("broadcast.when_past"))
		return flows.Stay()
	case when.Sub(c.Now) > maxScheduleAhead:
		c.Say(c.T("broadcast.when_far"))
		return flows.Stay()
	case ops.InQuietHours(when, c.Loc):
		// Nothing that is not urgent goes at night, as for reminders.
		c.Say(c.T("broadcast.when_quiet"))
		return flows.Stay()
	}
	c.Set(dWhen, when.UTC().Format(time.RFC3339))
	return flows.Goto("when_confirm")
}

func draftWhen(c *flows.Ctx) time.Time {
	t, _ := time.Parse(time.RFC3339, c.Get(dWhen))
	return t
}

func whenConfirmPrompt(c *flows.Ctx) flows.Reply {
	return flows.Reply{
		Text: c.T("broadcast.confirm_when", words.FormatTime(c.User.Lang, c.Loc, draftWhen(c)),
			DescribeAudience(c.Tx, c.User.Lang, draftAudience(c))),
		Options: []flows.Option{
			{Key: "yes", Label: c.T("broadcast.opt_confirm_schedule")},
			{Key: "change", Label: c.T("broadcast.opt_change_time")},
		},
	}
}

func whenConfirm(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	if choice != "yes" {
		return flows.Goto("when")
	}
	return saveBroadcast(c, draftWhen(c))
}

// saveBroadcast stores the confirmed broadcast, due at when; the bot sends
// it from then on.
func saveBroadcast(c *flows.Ctx, when time.Time) flows.Next {
	photoCh := ""
	if c.Get(dPhoto) != "" {
		photoCh = c.Channel
	}
	made, err := ops.CreateBroadcast(c.Tx, ops.Actor{UserID: c.User.ID, Staff: c.Staff}, store.Broadcast{
		Text: c.Get(dText), PhotoChannel: photoCh, PhotoRef: c.Get(dPhoto),
		Audience: draftAudience(c), ScheduledAt: when,
	}, DescribeAudience(c.Tx, locales.Default, draftAudience(c)), c.Now)
	if err != nil {
		return c.Fail(err)
	}
	if made.Outcome != ops.Done {
		c.Say(c.T(made.Why))
		return flows.Menu()
	}
	b := made.Broadcast
	if when.After(c.Now) {
		c.Say(c.T("broadcast.scheduled", b.ID, words.FormatTime(c.User.Lang, c.Loc, when)))
	} else {
		c.Say(c.T("broadcast.started", b.ID))
	}
	c.ClearData()
	return flows.Fresh(c, "home")
}

// managed is the broadcast the staff member is looking at.
func managed(c *flows.Ctx) (store.Broadcast, bool) {
	id, _ := strconv.ParseInt(c.Get(dID), 10, 64)
	b, err := c.Tx.Broadcast(id)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			c.Fail(err)
		}
		return store.Broadcast{}, false
	}
	return b, true
}

func managePrompt(c *flows.Ctx) flows.Reply {
	b, ok := managed(c)
	if !ok {
		return flows.Reply{Text: c.T("broadcast.not_found", c.Get(dID)), Options: []flows.Option{
			{Key: "back", Label: c.T("broadcast.opt_back")}}}
	}
	lang := c.User.Lang
	var t strings.Builder
	t.WriteString(c.T("broadcast.detail_head", b.ID, c.T(stateLabels[b.State])))
	t.WriteString("\n" + c.T("broadcast.to", DescribeAudience(c.Tx, lang, b.Audience)))
	t.WriteString("\n" + c.T("broadcast.detail_when", words.FormatTime(lang, c.Loc, b.ScheduledAt)))
	if !b.StartedAt.IsZero() {
		p, err := c.Tx.ProgressOf(b.ID)
		if err != nil {
			c.Fail(err)
			return flows.Reply{}
		}
		t.WriteString("\n" + progressLine(lang, p))
		t.WriteString(leftOutLines(lang, b.Skipped))
	}
	t.WriteString("\n\n" + c.T("broadcast.detail_text", b.Text))
	r := flows.Reply{Text: t.String()}
	switch b.State {
	case store.BroadcastSending:
		r.Options = append(r.Options, flows.Option{Key: "pause", Label: c.T("broadcast.opt_pause")})
	case store.BroadcastPaused:
		r.Options = append(r.Options, flows.Option{Key: "resume", Label: c.T("broadcast.opt_resume")})
	}
	switch b.State {
	case store.BroadcastScheduled, store.BroadcastSending, store.BroadcastPaused:
		r.Options = append(r.Options, flows.Option{Key: "cancel", Label: c.T("broadcast.opt_stop")})
	}
	r.Options = append(r.Options, flows.Option{Key: "back", Label: c.T("broadcast.opt_back")})
	return r
}

func manageChoice(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	b, ok := managed(c)
	if !ok || choice == "back" {
		return flows.Fresh(c, "home")
	}
	switch choice {
	case "pause", "resume":
		changeBroadcast(c, b.ID, choice)
		return flows.Stay()
	case "cancel":
		return flows.Goto("cancel_confirm")
	}
	return flows.Fresh(c, "home")
}

func cancelConfirmPrompt(c *flows.Ctx) flows.Reply {
	b, ok := managed(c)
	if !ok {
		return flows.Reply{Text: c.T("broadcast.not_found", c.Get(dID)), Options: []flows.Option{
			{Key: "no", Label: c.T("broadcast.opt_back")}}}
	}
	text := c.T("broadcast.confirm_cancel_scheduled", b.ID)
	if !b.StartedAt.IsZero() {
		p, err := c.Tx.ProgressOf(b.ID)
		if err != nil {
			c.Fail(err)
			return flows.Reply{}
		}
		text = c.T("broadcast.confirm_cancel", b.ID, p.Pending())
	}
	return flows.Reply{Text: text, Options: []flows.Option{
		{Key: "yes", Label: c.T("broadcast.opt_confirm_cancel")},
		{Key: "no", Label: c.T("broadcast.opt_keep")},
	}}
}

func cancelConfirm(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	b, ok := managed(c)
	if ok && choice == "yes" {
		changeBroadcast(c, b.ID, "cancel")
	}
	c.ForgetBack()
	if !ok {
		return flows.Fresh(c, "home")
	}
	return flows.Fresh(c, "manage")
}

// Status is the progress message shown to the staff member who
// made a broadcast, edited in place where the channel allows: who it is
// for, how far it got, and keys to pause, resume or cancel it.
func Status(tx *store.Tx, lang string, b store.Broadcast, p store.BroadcastProgress) flows.Reply {
	key := map[string]string{
		store.BroadcastSending:   "broadcast.status_sending",
		store.BroadcastPaused:    "broadcast.status_paused",
		store.BroadcastDone:      "broadcast.status_done",
		store.BroadcastCancelled: "broadcast.status_cancelled",
	}[b.State]
	if key == "" {
		key = stateLabels[b.State]
	}
	r := flows.Reply{Text: locales.T(lang, "broadcast.status", b.ID, DescribeAudience(tx, lang, b.Audience),
		progressLine(lang, p), locales.T(lang, key))}
	id := strconv.FormatInt(b.ID, 10)
	switch b.State {
	case store.BroadcastSending:
		r.Options = []flows.Option{
			{Key: "/siaran jeda " + id, Label: locales.T(lang, "broadcast.opt_pause")},
			{Key: "/siaran batal " + id, Label: locales.T(lang, "broadcast.opt_stop")},
		}
	case store.BroadcastPaused:
		r.Options = []flows.Option{
			{Key: "/siaran lanjut " + id, Label: locales.T(lang, "broadcast.opt_resume")},
			{Key: "/siaran batal " + id, Label: locales.T(lang, "broadcast.opt_stop")},
		}
	}
	return r
}

// Milestone is a short progress note for channels where the
// progress message cannot be edited: sent at each quarter.
func Milestone(lang string, b store.Broadcast, p store.BroadcastProgress, percent int) flows.Reply {
	return flows.Reply{Text: locales.T(lang, "broadcast.milestone", b.ID, percent, progressLine(lang, p))}
}

// Summary is the message the staff member gets when a broadcast
// is over: how many got it, how many failed and why, who was left out.
func Summary(lang string, b store.Broadcast, p store.BroadcastProgress) flows.Reply {
	key := "broadcast.summary_done"
	if b.State == store.BroadcastCancelled {
		key = "broadcast.summary_cancelled"
	}
	text := locales.T(lang, key, b.ID, p.Sent)
	switch {
	case p.Blocked > 0:
		text += "\n" + locales.T(lang, "broadcast.summary_failed_blocked", p.Failed, p.Blocked)
	case p.Failed > 0:
		text += "\n" + locales.T(lang, "broadcast.summary_failed", p.Failed)
	}
	if p.Cancelled > 0 {
		text += "\n" + locales.T(lang, "broadcast.summary_not_sent", p.Cancelled)
	}
	return flows.Reply{Text: text + leftOutLines(lang, b.Skipped)}
}

// Missed tells the staff member a scheduled broadcast was not
// sent because klabot was down when it fell due, for too long.
func Missed(lang string, loc *time.Location, b store.Broadcast) flows.Reply {
	return flows.Reply{Text: locales.T(lang, "broadcast.missed", b.ID, words.FormatTime(lang, loc, b.ScheduledAt))}
}

// labelOf fits a name into an option label (20 characters).
func labelOf(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= 20 {
		return string(r)
	}
	return strings.TrimRight(string(r[:19]), " ,.:-") + "…"
}

// StateName is a broadcast's state in words.
func StateName(lang, state string) string { return locales.T(lang, stateLabels[state]) }

// ProgressLine is a broadcast's counts in words.
func ProgressLine(lang string, p store.BroadcastProgress) string {
	return progressLine(lang, p)
}

// ChannelName names a channel for staff, as the chat does.
func ChannelName(lang, channel string) string { return channelName(lang, channel) }
