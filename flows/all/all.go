// Package all builds klabot's conversation: the engine with every
// feature, in the order their entries and commands are offered.
package all

import (
	"klabot/flows"
	"klabot/flows/broadcast"
	"klabot/flows/menu"
	"klabot/flows/privacy"
	"klabot/flows/recap"
	"klabot/flows/reminders"
	"klabot/flows/report"
	"klabot/flows/training"
)

// Features are every feature's Add, in order.
var Features = []func(*flows.Engine){
	menu.Add,
	report.Add,
	training.Add,
	broadcast.Add,
	reminders.Add,
	privacy.Add,
	recap.Add,
	report.AddAsking,
	menu.AddDashboard,
}

// NewEngine makes the engine klabot runs.
func NewEngine(cfg flows.Config) *flows.Engine { return flows.NewEngine(cfg, Features...) }
