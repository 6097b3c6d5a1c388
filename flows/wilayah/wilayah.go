// Package wilayah holds the kecamatan and desa/kelurahan of Kabupaten
// Bengkayang and finds them from what a person types.
//
// The list is embedded so the bot needs no database table or network call
// to know where someone lives. Villages are keyed by their Kemendagri code,
// never by name: the same name can occur in two kecamatan ("Suka Maju").
package wilayah

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
)

// Kecamatan is a district of Kabupaten Bengkayang.
type Kecamatan struct {
	Code string // e.g. "61.07.06"
	Name string // e.g. "Sanggau Ledo"
}

// Desa is a village: Kind is "desa" or "kelurahan".
type Desa struct {
	Code    string // e.g. "61.07.06.2001"; unique, unlike Name
	Name    string
	Kind    string
	KecCode string
	KecName string
}

//go:embed wilayah-bengkayang.tsv
var tsv string

// data is parsed once at start-up; it is read-only afterwards, so it is
// safe to share between goroutines without locking.
var data = mustParse(tsv)

type index struct {
	kecs    []Kecamatan
	desas   []Desa // all villages, in file order
	kecByID map[string]int
	desaIdx map[string]int   // desa code -> position in desas
	byKec   map[string][]int // kecamatan code -> positions in desas

	// Normalised words of each name, computed once so matching only
	// normalises the query.
	kecWords  [][]string
	desaWords [][]string
}

func mustParse(s string) *index {
	ix, err := parse(s)
	if err != nil {
		// The file is embedded at build time, so a bad file is a
		// programming error that the tests catch, not a runtime condition.
		panic("wilayah: " + err.Error())
	}
	return ix
}

func parse(s string) (*index, error) {
	ix := &index{
		kecByID: map[string]int{},
		desaIdx: map[string]int{},
		byKec:   map[string][]int{},
	}
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for n, line := range lines {
		if n == 0 || strings.TrimSpace(line) == "" {
			continue // header, trailing newline
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("line %d: want 5 columns, got %d", n+1, len(f))
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		kc, kn, dc, dn, kind := f[0], f[1], f[2], f[3], f[4]
		if kind != "desa" && kind != "kelurahan" {
			return nil, fmt.Errorf("line %d: unknown jenis %q", n+1, kind)
		}
		if !strings.HasPrefix(dc, kc+".") {
			return nil, fmt.Errorf("line %d: desa %s not under kecamatan %s", n+1, dc, kc)
		}
		if i, ok := ix.kecByID[kc]; !ok {
			ix.kecByID[kc] = len(ix.kecs)
			ix.kecs = append(ix.kecs, Kecamatan{Code: kc, Name: kn})
			ix.kecWords = append(ix.kecWords, normalize(kn))
		} else if ix.kecs[i].Name != kn {
			return nil, fmt.Errorf("line %d: kecamatan %s named both %q and %q", n+1, kc, ix.kecs[i].Name, kn)
		}
		if _, dup := ix.desaIdx[dc]; dup {
			return nil, fmt.Errorf("line %d: duplicate desa code %s", n+1, dc)
		}
		ix.desaIdx[dc] = len(ix.desas)
		ix.byKec[kc] = append(ix.byKec[kc], len(ix.desas))
		ix.desas = append(ix.desas, Desa{Code: dc, Name: dn, Kind: kind, KecCode: kc, KecName: kn})
		ix.desaWords = append(ix.desaWords, normalize(dn))
	}
	return ix, nil
}

// Kecamatans returns every kecamatan in file (code) order. The slice is a
// copy: callers may change it freely.
func Kecamatans() []Kecamatan { return slices.Clone(data.kecs) }

// DesaOf returns the villages of a kecamatan in file order, or nil for an
// unknown code.
func DesaOf(kecCode string) []Desa {
	var out []Desa
	for _, i := range data.byKec[kecCode] {
		out = append(out, data.desas[i])
	}
	return out
}

// KecamatanByCode looks a kecamatan up by its code.
func KecamatanByCode(code string) (Kecamatan, bool) {
	i, ok := data.kecByID[code]
	if !ok {
		return Kecamatan{}, false
	}
	return data.kecs[i], true
}

// DesaByCode looks a village up by its code.
func DesaByCode(code string) (Desa, bool) {
	i, ok := data.desaIdx[code]
	if !ok {
		return Desa{}, false
	}
	return data.desas[i], true
}

// MatchKecamatan finds the kecamatan a person most likely meant. It returns
// a single exact match when there is one, otherwise every candidate of the
// best quality found (several means "ask which one"), or nil.
func MatchKecamatan(query string) []Kecamatan {
	var out []Kecamatan
	for _, i := range rank(query, data.kecWords, nil) {
		out = append(out, data.kecs[i])
	}
	return out
}

// MatchDesa is MatchKecamatan for the villages of one kecamatan. An unknown
// kecCode gives nil.
func MatchDesa(kecCode, query string) []Desa {
	pos := data.byKec[kecCode]
	if len(pos) == 0 {
		return nil
	}
	return desasAt(rank(query, data.desaWords, pos))
}

// MatchDesaAnywhere searches the villages of every kecamatan, for when a
// person names their village before (or instead of) their kecamatan. The
// same name may come back from several kecamatan; check KecCode.
func MatchDesaAnywhere(query string) []Desa {
	return desasAt(rank(query, data.desaWords, nil))
}

func desasAt(idx []int) []Desa {
	var out []Desa
	for _, i := range idx {
		out = append(out, data.desas[i])
	}
	return out
}
