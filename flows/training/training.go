package training

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"klabot/flows"
	"klabot/flows/exportdata"
	"klabot/flows/match"
	"klabot/flows/ops"
	"klabot/flows/place"
	"klabot/flows/wilayah"
	"klabot/flows/words"
	"klabot/locales"
	"klabot/store"
)

// Trainings: people find upcoming trainings, register (or join the
// waitlist), see and cancel their registrations, and check in on the day
// with the session's attendance code. Staff manage sessions in
// training_staff.go.

// FlowTrainingStaff is the staff side of trainings.
const FlowTrainingStaff = "training_staff"

// trainingsPerPage keeps a list message short on a small screen.
const trainingsPerPage = 5

// checkinLate is how long after a training ends a check-in still counts.
const checkinLate = ops.CheckinLate

// Add plugs in trainings: registering, waitlists, check-in and the staff
// side.
func Add(e *flows.Engine) {
	e.Register(trainingFlow())
	e.Register(trainingStaffFlow())
	e.AddStaffEntry("pelatihan", "training.staff_entry", FlowTrainingStaff)
	e.AddCommand("pelatihan", func(c *flows.Ctx, args string) flows.Next {
		if flows.Normalize(args) == "saya" { // the key on a seat offer
			return flows.SwitchTo(flows.FlowTraining, "mine")
		}
		return flows.Switch(flows.FlowTraining)
	})
	e.ListCommand("pelatihan", "command.pelatihan")
	e.ListCommand("hadir", "command.hadir")
	// "/hadir 7KQ3MX" checks in from anywhere; "/hadir" alone asks for the code.
	e.AddCommand("hadir", func(c *flows.Ctx, args string) flows.Next {
		if args != "" && checkIn(c, args) {
			return flows.Menu()
		}
		return flows.SwitchTo(flows.FlowTraining, "checkin")
	})
	e.AddMenuText(attendanceCodeAtMenu)
	e.AddCommand("sesi", func(c *flows.Ctx, args string) flows.Next {
		if !c.Staff {
			c.Say(c.T("input.choose_option"))
			return flows.Stay()
		}
		return flows.Switch(FlowTrainingStaff)
	})
}

// attendanceCodeAtMenu checks a person in who types a session's
// attendance code at the main menu, without /hadir: that is what people do
// when staff write the code on the board. Only a code some session has
// counts, so a mistyped menu choice is not answered as a wrong code.
func attendanceCodeAtMenu(c *flows.Ctx, in flows.Input) (flows.Next, bool) {
	if in.Kind != flows.KindText {
		return flows.Next{}, false
	}
	code, ok := normalizeAttendanceCode(in.Text)
	if !ok {
		return flows.Next{}, false
	}
	taken, err := c.Tx.AttendanceCodeTaken(code)
	if err != nil {
		return c.Fail(err), true
	}
	if !taken {
		near, err := nearAttendanceCode(c, code)
		if err != nil {
			return c.Fail(err), true
		}
		if !near {
			return flows.Next{}, false
		}
		c.Say(c.T("training.code_mismatch"))
		return flows.Stay(), true
	}
	checkIn(c, code)
	return flows.Stay(), true
}

// nearAttendanceCode tells whether code is one slip away from the code of
// a session not over yet: a mistyped code, not a stray word.
func nearAttendanceCode(c *flows.Ctx, code string) (bool, error) {
	ts, err := c.Tx.TrainingsEndingAfter(c.Now.Add(-checkinLate))
	if err != nil {
		return false, err
	}
	for _, t := range ts {
		if t.AttendanceCode != "" && match.Distance(code, t.AttendanceCode) == 1 {
			return true, nil
		}
	}
	return false, nil
}

