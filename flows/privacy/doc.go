// Package privacy is what a person can learn of the data klabot keeps
// about them, and erasing it.
package privacy
