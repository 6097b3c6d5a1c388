package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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
	// WebAddr is where the staff dashboard listens ("" when off); WebURL
	// is the address its sign-in links use; WebMetrics opens /metrics
	// without a sign-in.
	WebAddr, WebURL string
	WebMetrics      bool
}

// configError is a bad setting: one clear line naming it, exit code 2.
type configError struct {
	setting string
	why     problem
}

func badSetting(setting, key string, args ...any) *configError {
	return &configError{setting, problem{key, args}}
}

func (e *configError) text(lang string) string {
	return e.setting + ": " + locales.T(lang, e.why.key, e.why.args...)
}

func (e *configError) Error() string { return e.text(locales.Default) }

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
		{"KLABOT_LANG", "lang", locales.Default, "language for new people and for klabot's messages here: id or en", nil},
		{"KLABOT_LOG_LEVEL", "log-level", "info", "debug, info, warn or error", nil},
		{"KLABOT_WHATSAPP", "whatsapp", "off", `on: connect WhatsApp with the number linked by "klabot whatsapp login"`, nil},
		{"KLABOT_WHATSAPP_BULK_MIN", "whatsapp-bulk-min", "15s", "shortest pause after each WhatsApp reminder or broadcast message", nil},
		{"KLABOT_WHATSAPP_BULK_MAX", "whatsapp-bulk-max", "45s", "longest pause after each WhatsApp reminder or broadcast message", nil},
		{"KLABOT_WHATSAPP_DAILY_CAP", "whatsapp-daily-cap", "200", "most WhatsApp reminders and broadcast messages a day (fewer for a newly linked number)", nil},
		{"KLABOT_RETENTION_DAYS", "retention-days", "730", "days after which personal details of closed reports and past trainings' registrations are deleted", nil},
		{"KLABOT_WEB_ADDR", "web-addr", "127.0.0.1:8080", "where the staff dashboard listens (host:port), or off", nil},
		{"KLABOT_WEB_URL", "web-url", "", "the dashboard's address in sign-in links (default http:// and KLABOT_WEB_ADDR)", nil},
		{"KLABOT_WEB_METRICS", "web-metrics", "off", "on: /metrics without signing in (for Prometheus on the LAN)", nil},
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

// usedSettings are the settings named by env (all of them for nil), in
// the settings' order. An unknown name is a programming error.
func usedSettings(envs []string) []setting {
	all := settings(map[string]*string{})
	if envs == nil {
		return all
	}
	var out []setting
	for _, s := range all {
		if slices.Contains(envs, s.env) {
			out = append(out, s)
		}
	}
	if len(out) != len(envs) {
		panic(fmt.Sprintf("unknown setting among %v", envs))
	}
	return out
}

// boundSettings are the raw values of every setting, from the flags of
// those a command uses and from the environment.
type boundSettings map[string]*string

// bindSettings gives fs a flag for each setting named in uses (all for
// nil); the others come from the environment alone. Every setting is
// checked all the same: one bad value in the office's settings is said
// whichever command meets it first.
func bindSettings(fs *flag.FlagSet, getenv func(string) string, uses []string) boundSettings {
	raw := boundSettings{}
	flagged := usedSettings(uses)
	for _, s := range settings(raw) {
		value := s.def
		if v := getenv(s.env); v != "" {
			value = v
		}
		*s.value = value
		if slices.ContainsFunc(flagged, func(f setting) bool { return f.env == s.env }) {
			fs.StringVar(s.value, s.flag, value, s.usage+" (env "+s.env+")")
		}
	}
	return raw
}

// lang is the language for klabot's messages, even before the other
// settings are checked.
func (raw boundSettings) lang() string {
	if lang := strings.TrimSpace(*raw["KLABOT_LANG"]); locales.Supported(lang) {
		return lang
	}
	return locales.Default
}