func trainingFlow() *flows.Flow {
	steps := map[string]*flows.Step{
		"home":     {Prompt: trainingHomePrompt, Handle: trainingHome, FreeText: true},
		"programs": {Prompt: programsPrompt, Handle: pickProgram},
		"kecs":     {Prompt: kecsPrompt, Handle: pickKec, FreeText: true},
		"list":     {Prompt: listPrompt, Handle: pickTraining},
		"detail":   {Prompt: detailPrompt, Handle: detailChoice, FreeText: true, ChoiceOnly: true},
		"reuse":    {Prompt: reusePrompt, Handle: reuseChoice},
		"name":     {Prompt: askText("training.ask_name"), Handle: takeName},
		"age": {Prompt: func(c *flows.Ctx) flows.Reply {
			if c.ChildPerson() {
				return flows.Reply{Text: c.T("training.ask_age_child")} // an example age a child would give
			}
			return flows.Reply{Text: c.T("training.ask_age")}
		}, Handle: takeAge},
		"phone":          {Prompt: phonePrompt, Handle: takePhone, FreeText: true},
		"question":       {Prompt: questionPrompt, Handle: takeAnswer},
		"confirm":        {Prompt: confirmPrompt, Handle: confirmRegistration},
		"mine":           {Prompt: minePrompt, Handle: pickTraining},
		"cancel_confirm": {Prompt: cancelPrompt, Handle: cancelRegistration},
		"checkin":        {Prompt: askText("training.ask_code"), Handle: takeCode},
		"history":        {Prompt: historyPrompt, Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next { return flows.Goto("home") }},
	}
	for id, s := range place.Steps(place.Options{Prefix: "reg_", Next: "phone", Home: true}) {
		steps[id] = s
	}
	return &flows.Flow{ID: flows.FlowTraining, Version: 1, Start: "home", Steps: steps, ChildWords: childRegistering}
}

func askText(key string) func(c *flows.Ctx) flows.Reply {
	return func(c *flows.Ctx) flows.Reply { return flows.Reply{Text: c.T(key)} }
}

func trainingHomePrompt(c *flows.Ctx) flows.Reply {
	return flows.Reply{Text: c.T("training.home"), Options: []flows.Option{
		{Key: "list", Label: c.T("training.opt_schedule")},
		{Key: "programs", Label: c.T("training.opt_by_program")},
		{Key: "kecs", Label: c.T("training.opt_by_kec")},
		{Key: "mine", Label: c.T("training.opt_mine")},
		{Key: "checkin", Label: c.T("training.opt_checkin")},
		{Key: "history", Label: c.T("training.opt_history")},
	}}
}

func trainingHome(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	switch choice {
	case "list":
		c.Set("filter_program", "")
		c.Set("filter_kec", "")
		c.Set("page", "0")
		return flows.Goto("list")
	case "programs", "kecs", "mine", "checkin", "history":
		return flows.Goto(choice)
	}
	// Someone who just types the attendance code is checking in.
	if in.Kind == flows.KindText {
		if _, ok := normalizeAttendanceCode(in.Text); ok {
			if checkIn(c, in.Text) {
				return flows.Menu()
			}
			return flows.Stay()
		}
	}
	c.Misunderstood(in)
	return flows.Stay()
}

func programsPrompt(c *flows.Ctx) flows.Reply {
	r := flows.Reply{Text: c.T("training.choose_program")}
	for _, p := range words.Programs {
		r.Options = append(r.Options, flows.Option{Key: p.Key, Label: c.T(p.Label)})
	}
	return r
}

func pickProgram(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	c.Set("filter_program", choice)
	c.Set("filter_kec", "")
	c.Set("page", "0")
	return flows.Goto("list")
}

// kecsPrompt offers the kecamatan that have upcoming trainings; any other
// can still be typed, and is answered with "none there yet".
func kecsPrompt(c *flows.Ctx) flows.Reply {
	ts, err := c.Tx.UpcomingTrainings(c.Now, "", "")
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	r := flows.Reply{Text: c.T("training.choose_kec")}
	seen := map[string]bool{}
	for _, k := range wilayah.Kecamatans() {
		for _, t := range ts {
			if t.KecCode == k.Code && !seen[k.Code] {
				seen[k.Code] = true
				r.Options = append(r.Options, flows.Option{Key: k.Code, Label: k.Name})
			}
		}
	}
	if len(r.Options) == 0 {
		r.Text = c.T("training.none")
		r.Options = []flows.Option{{Key: "home", Label: c.T("training.opt_home")}}
	}
	return r
}

