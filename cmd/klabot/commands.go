package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"klabot/locales"
	"klabot/store"
)

// command is one thing klabot does, as "klabot <name>".
type command struct {
	name    string // one word, or two for a group: "whatsapp login"
	args    string // what follows the name in the list of commands
	summary string // its one line in that list
	about   string // what "klabot <name> -h" says besides the flags
	// operand is the word the command takes besides its flags (a kind, a
	// file), as the locale key that names it; "" when it takes none.
	operand string
	// settings are the KLABOT_* settings it uses: its -h lists them and it
	// takes their flags. nil means all of them.
	settings []string
	// lock holds the data folder's lock while the command runs, so that
	// "klabot restore" refuses to swap the database under it.
	lock bool
	// store opens klabot.db for the command.
	store bool
	// setup adds the command's own flags and returns what it does once
	// they are read.
	setup func(fs *flag.FlagSet) action
}

// action is a command's own work, after the shared opening.
type action func(ctx context.Context, c *invocation) int

// invocation is what a command works with.
type invocation struct {
	cmd            *command
	cfg            config
	operand        string    // the word the command takes, if any
	db             *store.DB // when the command asked for it
	log            *slog.Logger
	stdin          io.Reader
	stdout, stderr io.Writer
}

// Settings that several commands use.
var (
	fileSettings     = []string{"KLABOT_DATA_DIR", "KLABOT_TIMEZONE", "KLABOT_LANG"}
	whatsappSettings = []string{"KLABOT_DATA_DIR", "KLABOT_LANG", "KLABOT_LOG_LEVEL"}
)

// commands are all of klabot's commands, in the order "klabot -h" lists them.
var commands = []*command{
	{name: "run", args: "[flags]", summary: "start every configured channel (what klabot does with no command)",
		about: runAbout, lock: true, store: true, setup: runSetup},
	{name: "console", args: "[--staff]", summary: "chat with the bot in this terminal",
		about:    "Chats with klabot in this terminal, through the same conversations and database as\nthe channels. Reminders and broadcasts reach the console too.",
		settings: []string{"KLABOT_DATA_DIR", "KLABOT_STAFF", "KLABOT_TIMEZONE", "KLABOT_LANG", "KLABOT_LOG_LEVEL", "KLABOT_RETENTION_DAYS"},
		lock:     true, store: true, setup: consoleSetup},
	{name: "whatsapp login", args: "[--phone 62...]", summary: "link the office's WhatsApp number (QR code, or a pairing code for --phone)",
		about: whatsappAbout, settings: whatsappSettings, setup: whatsappLoginSetup},
	{name: "whatsapp status", summary: "show which number is linked, and staff who never wrote to it",
		about: whatsappAbout, settings: whatsappStatusSettings, store: true, setup: whatsappStatusSetup},
	{name: "whatsapp logout", args: "[--force]", summary: "unlink the number (stop klabot first)",
		about: whatsappAbout, settings: whatsappSettings, setup: whatsappLogoutSetup},
	{name: "trainings import", args: "FILE.csv", summary: "add training sessions from a CSV file",
		about: trainingsAbout, operand: "cli.arg_trainings_csv", settings: fileSettings, store: true, setup: trainingsSetup},
	{name: "export", args: "KIND [--from --to --format --out]", summary: "a spreadsheet of reports, registrations, attendance or broadcasts",
		about: exportAbout, operand: "cli.arg_export_kind", settings: fileSettings, store: true, setup: exportSetup},
	{name: "recap", args: "[--month 2026-11] [--out FILE.xlsx]", summary: "the monthly KLA recap (XLSX and chart)",
		about: recapAbout, settings: fileSettings, store: true, setup: recapSetup},
	{name: "backup", args: "[--out FILE]", summary: "copy the database, safe while klabot runs",
		about: backupAbout, settings: fileSettings, store: true, setup: backupSetup},
	{name: "restore", args: "[--yes] FILE", summary: "put a backup back (stop klabot first)",
		about: restoreAbout, operand: "cli.arg_backup_file", settings: fileSettings, setup: restoreSetup},
}

// run is main without the process: testable, and it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) > 0 && (isHelpFlag(args[0]) || args[0] == "help") {
		topic := args[1:] // "klabot help export"
		if cmd, rest := findCommand(topic); len(topic) > 0 && cmd != nil && len(rest) == 0 {
			cmd.printHelp(stdout)
		} else if len(topic) == 1 && hasGroup(topic[0]+" ") {
			printCommands(stdout, topic[0]+" ")
		} else {
			printCommands(stdout, "")
		}
		return 0
	}
	cmd, rest := findCommand(args)
	if cmd == nil {
		return unknownCommand(args, stdout, stderr, getenv)
	}
	return cmd.invoke(ctx, rest, stdin, stdout, stderr, getenv)
}

