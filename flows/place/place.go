package place

import (
	"slices"
	"strconv"
	"strings"

	"klabot/flows"
	"klabot/flows/wilayah"
	"klabot/flows/words"
)

// Keys under which PlaceSteps store the answer (prefixed per use).
const (
	Kec  = "kec"  // kecamatan code
	Desa = "desa" // desa code
	Lat  = "lat"  // a shared location pin, when there is no desa
	Lon  = "lon"
)

// desaUnknown and kecUnknown are the choices of a person who does not
// know the village, or the kecamatan.
const (
	desaUnknown = "unknown"
	kecUnknown  = "unknown"
)

// Options tune the place questions for a flow.
type Options struct {
	// Prefix keeps step and data names apart when a flow asks twice.
	Prefix string
	// Next is the step after the place is known.
	Next string
	// AllowPin accepts a shared location pin instead of kecamatan and desa.
	AllowPin bool
	// Home asks where the person lives, not where something happened.
	Home bool
	// MayNotKnowDesa offers "I don't know the village": someone who saw
	// children working between villages may not know which one, and the
	// kecamatan is enough to act on.
	MayNotKnowDesa bool
	// MayNotKnowKec offers "I don't know the kecamatan": a report of a
	// child in danger must not wait on it; the story and a place note can
	// say enough for staff to start asking.
	MayNotKnowKec bool
}

// Steps ask where, forgivingly: the kecamatan (by number or by name,
// typos and short forms like "sgu ledo" welcome), then the desa. A typed
// name that fits several places is asked about again with just those. The
// steps go to opts.Next with the codes in PlaceKec and PlaceDesa.
func Steps(opts Options) map[string]*flows.Step {
	p := opts.Prefix
	kecStep, desaStep := p+"kec", p+"desa"
	choicesKec, choicesDesa := p+"kec_choices", p+"desa_choices"
	desaHint := p + "desa_hint" // a village typed before its kecamatan was known
	return map[string]*flows.Step{
		kecStep: {
			FreeText: true,
			Prompt: func(c *flows.Ctx) flows.Reply {
				if codes := c.Get(choicesKec); codes != "" {
					r := flows.Reply{Text: c.T("place.kec_which")}
					if c.Get(desaHint) != "" {
						r.Text = c.T("place.desa_in_several")
					}
					for _, code := range strings.Split(codes, ",") {
						k, _ := wilayah.KecamatanByCode(code)
						r.Options = append(r.Options, flows.Option{Key: k.Code, Label: k.Name})
					}
					return r
				}
				text := c.T("place.kec_question")
				if opts.Home {
					text = c.T("place.home_kec_question")
				}
				if opts.AllowPin {
					text += "\n" + c.T("place.pin_hint")
				}
				r := flows.Reply{Text: text}
				for _, k := range wilayah.Kecamatans() {
					r.Options = append(r.Options, flows.Option{Key: k.Code, Label: k.Name})
				}
				if opts.MayNotKnowKec {
					r.Options = append(r.Options, flows.Option{Key: kecUnknown, Label: c.T("place.kec_unknown")})
				}
				return r
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				c.Set(choicesKec, "")
				if opts.MayNotKnowKec && choice == kecUnknown {
					for _, k := range []string{Kec, Desa, Lat, Lon} {
						c.Set(p+k, "")
					}
					return flows.Goto(opts.Next)
				}
				if opts.AllowPin && in.Kind == flows.KindLocation {
					return pinned(c, p, in, opts.Next)
				}
				if choice == "" && in.Kind == flows.KindText {
					switch found := wilayah.MatchKecamatan(in.Text); len(found) {
					case 0:
						// Perhaps they typed their village straight away.
						desas := wilayah.MatchDesaAnywhere(in.Text)
						if len(desas) == 1 {
							c.Set(p+Kec, desas[0].KecCode)
							c.Set(p+Desa, desas[0].Code)
							c.Say(c.T("place.found_desa", desas[0].Name, desas[0].KecName))
							return flows.Goto(opts.Next)
						}
						if len(desas) > 1 && len(desas) <= 6 {
							// The same village name in several kecamatan: ask
							// which kecamatan, then take that village there.
							var codes []string
							for _, d := range desas {
								if !slices.Contains(codes, d.KecCode) {
									codes = append(codes, d.KecCode)
								}
							}
							c.Set(choicesKec, strings.Join(codes, ","))
							c.Set(desaHint, in.Text)
							return flows.Stay()
						}
					case 1:
						choice = found[0].Code
					default:
						codes := make([]string, len(found))
						for i, k := range found {
							codes[i] = k.Code
						}
						c.Set(choicesKec, strings.Join(codes, ","))
						return flows.Stay()
					}
				}
				if _, ok := wilayah.KecamatanByCode(choice); !ok {
					// The whole list again after every miss is long to
					// read: from the second, the short hint.
					c.MissedSaying(c.T(NotFoundKey(in, "place.kec_not_found")))
					return flows.Stay()
				}
				c.Set(p+Kec, choice)
				c.Set(p+Desa, "")
				if hint := c.Get(desaHint); hint != "" {
					c.Set(desaHint, "")
					if found := wilayah.MatchDesa(choice, hint); len(found) == 1 {
						c.Set(p+Desa, found[0].Code)
						c.Say(c.T("place.found_desa", found[0].Name, found[0].KecName))
						return flows.Goto(opts.Next)
					}
				}
				return flows.Goto(desaStep)
			},
		},
		desaStep: {
			FreeText: true,
			Prompt: func(c *flows.Ctx) flows.Reply {
				kec, _ := wilayah.KecamatanByCode(c.Get(p + Kec))
				var desas []wilayah.Desa
				text := c.T("place.desa_question", kec.Name)
				if opts.Home {
					text = c.T("place.home_desa_question", kec.Name)
				}
				if codes := c.Get(choicesDesa); codes != "" {
					text = c.T("place.desa_which")
					for _, code := range strings.Split(codes, ",") {
						d, _ := wilayah.DesaByCode(code)
						desas = append(desas, d)
					}
				} else {
					desas = wilayah.DesaOf(kec.Code)
				}
				r := flows.Reply{Text: text}
				for _, d := range desas {
					r.Options = append(r.Options, flows.Option{Key: d.Code, Label: d.Name})
				}
				if opts.MayNotKnowDesa {
					r.Options = append(r.Options, flows.Option{Key: desaUnknown, Label: c.T("place.desa_unknown")})
				}
				return r
			},
			Handle: func(c *flows.Ctx, in flows.Input, choice string) flows.Next {
				c.Set(choicesDesa, "")
				kec := c.Get(p + Kec)
				if opts.MayNotKnowDesa && choice == desaUnknown {
					c.Set(p+Desa, "")
					return flows.Goto(opts.Next)
				}
				if opts.AllowPin && in.Kind == flows.KindLocation {
					return pinned(c, p, in, opts.Next)
				}
				if choice == "" && in.Kind == flows.KindText {
					switch found := wilayah.MatchDesa(kec, in.Text); len(found) {
					case 0:
						if k, ok := kecamatanNamed(in.Text); ok && k.Code != kec {
							// They named another kecamatan: take it, and ask
							// for the desa there.
							c.Set(p+Kec, k.Code)
							return flows.Stay()
						}
						if elsewhere := wilayah.MatchDesaAnywhere(in.Text); len(elsewhere) > 0 {
							k, _ := wilayah.KecamatanByCode(kec)
							c.Say(c.T("place.desa_elsewhere", k.Name, elsewhere[0].Name, elsewhere[0].KecName))
							return flows.Stay()
						}
					case 1:
						choice = found[0].Code
					default:
						codes := make([]string, len(found))
						for i, d := range found {
							codes[i] = d.Code
						}
						c.Set(choicesDesa, strings.Join(codes, ","))
						return flows.Stay()
					}
				}
				d, ok := wilayah.DesaByCode(choice)
				if !ok || d.KecCode != kec {
					c.Say(c.T(NotFoundKey(in, "place.desa_not_found")))
					return flows.Stay()
				}
				c.Set(p+Desa, d.Code)
				return flows.Goto(opts.Next)
			},
		},
	}
}

