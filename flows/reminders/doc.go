// Package reminders is "Pengingat saya", the staff's recurring
// reminders, and the texts of the reminders klabot sends on its own
// (trainings, report follow-ups, the staff digest).
package reminders