func pickKec(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	if choice == "home" {
		return flows.Goto("home")
	}
	kec, ok := kecChoice(c, in, choice)
	if !ok {
		return flows.Stay()
	}
	c.Set("filter_program", "")
	c.Set("filter_kec", kec)
	c.Set("page", "0")
	return flows.Goto("list")
}

// kecChoice is the kecamatan picked from the list or typed by name; if
// there is none, it tells the person and returns false.
func kecChoice(c *flows.Ctx, in flows.Input, choice string) (string, bool) {
	if choice == "" && in.Kind == flows.KindText {
		if found := wilayah.MatchKecamatan(in.Text); len(found) == 1 {
			choice = found[0].Code
		}
	}
	if _, ok := wilayah.KecamatanByCode(choice); !ok {
		c.Say(c.T(place.NotFoundKey(in, "place.kec_not_found")))
		return "", false
	}
	return choice, true
}

func listPrompt(c *flows.Ctx) flows.Reply {
	ts, err := c.Tx.UpcomingTrainings(c.Now, c.Get("filter_program"), c.Get("filter_kec"))
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	if len(ts) == 0 {
		text := c.T("training.none")
		if c.Get("filter_program") != "" || c.Get("filter_kec") != "" {
			text = c.T("training.none_filtered")
		}
		return flows.Reply{Text: text, Options: []flows.Option{{Key: "home", Label: c.T("training.opt_home")}}}
	}
	pages := (len(ts) + trainingsPerPage - 1) / trainingsPerPage
	page := min(atoi(c.Get("page")), pages-1)
	shown := ts[page*trainingsPerPage : min(len(ts), (page+1)*trainingsPerPage)]

	var b strings.Builder
	b.WriteString(c.T("training.list_title", len(ts)))
	if pages > 1 {
		b.WriteString(" " + c.T("training.page", page+1, pages))
	}
	r := flows.Reply{}
	labels := trainingLabels(c.Loc, shown)
	for i, t := range shown {
		fmt.Fprintf(&b, "\n\n%d. %s", i+1, trainingSummary(c, t, "   "))
		r.Options = append(r.Options, flows.Option{Key: trainingKey(t.ID), Label: labels[i]})
	}
	b.WriteString("\n\n" + c.T("training.list_pick"))
	if page+1 < pages {
		r.Options = append(r.Options, flows.Option{Key: "more", Label: c.T("training.opt_more")})
	}
	r.Text = b.String()
	return r
}

// trainingSummary is a training in a few lines: title, programme, when,
// where and seats; indent lines them up under a list number.
func trainingSummary(c *flows.Ctx, t store.Training, indent string) string {
	lines := []string{t.Title, words.ProgramName(c.User.Lang, t.Program), words.When(c.User.Lang, c.Loc, t.StartsAt, t.EndsAt),
		words.TrainingPlace(c.User.Lang, t), seatsLine(c.User.Lang, t)}
	return strings.Join(lines, "\n"+indent)
}

func seatsLine(lang string, t store.Training) string {
	if t.SeatsLeft() > 0 {
		return locales.T(lang, "training.seats_left", t.SeatsLeft(), t.Capacity)
	}
	return locales.T(lang, "training.seats_full", t.Waitlisted)
}

func trainingKey(id int64) string { return "t" + strconv.FormatInt(id, 10) }

// idFrom reads the id in an option key such as "t12"; 0 if it is not one.
func idFrom(prefix, key string) int64 {
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok {
		return 0
	}
	id, _ := strconv.ParseInt(rest, 10, 64)
	return id
}

