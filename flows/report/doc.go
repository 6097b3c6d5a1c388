// Package report is reporting a concern, following one's own reports,
// the staff and volunteer views of them (triage, assignment, notes,
// invites), and asking a reporter a question.
package report
