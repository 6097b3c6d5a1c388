package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // WIB must work on machines without a zoneinfo database

	"klabot/bot/telegram"
	"klabot/locales"
)

// config is klabot's settings, from flags and KLABOT_* environment variables.
type config struct {
	DataDir          string
	TelegramToken    string
	TelegramEndpoint string
	Staff            map[string]bool
	Location         *time.Location
	Lang             string
	TelegramRate     float64
	// TelegramPerChatRate is messages per second to one chat: Telegram
	// allows about one; tests raise it to stay fast.
	TelegramPerChatRate float64
	LogLevel            string
	// WhatsApp connects the session stored by "klabot whatsapp login".
	WhatsApp bool
	// Pacing of WhatsApp reminders and broadcasts: a pause between Min and
	// Max after each, at most DailyCap a day.
	WhatsAppBulkMin, WhatsAppBulkMax time.Duration
	WhatsAppDailyCap                 int
	// RetentionDays: personal details of closed reports and past
	// registrations are removed after this many days.
	RetentionDays int
}

// configError is a bad setting: one clear line, exit code 2.
type configError struct{ setting, why string }

func (e *configError) Error() string { return e.setting + ": " + e.why }

// setting is one configuration value with its flag and environment names.
type setting struct {
	env, flag, def, usage string
	value                 *string
}

func settings(raw map[string]*string) []setting {
	s := []setting{
		{"KLABOT_DATA_DIR", "data-dir", "./data", "folder for klabot.db and files (created with mode 0700)", nil},
		{"KLABOT_TELEGRAM_TOKEN", "telegram-token", "", "Telegram bot token from @BotFather; Telegram is on when set", nil},
		{"KLABOT_TELEGRAM_API_ENDPOINT", "telegram-api-endpoint", telegram.DefaultEndpoint, "Bot API endpoint, a format with two %s (token, method)", nil},
		{"KLABOT_TELEGRAM_RATE", "telegram-rate", "30", "Telegram messages per second overall", nil},
		{"KLABOT_TELEGRAM_PER_CHAT_RATE", "telegram-per-chat-rate", "1", "Telegram messages per second to one chat", nil},
		{"KLABOT_STAFF", "staff-contacts", "", "staff contacts, comma separated: telegram:<user id>, whatsapp:<62...>", nil},
		{"KLABOT_TIMEZONE", "timezone", "Asia/Pontianak", "time zone for dates and schedules (WIB)", nil},
		{"KLABOT_LANG", "lang", locales.Default, "language for new people: id or en", nil},
		{"KLABOT_LOG_LEVEL", "log-level", "info", "debug, info, warn or error", nil},
		{"KLABOT_WHATSAPP", "whatsapp", "off", `on: connect WhatsApp with the number linked by "klabot whatsapp login"`, nil},
		{"KLABOT_WHATSAPP_BULK_MIN", "whatsapp-bulk-min", "4s", "shortest pause after each WhatsApp reminder or broadcast message", nil},
		{"KLABOT_WHATSAPP_BULK_MAX", "whatsapp-bulk-max", "8s", "longest pause after each WhatsApp reminder or broadcast message", nil},
		{"KLABOT_WHATSAPP_DAILY_CAP", "whatsapp-daily-cap", "300", "most WhatsApp reminders and broadcast messages a day", nil},
		{"KLABOT_RETENTION_DAYS", "retention-days", "730", "days after which personal details of closed reports and past trainings' registrations are deleted", nil},
	}
	for i := range s {
		v := raw[s[i].env]
		if v == nil {
			v = new(string)
			raw[s[i].env] = v
		}
		s[i].value = v
	}
	return s
}