// pickTraining handles the lists of trainings (all, or mine).
func pickTraining(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	switch choice {
	case "more":
		c.Set("page", strconv.Itoa(atoi(c.Get("page"))+1))
		return flows.Stay()
	case "home":
		return flows.Goto("home")
	case "list":
		c.Set("filter_program", "")
		c.Set("filter_kec", "")
		c.Set("page", "0")
		return flows.Goto("list")
	}
	id := idFrom("t", choice)
	if id == 0 {
		return flows.Stay()
	}
	c.Set("tid", strconv.FormatInt(id, 10))
	c.Set("from", c.StepID())
	return flows.Goto("detail")
}

// currentTraining loads the training the person is looking at.
func currentTraining(c *flows.Ctx) (store.Training, bool) { return trainingAt(c, "tid") }

// trainingAt loads the training whose id the conversation keeps under key;
// false if it is gone (or failed to load).
func trainingAt(c *flows.Ctx, key string) (store.Training, bool) {
	t, err := c.Tx.Training(int64(atoi(c.Get(key))))
	if errors.Is(err, store.ErrTrainingNotFound) {
		return t, false
	}
	if err != nil {
		c.Fail(err)
		return t, false
	}
	return t, true
}

// open tells whether people can still register for t.
func open(c *flows.Ctx, t store.Training) bool { return ops.Changeable(t, c.Now.In(c.Loc)) }

func detailPrompt(c *flows.Ctx) flows.Reply {
	back := flows.Option{Key: "back", Label: c.T("training.opt_back")}
	t, ok := currentTraining(c)
	if !ok {
		return flows.Reply{Text: c.T("training.gone"), Options: []flows.Option{back}}
	}
	reg, found, err := c.Tx.Registration(t.ID, c.User.ID)
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	var b strings.Builder
	b.WriteString(trainingSummary(c, t, ""))
	if t.Description != "" {
		b.WriteString("\n\n" + t.Description)
	}
	r := flows.Reply{}
	active := found && reg.Status != store.RegCancelled
	switch {
	case t.Status == store.TrainingCancelled:
		b.WriteString("\n\n" + c.T("training.is_cancelled"))
	case active && reg.Status == store.RegRegistered:
		b.WriteString("\n\n" + c.T("training.you_registered"))
	case active:
		b.WriteString("\n\n" + c.T("training.you_waitlisted", reg.Position))
	case !open(c, t):
		b.WriteString("\n\n" + c.T("training.closed"))
	case t.SeatsLeft() == 0:
		b.WriteString("\n\n" + c.T("training.full_offer_waitlist"))
	}
	switch {
	case active && open(c, t):
		r.Options = append(r.Options, flows.Option{Key: "cancel", Label: c.T("training.opt_cancel_mine")})
	case !active && open(c, t) && t.SeatsLeft() > 0:
		r.Options = append(r.Options, flows.Option{Key: "register", Label: c.T("training.opt_register")})
	case !active && open(c, t):
		r.Options = append(r.Options, flows.Option{Key: "register", Label: c.T("training.opt_waitlist")})
	}
	r.Text = b.String()
	r.Options = append(r.Options, back)
	return r
}

func detailChoice(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	if choice == "" {
		// The code on the board, typed while looking at the session.
		if _, ok := normalizeAttendanceCode(in.Text); ok && in.Kind == flows.KindText {
			if checkIn(c, in.Text) {
				return flows.Menu()
			}
			return flows.Stay()
		}
		c.Misunderstood(in)
		return flows.Stay()
	}
	switch choice {
	case "cancel":
		return flows.Goto("cancel_confirm")
	case "register":
		t, ok := currentTraining(c)
		if !ok || !open(c, t) {
			return flows.Stay() // the prompt now says why
		}
		last, found, err := c.Tx.LastRegistration(c.User.ID)
		if err != nil {
			return c.Fail(err)
		}
		if found && last.FullName != "" {
			return flows.Goto("reuse")
		}
		return flows.Goto("name")
	}
	if c.Get("from") == "mine" {
		return flows.Goto("mine")
	}
	return flows.Goto("list")
}