// config checks the settings, once the flags are parsed: flags win over
// the environment, which wins over the defaults.
func (raw boundSettings) config() (config, error) {
	get := func(env string) string { return strings.TrimSpace(*raw[env]) }

	var c config
	var err error
	var ok bool
	c.DataDir = get("KLABOT_DATA_DIR")
	if c.DataDir == "" {
		return c, badSetting("KLABOT_DATA_DIR", "cli.cfg_empty")
	}
	c.TelegramToken = get("KLABOT_TELEGRAM_TOKEN")
	if c.TelegramToken != "" && !tokenPattern.MatchString(c.TelegramToken) {
		return c, badSetting("KLABOT_TELEGRAM_TOKEN", "cli.cfg_token")
	}
	c.TelegramEndpoint = get("KLABOT_TELEGRAM_API_ENDPOINT")
	if strings.Count(c.TelegramEndpoint, "%s") != 2 || strings.Count(c.TelegramEndpoint, "%") != 2 ||
		!(strings.HasPrefix(c.TelegramEndpoint, "http://") || strings.HasPrefix(c.TelegramEndpoint, "https://")) {
		return c, badSetting("KLABOT_TELEGRAM_API_ENDPOINT", "cli.cfg_endpoint")
	}
	if c.TelegramRate, err = strconv.ParseFloat(get("KLABOT_TELEGRAM_RATE"), 64); err != nil || c.TelegramRate <= 0 || c.TelegramRate > 10000 {
		return c, badSetting("KLABOT_TELEGRAM_RATE", "cli.cfg_rate")
	}
	if c.TelegramPerChatRate, err = strconv.ParseFloat(get("KLABOT_TELEGRAM_PER_CHAT_RATE"), 64); err != nil ||
		c.TelegramPerChatRate <= 0 || c.TelegramPerChatRate > 10000 {
		return c, badSetting("KLABOT_TELEGRAM_PER_CHAT_RATE", "cli.cfg_chat_rate")
	}
	var bad string
	if c.Staff, bad = parseStaff(get("KLABOT_STAFF")); bad != "" {
		return c, badSetting("KLABOT_STAFF", "cli.cfg_staff", bad)
	}
	if c.Location, err = time.LoadLocation(get("KLABOT_TIMEZONE")); err != nil || get("KLABOT_TIMEZONE") == "" {
		return c, badSetting("KLABOT_TIMEZONE", "cli.cfg_timezone", get("KLABOT_TIMEZONE"))
	}
	c.Lang = get("KLABOT_LANG")
	if !locales.Supported(c.Lang) {
		return c, badSetting("KLABOT_LANG", "cli.cfg_lang", c.Lang)
	}
	c.LogLevel = strings.ToLower(get("KLABOT_LOG_LEVEL"))
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return c, badSetting("KLABOT_LOG_LEVEL", "cli.cfg_log_level")
	}
	switch strings.ToLower(get("KLABOT_WHATSAPP")) {
	case "on", "yes", "true", "1":
		c.WhatsApp = true
	case "off", "no", "false", "0", "":
	default:
		return c, badSetting("KLABOT_WHATSAPP", "cli.cfg_on_off")
	}
	if c.WhatsAppBulkMin, ok = parsePause(get("KLABOT_WHATSAPP_BULK_MIN")); !ok {
		return c, badSetting("KLABOT_WHATSAPP_BULK_MIN", "cli.cfg_pause")
	}
	if c.WhatsAppBulkMax, ok = parsePause(get("KLABOT_WHATSAPP_BULK_MAX")); !ok {
		return c, badSetting("KLABOT_WHATSAPP_BULK_MAX", "cli.cfg_pause")
	}
	if c.WhatsAppBulkMax < c.WhatsAppBulkMin {
		return c, badSetting("KLABOT_WHATSAPP_BULK_MAX", "cli.cfg_pause_order")
	}
	c.WhatsAppDailyCap, err = strconv.Atoi(get("KLABOT_WHATSAPP_DAILY_CAP"))
	if err != nil || c.WhatsAppDailyCap < 1 || c.WhatsAppDailyCap > 10000 {
		return c, badSetting("KLABOT_WHATSAPP_DAILY_CAP", "cli.cfg_daily_cap")
	}
	c.RetentionDays, err = strconv.Atoi(get("KLABOT_RETENTION_DAYS"))
	if err != nil || c.RetentionDays < 30 || c.RetentionDays > 36500 {
		return c, badSetting("KLABOT_RETENTION_DAYS", "cli.cfg_retention")
	}
	if c.WebAddr, c.WebURL, err = webSettings(get("KLABOT_WEB_ADDR"), get("KLABOT_WEB_URL")); err != nil {
		return c, err
	}
	switch strings.ToLower(get("KLABOT_WEB_METRICS")) {
	case "on", "yes", "true", "1":
		c.WebMetrics = true
	case "off", "no", "false", "0", "":
	default:
		return c, badSetting("KLABOT_WEB_METRICS", "cli.cfg_on_off")
	}
	return c, nil
}

// parsePause reads a pause between bulk WhatsApp messages: "4s", "1m", or
// a plain number of seconds. Less than a second would risk a ban.
func parsePause(s string) (time.Duration, bool) {
	d, err := time.ParseDuration(s)
	if n, nerr := strconv.Atoi(s); nerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	if err != nil || d < time.Second || d > time.Hour {
		return 0, false
	}
	return d, true
}

var (
	tokenPattern  = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	telegramStaff = regexp.MustCompile(`^telegram:[0-9]+$`)
	whatsappStaff = regexp.MustCompile(`^whatsapp:62[0-9]{7,13}$`)
)

// parseStaff reads "telegram:123, whatsapp:62812..." into a set of
// contacts; bad is the first item that is neither.
func parseStaff(s string) (staff map[string]bool, bad string) {
	staff = map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !telegramStaff.MatchString(item) && !whatsappStaff.MatchString(item) {
			return nil, item
		}
		staff[item] = true
	}
	return staff, ""
}

// prepareDataDir creates the data folder (or makes an existing one)
// readable by the owner only.
func prepareDataDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", badSetting("KLABOT_DATA_DIR", "cli.cfg_dir_create", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", badSetting("KLABOT_DATA_DIR", "cli.cfg_dir_create", abs, errors.Unwrap(err))
	}
	if info, err := os.Stat(abs); err != nil || !info.IsDir() {
		return "", badSetting("KLABOT_DATA_DIR", "cli.cfg_dir_not_folder", abs)
	}
	// A folder that was already there keeps its mode: make it private too.
	if err := os.Chmod(abs, 0o700); err != nil {
		return "", badSetting("KLABOT_DATA_DIR", "cli.cfg_dir_private", abs, errors.Unwrap(err))
	}
	return abs, nil
}

// webSettings reads the dashboard's address ("off" turns it off) and the
// base address of its links.
func webSettings(addr, base string) (string, string, error) {
	if strings.EqualFold(addr, "off") || addr == "" {
		return "", "", nil
	}
	host, port, err := net.SplitHostPort(addr)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 {
		return "", "", badSetting("KLABOT_WEB_ADDR", "cli.cfg_web_addr")
	}
	if base == "" {
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		base = "http://" + net.JoinHostPort(host, port)
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", "", badSetting("KLABOT_WEB_URL", "cli.cfg_web_url")
	}
	return addr, strings.TrimRight(base, "/"), nil
}