// loadConfig reads flags (which win) and the environment.
func loadConfig(fs *flag.FlagSet, args []string, getenv func(string) string) (config, error) {
	raw := map[string]*string{}
	all := settings(raw)
	for _, s := range all {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		fs.StringVar(s.value, s.flag, def, s.usage+" (env "+s.env+")")
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	get := func(env string) string { return strings.TrimSpace(*raw[env]) }

	var c config
	var err error
	c.DataDir = get("KLABOT_DATA_DIR")
	if c.DataDir == "" {
		return c, &configError{"KLABOT_DATA_DIR", "must not be empty"}
	}
	c.TelegramToken = get("KLABOT_TELEGRAM_TOKEN")
	if c.TelegramToken != "" && !tokenPattern.MatchString(c.TelegramToken) {
		return c, &configError{"KLABOT_TELEGRAM_TOKEN", "does not look like a bot token (it should be like 123456:ABC-def...)"}
	}
	c.TelegramEndpoint = get("KLABOT_TELEGRAM_API_ENDPOINT")
	if strings.Count(c.TelegramEndpoint, "%s") != 2 || strings.Count(c.TelegramEndpoint, "%") != 2 ||
		!(strings.HasPrefix(c.TelegramEndpoint, "http://") || strings.HasPrefix(c.TelegramEndpoint, "https://")) {
		return c, &configError{"KLABOT_TELEGRAM_API_ENDPOINT", "must be an http(s) address with two %s, like https://api.telegram.org/bot%s/%s"}
	}
	if c.TelegramRate, err = strconv.ParseFloat(get("KLABOT_TELEGRAM_RATE"), 64); err != nil || c.TelegramRate <= 0 || c.TelegramRate > 10000 {
		return c, &configError{"KLABOT_TELEGRAM_RATE", "must be a number of messages per second, e.g. 30"}
	}
	if c.TelegramPerChatRate, err = strconv.ParseFloat(get("KLABOT_TELEGRAM_PER_CHAT_RATE"), 64); err != nil ||
		c.TelegramPerChatRate <= 0 || c.TelegramPerChatRate > 10000 {
		return c, &configError{"KLABOT_TELEGRAM_PER_CHAT_RATE", "must be a number of messages per second to one chat, e.g. 1"}
	}
	if c.Staff, err = parseStaff(get("KLABOT_STAFF")); err != nil {
		return c, &configError{"KLABOT_STAFF", err.Error()}
	}
	if c.Location, err = time.LoadLocation(get("KLABOT_TIMEZONE")); err != nil || get("KLABOT_TIMEZONE") == "" {
		return c, &configError{"KLABOT_TIMEZONE", fmt.Sprintf("unknown time zone %q (use e.g. Asia/Pontianak)", get("KLABOT_TIMEZONE"))}
	}
	c.Lang = get("KLABOT_LANG")
	if !locales.Supported(c.Lang) {
		return c, &configError{"KLABOT_LANG", fmt.Sprintf("%q is not supported (use id or en)", c.Lang)}
	}
	c.LogLevel = strings.ToLower(get("KLABOT_LOG_LEVEL"))
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return c, &configError{"KLABOT_LOG_LEVEL", "must be debug, info, warn or error"}
	}
	switch strings.ToLower(get("KLABOT_WHATSAPP")) {
	case "on", "yes", "true", "1":
		c.WhatsApp = true
	case "off", "no", "false", "0", "":
	default:
		return c, &configError{"KLABOT_WHATSAPP", "must be on or off"}
	}
	if c.WhatsAppBulkMin, err = parsePause(get("KLABOT_WHATSAPP_BULK_MIN")); err != nil {
		return c, &configError{"KLABOT_WHATSAPP_BULK_MIN", err.Error()}
	}
	if c.WhatsAppBulkMax, err = parsePause(get("KLABOT_WHATSAPP_BULK_MAX")); err != nil {
		return c, &configError{"KLABOT_WHATSAPP_BULK_MAX", err.Error()}
	}
	if c.WhatsAppBulkMax < c.WhatsAppBulkMin {
		return c, &configError{"KLABOT_WHATSAPP_BULK_MAX", "must not be shorter than KLABOT_WHATSAPP_BULK_MIN"}
	}
	c.WhatsAppDailyCap, err = strconv.Atoi(get("KLABOT_WHATSAPP_DAILY_CAP"))
	if err != nil || c.WhatsAppDailyCap < 1 || c.WhatsAppDailyCap > 10000 {
		return c, &configError{"KLABOT_WHATSAPP_DAILY_CAP", "must be a number of messages a day, from 1 to 10000 (e.g. 300)"}
	}
	c.RetentionDays, err = strconv.Atoi(get("KLABOT_RETENTION_DAYS"))
	if err != nil || c.RetentionDays < 30 || c.RetentionDays > 36500 {
		return c, &configError{"KLABOT_RETENTION_DAYS", "must be a number of days, from 30 to 36500 (e.g. 730)"}
	}
	return c, nil
}

// parsePause reads a pause between bulk WhatsApp messages: "4s", "1m", or
// a plain number of seconds. Less than a second would risk a ban.
func parsePause(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if n, nerr := strconv.Atoi(s); nerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	if err != nil || d < time.Second || d > time.Hour {
		return 0, errors.New("must be a pause from 1s to 1h, like 4s")
	}
	return d, nil
}

var (
	tokenPattern  = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	telegramStaff = regexp.MustCompile(`^telegram:[0-9]+$`)
	whatsappStaff = regexp.MustCompile(`^whatsapp:62[0-9]{7,13}$`)
)

// parseStaff reads "telegram:123, whatsapp:62812..." into a set of contacts.
func parseStaff(s string) (map[string]bool, error) {
	staff := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !telegramStaff.MatchString(item) && !whatsappStaff.MatchString(item) {
			return nil, fmt.Errorf("%q is not telegram:<user id> or whatsapp:<number starting with 62>", item)
		}
		staff[item] = true
	}
	return staff, nil
}

// prepareDataDir creates the data folder (or makes an existing one)
// readable by the owner only.
func prepareDataDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", &configError{"KLABOT_DATA_DIR", err.Error()}
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", &configError{"KLABOT_DATA_DIR", fmt.Sprintf("cannot create %s: %v", abs, errors.Unwrap(err))}
	}
	if info, err := os.Stat(abs); err != nil || !info.IsDir() {
		return "", &configError{"KLABOT_DATA_DIR", abs + " is not a folder"}
	}
	// A folder that was already there keeps its mode: make it private too.
	if err := os.Chmod(abs, 0o700); err != nil {
		return "", &configError{"KLABOT_DATA_DIR", fmt.Sprintf("cannot make %s private: %v", abs, errors.Unwrap(err))}
	}
	return abs, nil
}