// findCommand picks the command args name, and returns the words after
// its name. With no command named, klabot runs.
func findCommand(args []string) (*command, []string) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return commands[0], args
	}
	for _, cmd := range commands {
		words := strings.Fields(cmd.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == cmd.name {
			return cmd, args[len(words):]
		}
	}
	return nil, nil
}

// unknownCommand answers a command klabot does not have: a group's name
// with no command after it ("klabot whatsapp") gets the group's commands,
// anything else one line; exit 2 both.
func unknownCommand(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	group := args[0] + " "
	if hasGroup(group) {
		switch {
		case len(args) > 1 && isHelpFlag(args[1]):
			printCommands(stdout, group)
			return 0
		case len(args) == 1 || strings.HasPrefix(args[1], "-"):
			printCommands(stderr, group)
			return 2
		}
		args = args[:2]
	} else {
		args = args[:1]
	}
	say(stderr, locales.T(envLang(getenv), "cli.unknown_command", strings.Join(args, " ")))
	return 2
}

func hasGroup(prefix string) bool {
	for _, cmd := range commands {
		if strings.HasPrefix(cmd.name, prefix) {
			return true
		}
	}
	return false
}

func isHelpFlag(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "--h":
		return true
	}
	return false
}

// invoke is the opening every command shares: its flags and settings,
// help, the word it takes and no other, the data folder and, when asked
// for, the database. Mistakes get one line and exit code 2; a database
// that cannot be opened, exit code 1.
func (cmd *command) invoke(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := newFlagSet(io.Discard) // klabot says what went wrong itself, in one line
	fs.Usage = func() {}
	act := cmd.setup(fs)
	settings := bindSettings(fs, getenv, cmd.settings)
	words, err := parseInterspersed(fs, args)
	lang := settings.lang()
	if errors.Is(err, flag.ErrHelp) {
		cmd.printHelp(stdout)
		return 0
	}
	if err != nil {
		say(stderr, flagProblem(lang, cmd.name, err))
		return 2
	}
	cfg, err := settings.config()
	if err != nil {
		say(stderr, explain(lang, err))
		return 2
	}
	c := &invocation{cmd: cmd, cfg: cfg, stdin: stdin, stdout: stdout, stderr: stderr}
	if cmd.operand != "" && len(words) > 0 {
		c.operand, words = words[0], words[1:]
	}
	switch {
	case len(words) > 0:
		// "klabot recap 2026-11" instead of --month 2026-11: ignoring the
		// word would do something else than asked.
		say(stderr, locales.T(lang, "cli.unexpected", strings.Join(words, " "), cmd.name))
		return 2
	case cmd.operand != "" && c.operand == "":
		say(stderr, locales.T(lang, "cli.missing", locales.T(lang, cmd.operand), cmd.name))
		return 2
	}
	if c.cfg.DataDir, err = prepareDataDir(cfg.DataDir); err != nil {
		say(stderr, explain(lang, err))
		return 2
	}
	c.log = newLogger(stderr, cfg.LogLevel, cmd.name != "run", cfg.Location)
	if cmd.lock {
		// A second klabot on the same folder only warns, in the staff's
		// words: a log line would read as English in a chat terminal.
		if release, err := lockDataDir(c.cfg.DataDir); err == nil {
			defer release()
		} else {
			say(stderr, locales.T(lang, "cli.data_dir_busy", c.cfg.DataDir))
		}
	}
	if cmd.store {
		if c.db, err = store.Open(ctx, filepath.Join(c.cfg.DataDir, "klabot.db")); err != nil {
			return c.fail(1, err)
		}
		defer c.db.Close()
	}
	return act(ctx, c)
}

// parseInterspersed reads flags wherever they are among the words
// ("klabot restore FILE --yes" as well as "klabot restore --yes FILE"),
// and returns the words. After "--" every word is a word.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return words, nil
		}
		if len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(words, rest...), nil
		}
		words, args = append(words, rest[0]), rest[1:]
	}
}

// flagProblem says in the staff's language what the flag package found
// wrong (its messages are fixed English sentences).
func flagProblem(lang, cmdName string, err error) string {
	msg := err.Error()
	flagName := func(prefix string) string { return "--" + strings.TrimLeft(strings.TrimPrefix(msg, prefix), "-") }
	switch {
	case strings.HasPrefix(msg, "flag provided but not defined: "):
		return locales.T(lang, "cli.flag_unknown", flagName("flag provided but not defined: "), cmdName)
	case strings.HasPrefix(msg, "flag needs an argument: "):
		return locales.T(lang, "cli.flag_no_value", flagName("flag needs an argument: "), cmdName)
	}
	return locales.T(lang, "cli.flag_bad", msg, cmdName)
}

