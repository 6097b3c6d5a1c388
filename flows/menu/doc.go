// Package menu is the main menu, the language choice and the staff
// menu, linking a person's chats on two channels, and the staff's sign-in
// link to the web dashboard.
package menu
