package flows

// Flow ids that more than one feature names: a feature sends a person to
// another's flow by its id, without importing it. A flow no feature has
// registered answers that it is not ready yet.
const (
	FlowWelcome   = "welcome"
	FlowMenu      = "menu"
	FlowLanguage  = "language"
	FlowStaff     = "staff"
	FlowReport    = "report"
	FlowStatus    = "status"
	FlowTraining  = "training"
	FlowReminders = "reminders"
)