// reusePrompt offers the details of the person's last registration, so a
// second training takes two taps instead of ten answers.
func reusePrompt(c *flows.Ctx) flows.Reply {
	last, _, err := c.Tx.LastRegistration(c.User.ID)
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	return flows.Reply{
		Text: c.T("training.reuse", last.FullName, last.Age, place.Name("", last.DesaCode), exportdata.DisplayPhone(last.Phone)),
		Options: []flows.Option{
			{Key: "yes", Label: c.T("training.opt_reuse")},
			{Key: "no", Label: c.T("training.opt_fill_new")},
		},
	}
}

func reuseChoice(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	if choice != "yes" {
		return flows.Goto("name")
	}
	last, _, err := c.Tx.LastRegistration(c.User.ID)
	if err != nil {
		return c.Fail(err)
	}
	d, _ := wilayah.DesaByCode(last.DesaCode)
	c.Set("name", last.FullName)
	c.Set("reg_kec", d.KecCode)
	c.Set("reg_desa", last.DesaCode)
	c.Set("phone", last.Phone)
	return acceptAge(c, last.Age, "question")
}

// maxFullNameRunes is the longest full name a registration takes.
const maxFullNameRunes = 80

func takeName(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	name := strings.Join(strings.Fields(in.Text), " ")
	letters := 0
	for _, r := range flows.Normalize(name) {
		if r >= 'a' && r <= 'z' {
			letters++
		}
	}
	if n := len([]rune(name)); in.Kind == flows.KindText && n > maxFullNameRunes {
		c.Say(c.T("training.name_too_long", n, maxFullNameRunes))
		return flows.Stay()
	}
	if in.Kind != flows.KindText || letters < 2 {
		c.Say(c.T("training.name_invalid"))
		return flows.Stay()
	}
	c.Set("name", name)
	return flows.Goto("age")
}

func takeAge(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	if in.Kind != flows.KindText {
		c.Say(c.T("training.age_not_number"))
		return flows.Stay()
	}
	age, problem := parseAge(in.Text)
	if problem != "" {
		c.Say(c.T(problem))
		return flows.Stay()
	}
	return acceptAge(c, age, "reg_kec")
}

// acceptAge applies the programme's age rule: a kind no, with a pointer to
// other help, or on to the next question.
func acceptAge(c *flows.Ctx, age int, next string) flows.Next {
	t, ok := currentTraining(c)
	if !ok {
		return flows.Goto("detail")
	}
	p, _ := words.ProgramByKey(t.Program)
	if refusal := p.AgeRefusal(age); refusal != "" {
		c.Say(c.T(refusal))
		return flows.Goto("home")
	}
	c.Set("age", strconv.Itoa(age))
	if next == "question" {
		return startQuestions(c, p)
	}
	return flows.Goto(next)
}

// phonePrompt offers a number we know already (from an earlier
// registration, or the WhatsApp number they write from), otherwise asks
// for one, with a "share my number" key where the channel has it.
func phonePrompt(c *flows.Ctx) flows.Reply {
	if registersChild(c) {
		// A child's own number is not asked for: the office calls a
		// parent or guardian (children's data is kept to the minimum).
		return flows.Reply{Text: c.T("training.ask_phone_guardian")}
	}
	if c.Get("phone_other") != "1" {
		known, err := c.Tx.KnownPhone(c.User.ID)
		if err != nil {
			c.Fail(err)
			return flows.Reply{}
		}
		if known != "" {
			return flows.Reply{Text: c.T("training.phone_known", exportdata.DisplayPhone(known)), Options: []flows.Option{
				{Key: "known", Label: c.T("training.opt_phone_known")},
				{Key: "other", Label: c.T("training.opt_phone_other")},
			}}
		}
	}
	return flows.Reply{Text: c.T("training.ask_phone"), AskContact: c.T("training.share_contact")}
}