// explain says why something failed, in one line in the staff's language
// where klabot knows the reason.
func explain(lang string, err error) string {
	var bad *store.BadFileError
	var newer *store.NewerDatabaseError
	var setting *configError
	var mistake *problem
	switch {
	case errors.As(err, &newer):
		return locales.T(lang, "cli.db_newer", newer.File, newer.Version, newer.Known)
	case errors.As(err, &bad) && bad.Kind == store.NotAFile:
		return locales.T(lang, "cli.file_not_file", bad.File)
	case errors.As(err, &bad) && bad.Kind == store.NotKlabot:
		return locales.T(lang, "cli.file_not_klabot", bad.File)
	case errors.As(err, &bad):
		return locales.T(lang, "cli.file_damaged", bad.File)
	case errors.As(err, &setting):
		return setting.text(lang)
	case errors.As(err, &mistake):
		return locales.T(lang, mistake.key, mistake.args...)
	}
	return err.Error()
}

// problem is a mistake in what was asked, as the locale key that
// explains it.
type problem struct {
	key  string
	args []any
}

func (p *problem) Error() string { return locales.T(locales.Default, p.key, p.args...) }

// say prints one line for the person at the terminal.
func say(w io.Writer, line string) { fmt.Fprintln(w, "klabot: "+line) }

// fail prints why the command stopped and returns code.
func (c *invocation) fail(code int, err error) int {
	say(c.stderr, explain(c.cfg.Lang, err))
	return code
}

// refuse prints a locale line saying what is wrong with what was asked,
// and returns code.
func (c *invocation) refuse(code int, key string, args ...any) int {
	return c.fail(code, &problem{key, args})
}

// t is a text in the staff's language.
func (c *invocation) t(key string, args ...any) string { return locales.T(c.cfg.Lang, key, args...) }

// envLang is the staff's language before the settings are read.
func envLang(getenv func(string) string) string {
	if lang := strings.TrimSpace(getenv("KLABOT_LANG")); locales.Supported(lang) {
		return lang
	}
	return locales.Default
}

const listIntro = `klabot: the child-protection chatbot of Kabupaten Bengkayang.

Commands:
`

const listOutro = `
"klabot COMMAND -h" (or "klabot help COMMAND") lists a command's flags and
the settings it uses; each setting is also a KLABOT_* environment variable
(see README.md, "Configuration").
`

// printCommands lists the commands whose names start with prefix (all for
// ""), one line each.
func printCommands(w io.Writer, prefix string) {
	if prefix == "" {
		fmt.Fprint(w, listIntro)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, cmd := range commands {
		if strings.HasPrefix(cmd.name, prefix) {
			fmt.Fprintf(tw, "  %s\t%s\n", strings.TrimSpace("klabot "+cmd.name+" "+cmd.args), cmd.summary)
		}
	}
	tw.Flush()
	if prefix == "" {
		fmt.Fprint(w, listOutro)
	}
}

// printHelp is "klabot <name> -h": how to call the command, its own flags,
// and the settings it uses.
func (cmd *command) printHelp(w io.Writer) {
	fs := newFlagSet(io.Discard)
	cmd.setup(fs)
	about := cmd.about
	if about == "" {
		about = cmd.summary
	}
	fmt.Fprintf(w, "Usage:\n  %s\n\n%s\n", strings.TrimSpace("klabot "+cmd.name+" "+cmd.args), about)
	own := false
	fs.VisitAll(func(f *flag.Flag) {
		if !own {
			fmt.Fprint(w, "\nFlags:\n")
			own = true
		}
		name, usage := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + name
		}
		if f.DefValue != "" && f.DefValue != "false" && !strings.Contains(usage, "default") {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "  --%s%s\n        %s\n", f.Name, name, usage)
	})
	fmt.Fprint(w, "\nSettings (each a flag, or its environment variable):\n")
	for _, s := range usedSettings(cmd.settings) {
		def := ""
		if s.def != "" {
			def = ", default " + s.def
		}
		fmt.Fprintf(w, "  --%s, %s%s\n        %s\n", s.flag, s.env, def, s.usage)
	}
}

const whatsappAbout = `Links the office's WhatsApp number to klabot as a linked device (see
README.md, "WhatsApp"); then start klabot with KLABOT_WHATSAPP=on.`

func whatsappLoginSetup(fs *flag.FlagSet) action {
	phone := fs.String("phone", "", "link with a pairing code for this `number` (62...) instead of a QR code")
	return func(ctx context.Context, c *invocation) int {
		return whatsappCommand(ctx, "login", *phone, false, nil, c.cfg, c.stdout, c.stderr)
	}
}

func whatsappStatusSetup(*flag.FlagSet) action {
	return func(ctx context.Context, c *invocation) int {
		return whatsappCommand(ctx, "status", "", false, c.db, c.cfg, c.stdout, c.stderr)
	}
}

func whatsappLogoutSetup(fs *flag.FlagSet) action {
	force := fs.Bool("force", false, "delete the link on this server even when WhatsApp does not confirm the logout")
	return func(ctx context.Context, c *invocation) int {
		return whatsappCommand(ctx, "logout", "", *force, nil, c.cfg, c.stdout, c.stderr)
	}
}
