// Package training is trainings: finding one, registering or joining
// the waitlist, checking in, and the staff's side (sessions, people,
// messages, imports).
package training