// childRegistering speaks to a child as one from the age they give on:
// a 16-year-old registering is "kamu" before klabot knows them.
func childRegistering(c *flows.Ctx) bool {
	if age := atoi(c.Get("age")); age > 0 {
		return age < words.AdultAge
	}
	return c.ChildPerson()
}

// registersChild tells whether the person registering gave an age under 18.
func registersChild(c *flows.Ctx) bool {
	age := atoi(c.Get("age"))
	return age > 0 && age < words.AdultAge
}

func takePhone(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	switch choice {
	case "other":
		c.Set("phone_other", "1")
		return flows.Stay()
	case "known":
		known, err := c.Tx.KnownPhone(c.User.ID)
		if err != nil {
			return c.Fail(err)
		}
		return acceptPhone(c, known)
	}
	switch in.Kind {
	case flows.KindContact:
		if in.Phone == "" {
			c.Say(c.T("training.phone_not_own"))
			return flows.Stay()
		}
		if phone, ok := normalizePhone(in.Phone); ok {
			return acceptPhone(c, phone)
		}
	case flows.KindText:
		if phone, ok := normalizePhone(in.Text); ok {
			return acceptPhone(c, phone)
		}
	}
	c.Say(c.T("training.phone_invalid"))
	return flows.Stay()
}

func acceptPhone(c *flows.Ctx, phone string) flows.Next {
	c.Set("phone", phone)
	t, ok := currentTraining(c)
	if !ok {
		return flows.Goto("detail")
	}
	p, _ := words.ProgramByKey(t.Program)
	return startQuestions(c, p)
}

func startQuestions(c *flows.Ctx, p words.Program) flows.Next {
	if len(p.Questions) == 0 {
		return flows.Goto("confirm")
	}
	c.Set("q", "0")
	return flows.Goto("question")
}

// currentQuestion is the programme question being asked.
func currentQuestion(c *flows.Ctx) (words.Program, int, bool) {
	t, ok := currentTraining(c)
	if !ok {
		return words.Program{}, 0, false
	}
	p, _ := words.ProgramByKey(t.Program)
	i := atoi(c.Get("q"))
	return p, i, i < len(p.Questions)
}

func questionPrompt(c *flows.Ctx) flows.Reply {
	p, i, ok := currentQuestion(c)
	if !ok {
		return flows.Reply{Text: c.T("training.gone")}
	}
	text := c.T(p.Questions[i].Text)
	if i == 0 && p.Intro != "" {
		text = c.T(p.Intro) + "\n\n" + text
	}
	return flows.Reply{Text: text, Options: []flows.Option{
		{Key: "yes", Label: c.T("training.opt_yes")},
		{Key: "no", Label: c.T("training.opt_no")},
	}}
}

func takeAnswer(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	p, i, ok := currentQuestion(c)
	if !ok {
		return flows.Goto("detail")
	}
	q := p.Questions[i]
	c.Set("ans_"+q.Key, choice)
	if q.Required && choice != "yes" {
		c.Say(c.T(q.Refusal))
		return flows.Menu()
	}
	if i+1 < len(p.Questions) {
		c.Set("q", strconv.Itoa(i+1))
		return flows.Stay()
	}
	return flows.Goto("confirm")
}

// answers collects the programme answers given in this registration.
func answers(c *flows.Ctx, p words.Program) map[string]string {
	out := map[string]string{}
	for _, q := range p.Questions {
		if a := c.Get("ans_" + q.Key); a != "" {
			out[q.Key] = a
		}
	}
	return out
}

// phoneLine is the number given, marked as a parent's or guardian's for a
// child.
func phoneLine(c *flows.Ctx) string {
	phone := exportdata.DisplayPhone(c.Get("phone"))
	if registersChild(c) {
		return c.T("training.phone_guardian", phone)
	}
	return phone
}

