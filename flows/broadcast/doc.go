// Package broadcast is staff sending one message to many: the
// audience, the message and its photo, when to send, and managing sent
// and scheduled broadcasts.
package broadcast
