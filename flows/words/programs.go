package words

// Program is one of the regency's training programmes and who may
// join it. Every text is a locale key, so that the locale test sees them.
type Program struct {
	Key   string // stored with each training; also a column value of the CSV import
	Label string // short name for an option, at most 20 characters
	Name  string // full name
	// MinAge and MaxAge bound the participant's age, inclusive (0: none).
	MinAge, MaxAge int
	// TooYoung and TooOld kindly say no, and where else to find help.
	TooYoung, TooOld string
	// Questions are asked after the common ones (name, age, desa, phone),
	// after Intro when there is one.
	Intro     string
	Questions []ProgramQuestion
}

// ProgramQuestion is a yes/no question of a programme.
type ProgramQuestion struct {
	Key  string // key in the registration's answers
	Text string
	// Weight is added to the registration's priority on "yes": on a full
	// training, the people waiting with the highest priority get a freed
	// seat first.
	Weight int
	// Required questions end the registration kindly on "no" (Refusal says
	// what to do instead); nothing is saved.
	Required bool
	Refusal  string
}

// Programs are the programmes, in the order people see them.
var Programs = []Program{
	{
		// WIKAPA: small-business training, capital and mentoring for
		// vulnerable families; the household questions set the priority.
		Key: "wikapa", Label: "training.program_wikapa", Name: "training.program_wikapa_name",
		MinAge: 18, TooYoung: "training.age_adult_only", Intro: "training.questions_priority",
		Questions: []ProgramQuestion{
			{Key: "extreme_poor", Text: "training.q_extreme_poor", Weight: 1},
			{Key: "child_dropout_risk", Text: "training.q_child_dropout_risk", Weight: 1},
			{Key: "female_head", Text: "training.q_female_head", Weight: 1},
		},
	},
	{
		// Vocational training and entrepreneurship bootcamps for teenagers
		// aged 15-17 who dropped out of school or are at risk of it.
		Key: "remaja", Label: "training.program_remaja", Name: "training.program_remaja_name",
		MinAge: 15, MaxAge: 17, TooYoung: "training.age_remaja_young", TooOld: "training.age_remaja_old",
		Questions: []ProgramQuestion{
			{Key: "guardian_ok", Text: "training.q_guardian_ok", Required: true, Refusal: "training.guardian_needed"},
			{Key: "out_of_school", Text: "training.q_out_of_school", Weight: 1},
		},
	},
	{
		// The mandatory family modules for transmigrant families: children's
		// rights, positive discipline, health, nutrition and education.
		Key: "transmigran", Label: "training.program_trans", Name: "training.program_trans_name",
		MinAge: 18, TooYoung: "training.age_adult_only",
		Questions: []ProgramQuestion{
			{Key: "transmigrant_family", Text: "training.q_transmigrant_family"},
		},
	},
	{
		Key: "satgas", Label: "training.program_satgas", Name: "training.program_satgas_name",
		MinAge: 18, TooYoung: "training.age_adult_only",
		Questions: []ProgramQuestion{
			{Key: "satgas_member", Text: "training.q_satgas_member"},
		},
	},
	{
		// Forum Anak members are children: a parent or guardian must agree.
		Key: "forum_anak", Label: "training.program_forum", Name: "training.program_forum_name",
		MinAge: 12, MaxAge: 17, TooYoung: "training.age_forum_young", TooOld: "training.age_forum_old",
		Questions: []ProgramQuestion{
			{Key: "guardian_ok", Text: "training.q_guardian_ok", Required: true, Refusal: "training.guardian_needed"},
		},
	},
}

// ProgramByKey finds a programme; ok is false for an unknown key.
func ProgramByKey(key string) (Program, bool) {
	for _, p := range Programs {
		if p.Key == key {
			return p, true
		}
	}
	return Program{}, false
}

// AgeRefusal is the kind refusal for someone this age, or "" when the
// programme is open to them.
func (p Program) AgeRefusal(age int) string {
	switch {
	case p.MinAge > 0 && age < p.MinAge:
		return p.TooYoung
	case p.MaxAge > 0 && age > p.MaxAge:
		return p.TooOld
	}
	return ""
}

// Priority is the waitlist priority that a programme's answers give.
func (p Program) Priority(answers map[string]string) int {
	score := 0
	for _, q := range p.Questions {
		if answers[q.Key] == "yes" {
			score += q.Weight
		}
	}
	return score
}