func confirmPrompt(c *flows.Ctx) flows.Reply {
	t, ok := currentTraining(c)
	if !ok {
		return flows.Reply{Text: c.T("training.gone")}
	}
	text := c.T("training.confirm", t.Title, words.When(c.User.Lang, c.Loc, t.StartsAt, t.EndsAt), words.TrainingPlace(c.User.Lang, t),
		c.Get("name"), atoi(c.Get("age")), place.Name(c.Get("reg_kec"), c.Get("reg_desa")), phoneLine(c))
	if t.SeatsLeft() == 0 {
		text += "\n\n" + c.T("training.confirm_full")
	} else {
		text += "\n\n" + c.T("training.confirm_ask")
	}
	return flows.Reply{Text: text, Options: []flows.Option{
		{Key: "yes", Label: c.T("training.opt_confirm")},
		{Key: "no", Label: c.T("training.opt_dont")},
	}}
}

func confirmRegistration(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	if choice != "yes" {
		c.Say(c.T("training.not_registered"))
		return flows.Goto("home")
	}
	t, ok := currentTraining(c)
	if !ok {
		return flows.Goto("detail")
	}
	p, _ := words.ProgramByKey(t.Program)
	ans := answers(c, p)
	reg, err := c.Tx.Register(store.Registration{
		TrainingID: t.ID, UserID: c.User.ID, FullName: c.Get("name"), Age: atoi(c.Get("age")),
		DesaCode: c.Get("reg_desa"), Phone: c.Get("phone"), Answers: ans, Priority: p.Priority(ans),
	}, c.Now)
	switch {
	case errors.Is(err, store.ErrAlreadyRegistered):
		c.Say(c.T("training.already"))
		return flows.Goto("detail")
	case errors.Is(err, store.ErrRegistrationClosed):
		return flows.Goto("detail") // it says the training is closed
	case err != nil:
		return c.Fail(err)
	}
	if err := c.Tx.SyncTrainingReminders(t.ID, c.Loc, c.Now); err != nil {
		return c.Fail(err)
	}
	when := words.When(c.User.Lang, c.Loc, t.StartsAt, t.EndsAt)
	if reg.Status == store.RegWaitlisted {
		c.Say(c.T("training.waitlisted", t.Title, when, reg.Position))
	} else {
		c.Say(c.T("training.registered", t.Title, when, words.TrainingPlace(c.User.Lang, t)))
	}
	return flows.Menu()
}

func minePrompt(c *flows.Ctx) flows.Reply {
	regs, err := c.Tx.UserRegistrations(c.User.ID)
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	var b strings.Builder
	r := flows.Reply{}
	n := 0
	for _, reg := range regs {
		t := reg.Training
		if !t.EndsAt.After(c.Now) {
			continue // past ones are in the attendance history
		}
		n++
		status := c.T("training.status_registered")
		switch {
		case t.Status == store.TrainingCancelled:
			status = c.T("training.status_training_cancelled")
		case reg.Status == store.RegWaitlisted:
			status = c.T("training.status_waitlisted", reg.Position)
		}
		fmt.Fprintf(&b, "\n\n%d. %s\n   %s\n   %s", n, t.Title, words.When(c.User.Lang, c.Loc, t.StartsAt, t.EndsAt), status)
		r.Options = append(r.Options, flows.Option{Key: trainingKey(t.ID), Label: flows.ShortLabel(t.Title)})
	}
	if n == 0 {
		return flows.Reply{Text: c.T("training.mine_none"), Options: []flows.Option{
			{Key: "list", Label: c.T("training.opt_schedule")},
			{Key: "home", Label: c.T("training.opt_home")},
		}}
	}
	r.Text = c.T("training.mine_title") + b.String()
	r.Options = append(r.Options, flows.Option{Key: "home", Label: c.T("training.opt_home")})
	return r
}

func cancelPrompt(c *flows.Ctx) flows.Reply {
	t, ok := currentTraining(c)
	if !ok {
		return flows.Reply{Text: c.T("training.gone")}
	}
	return flows.Reply{
		Text: c.T("training.cancel_question", t.Title, words.When(c.User.Lang, c.Loc, t.StartsAt, t.EndsAt)),
		Options: []flows.Option{
			{Key: "yes", Label: c.T("training.opt_cancel_yes")},
			{Key: "no", Label: c.T("training.opt_cancel_no")},
		},
	}
}