// kecamatanNamed finds the kecamatan whose name is exactly the text
// ("Ledo", "kecamatan ledo", "Kec. Ledo"), typos not forgiven: a desa
// name that only looks like one must not move the question elsewhere.
func kecamatanNamed(text string) (wilayah.Kecamatan, bool) {
	t := flows.Normalize(text)
	for _, prefix := range []string{"kecamatan ", "kec "} {
		t = strings.TrimPrefix(t, prefix)
	}
	for _, k := range wilayah.Kecamatans() {
		if flows.Normalize(k.Name) == t {
			return k, true
		}
	}
	return wilayah.Kecamatan{}, false
}

// pinned keeps a shared location instead of a named place.
func pinned(c *flows.Ctx, p string, in flows.Input, next string) flows.Next {
	c.Set(p+Lat, strconv.FormatFloat(in.Lat, 'f', 6, 64))
	c.Set(p+Lon, strconv.FormatFloat(in.Lon, 'f', 6, 64))
	c.Say(c.T("place.pin_received"))
	return flows.Goto(next)
}

// NotFoundKey is the kind answer for an unknown place, or for something
// that is not text at all (a photo where a name was asked).
func NotFoundKey(in flows.Input, key string) string {
	if in.Kind == flows.KindText {
		return key
	}
	return flows.MisunderstoodKey(in)
}

// Name is "Desa, Kecamatan" for the codes a flow collected, or "".
func Name(kecCode, desaCode string) string { return words.PlaceName(kecCode, desaCode) }