func cancelRegistration(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	if choice != "yes" {
		return flows.Goto("detail")
	}
	t, ok := currentTraining(c)
	if !ok || !open(c, t) {
		return flows.Goto("detail")
	}
	ch, err := ops.CancelRegistration(c.Tx, c.Actor(), t.ID, c.User.ID, c.Now.In(c.Loc))
	if err != nil {
		return c.Fail(err)
	}
	c.Deliver(ch.Result)
	if ch.Outcome != ops.Done {
		return flows.Goto("detail")
	}
	c.Say(c.T("training.cancelled_mine", t.Title))
	return flows.Menu()
}

func takeCode(c *flows.Ctx, in flows.Input, choice string) flows.Next {
	if in.Kind != flows.KindText {
		c.Say(c.T("training.code_unknown"))
		return flows.Stay()
	}
	if checkIn(c, in.Text) {
		return flows.Menu()
	}
	return flows.Stay()
}

// checkIn records a person's attendance from the code staff show on the
// day. It says what happened and tells whether the check-in is over
// (recorded, or nothing more this person can do with this code).
func checkIn(c *flows.Ctx, text string) bool {
	code, ok := normalizeAttendanceCode(text)
	if !ok {
		c.Say(c.T("training.code_unknown"))
		return false
	}
	ci, err := ops.CheckInByCode(c.Tx, c.Actor(), code, c.Now.In(c.Loc))
	if err != nil {
		c.Fail(err)
		return false
	}
	t := ci.Training
	switch {
	case ci.Outcome == ops.NotFound:
		key := "training.code_unknown"
		if near, err := nearAttendanceCode(c, code); err != nil {
			c.Fail(err)
			return false
		} else if near {
			key = "training.code_mismatch"
		}
		c.Say(c.T(key))
		return false
	case ci.Why == ops.WhyCheckinEarly:
		c.Say(c.T(ci.Why, t.Title, words.When(c.User.Lang, c.Loc, t.StartsAt, t.EndsAt)))
	case ci.Outcome == ops.Refused:
		c.Say(c.T(ci.Why, t.Title))
	case ci.Outcome == ops.AlreadyDone:
		c.Say(c.T("training.code_already", t.Title, words.Clock(c.User.Lang, ci.Registration.AttendedAt.In(c.Loc))))
	default:
		c.Say(c.T("training.checked_in", ci.Registration.FullName, t.Title))
	}
	return true
}

func historyPrompt(c *flows.Ctx) flows.Reply {
	regs, err := c.Tx.UserRegistrations(c.User.ID)
	if err != nil {
		c.Fail(err)
		return flows.Reply{}
	}
	var lines []string
	for _, reg := range regs {
		t := reg.Training
		if reg.Status != store.RegRegistered || t.Status != store.TrainingScheduled ||
			t.StartsAt.After(c.Now) && reg.AttendedAt.IsZero() {
			continue // not held yet, or never had a seat
		}
		mark := c.T("training.history_absent")
		if !reg.AttendedAt.IsZero() {
			mark = c.T("training.history_present")
		} else if t.EndsAt.After(c.Now) {
			mark = c.T("training.history_ongoing")
		}
		lines = append(lines, fmt.Sprintf("%d. %s\n   %s\n   %s", len(lines)+1, t.Title,
			words.Date(c.User.Lang, t.StartsAt.In(c.Loc)), mark))
	}
	back := []flows.Option{{Key: "home", Label: c.T("training.opt_home")}}
	if len(lines) == 0 {
		return flows.Reply{Text: c.T("training.history_none"), Options: back}
	}
	return flows.Reply{Text: c.T("training.history_title") + "\n\n" + strings.Join(lines, "\n\n"), Options: back}
}
