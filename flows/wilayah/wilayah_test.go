package wilayah

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestCounts(t *testing.T) {
	kecs := Kecamatans()
	if len(kecs) != 17 {
		t.Fatalf("kecamatan: got %d, want 17", len(kecs))
	}
	total, kel := 0, 0
	seen := map[string]bool{}
	for _, k := range kecs {
		ds := DesaOf(k.Code)
		if len(ds) == 0 {
			t.Errorf("kecamatan %s %s has no desa", k.Code, k.Name)
		}
		for _, d := range ds {
			total++
			if d.Kind == "kelurahan" {
				kel++
			}
			if seen[d.Code] {
				t.Errorf("duplicate desa code %s", d.Code)
			}
			seen[d.Code] = true
			if d.KecCode != k.Code || d.KecName != k.Name {
				t.Errorf("desa %s: kecamatan %s/%s, want %s/%s", d.Code, d.KecCode, d.KecName, k.Code, k.Name)
			}
		}
	}
	if total != 124 {
		t.Fatalf("desa: got %d, want 124", total)
	}
	if kel != 2 {
		t.Errorf("kelurahan: got %d, want 2", kel)
	}
	if kecs[0].Code != "61.07.01" || kecs[16].Code != "61.07.17" {
		t.Errorf("not in file order: first %v, last %v", kecs[0], kecs[16])
	}
}

func TestLookups(t *testing.T) {
	if k, ok := KecamatanByCode("61.07.06"); !ok || k.Name != "Sanggau Ledo" {
		t.Errorf("KecamatanByCode(61.07.06) = %v, %v", k, ok)
	}
	if _, ok := KecamatanByCode("61.07.99"); ok {
		t.Error("KecamatanByCode(61.07.99) found something")
	}
	if d, ok := DesaByCode("61.07.14.2004"); !ok || d.Name != "Suka Maju" || d.KecName != "Sungai Betung" {
		t.Errorf("DesaByCode(61.07.14.2004) = %v, %v", d, ok)
	}
	if _, ok := DesaByCode("Suka Maju"); ok {
		t.Error("DesaByCode must take a code, not a name")
	}
	if DesaOf("61.07.99") != nil {
		t.Error("DesaOf(unknown) should be nil")
	}
	// Callers get copies and cannot damage the shared data.
	k := Kecamatans()
	k[0].Name = "changed"
	if Kecamatans()[0].Name != "Sungai Raya" {
		t.Error("Kecamatans returned shared storage")
	}
}

func kecCodes(ks []Kecamatan) []string {
	var out []string
	for _, k := range ks {
		out = append(out, k.Code)
	}
	return out
}

func desaCodes(ds []Desa) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Code)
	}
	return out
}

func TestMatchKecamatan(t *testing.T) {
	const sanggauLedo = "61.07.06"
	tests := []struct {
		query string
		want  []string
	}{
		{"sanggau ledo", []string{sanggauLedo}},
		{"SANGGAU LEDO", []string{sanggauLedo}},
		{"  Sanggau   Ledo!! ", []string{sanggauLedo}},
		{"sgu ledo", []string{sanggauLedo}},
		{"sg ledo", []string{sanggauLedo}},
		{"sangau ledo", []string{sanggauLedo}},  // missing letter
		{"snaggau ledo", []string{sanggauLedo}}, // swapped letters
		{"kec. sanggau ledo", []string{sanggauLedo}},
		{"Kecamatan Sanggau-Ledo", []string{sanggauLedo}},
		{"kecamtan sanggau ledo", []string{sanggauLedo}},
		{"sanggauledo", []string{sanggauLedo}},
		{"sanggau led", []string{sanggauLedo}},
		{"sanggau", []string{sanggauLedo}},
		{"sangau led", []string{sanggauLedo}},
		{"ledo", []string{"61.07.03"}}, // exact beats Sanggau Ledo
		{"bengkayang", []string{"61.07.04"}},
		{"bengkyang", []string{"61.07.04"}},
		{"sungai raya", []string{"61.07.01"}},
		{"sei raya", []string{"61.07.01"}},
		{"sui raya", []string{"61.07.01"}},
		{"sungai raya kep", []string{"61.07.15"}},
		{"sungai raya kepulauan", []string{"61.07.15"}},
		{"sungai", []string{"61.07.01", "61.07.14", "61.07.15"}}, // ambiguous: ask
		{"sei betung", []string{"61.07.14"}},
		{"monterdo", []string{"61.07.08"}},
		{"suti smarang", []string{"61.07.10"}},
		{"jagoi", []string{"61.07.07"}},
		{"tujuhbelas", []string{"61.07.17"}},
		{"lembah bawang", []string{"61.07.16"}},
		{"xyz qwerty", nil},
		{"", nil},
		{"   ...  ", nil},
		{"kec.", nil},
	}
	for _, tt := range tests {
		if got := kecCodes(MatchKecamatan(tt.query)); !slices.Equal(got, tt.want) {
			t.Errorf("MatchKecamatan(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

func TestMatchDesa(t *testing.T) {
	tests := []struct {
		kec, query string
		want       []string
	}{
		{"61.07.09", "sebetung menyla", []string{"61.07.09.2005"}}, // typo
		{"61.07.09", "Desa Sebetung Menyala", []string{"61.07.09.2005"}},
		{"61.07.09", "tg", []string{"61.07.09.2008"}},
		{"61.07.09", "tj", []string{"61.07.09.2008"}},
		{"61.07.09", "darma bakti", []string{"61.07.09.2001"}},
		{"61.07.02", "sabau", []string{"61.07.02.2002"}},
		{"61.07.02", "Saba’u", []string{"61.07.02.2002"}},
		{"61.07.02", "bkt serayan", []string{"61.07.02.2006"}},
		{"61.07.03", "tebua marong", []string{"61.07.03.2018"}},
		{"61.07.03", "ds. suka jaya", []string{"61.07.03.2021"}},
		{"61.07.04", "bhakti mulia", []string{"61.07.04.2004"}},
		{"61.07.04", "kel. sebalo", []string{"61.07.04.1010"}},
		{"61.07.12", "sungkung 2", []string{"61.07.12.2007"}},
		{"61.07.12", "sungkung i", []string{"61.07.12.2002"}},
		{"61.07.12", "sungkung", []string{"61.07.12.2002", "61.07.12.2007", "61.07.12.2008"}},
		{"61.07.01", "sungai jaga", []string{"61.07.01.2004", "61.07.01.2005"}},
		{"61.07.01", "sei pangkalan 2", []string{"61.07.01.2007"}},
		{"61.07.15", "lemukutan", []string{"61.07.15.2005"}}, // later word only
		{"61.07.15", "p. lemukutan", []string{"61.07.15.2005"}},
		{"61.07.15", "sungai raya", []string{"61.07.15.2003"}},
		{"61.07.06", "qwerty", nil},
		{"61.07.99", "sango", nil}, // unknown kecamatan
		{"61.07.06", "", nil},
	}
	for _, tt := range tests {
		if got := desaCodes(MatchDesa(tt.kec, tt.query)); !slices.Equal(got, tt.want) {
			t.Errorf("MatchDesa(%q, %q) = %v, want %v", tt.kec, tt.query, got, tt.want)
		}
	}
}

func TestMatchDesaAnywhere(t *testing.T) {
	tests := []struct {
		query string
		want  []string
	}{
		// The same name in two kecamatan: both come back, the caller asks.
		{"suka maju", []string{"61.07.10.2003", "61.07.14.2004"}},
		{"SukaMaju", []string{"61.07.10.2003", "61.07.14.2004"}},
		{"desa suka maju", []string{"61.07.10.2003", "61.07.14.2004"}},
		{"suka maj", []string{"61.07.10.2003", "61.07.14.2004"}},
		{"pulau lemukutan", []string{"61.07.15.2005"}},
		{"karimuntin", []string{"61.07.15.2004"}},
		{"raya", []string{"61.07.15.2003"}}, // a later word, and not "Jaya"
		{"xyz qwerty", nil},
	}
	for _, tt := range tests {
		if got := desaCodes(MatchDesaAnywhere(tt.query)); !slices.Equal(got, tt.want) {
			t.Errorf("MatchDesaAnywhere(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

// Every name in the file must find itself, alone, however it is cased or
// introduced.
func TestEveryNameMatchesItself(t *testing.T) {
	for _, k := range Kecamatans() {
		for _, q := range []string{k.Name, strings.ToUpper(k.Name), "kec. " + k.Name} {
			if got := MatchKecamatan(q); len(got) != 1 || got[0] != k {
				t.Errorf("MatchKecamatan(%q) = %v", q, got)
			}
		}
		for _, d := range DesaOf(k.Code) {
			for _, q := range []string{d.Name, strings.ToLower(d.Name), "desa " + d.Name} {
				if got := MatchDesa(k.Code, q); len(got) != 1 || got[0] != d {
					t.Errorf("MatchDesa(%q, %q) = %v", k.Code, q, got)
				}
			}
			got := MatchDesaAnywhere(d.Name)
			if !slices.Contains(got, d) {
				t.Errorf("MatchDesaAnywhere(%q) = %v, missing %v", d.Name, got, d)
			}
			for _, g := range got { // more than one only for a shared name
				if !slices.Equal(normalize(g.Name), normalize(d.Name)) {
					t.Errorf("MatchDesaAnywhere(%q) also gave %q", d.Name, g.Name)
				}
			}
		}
	}
}

// Dropping a leading "kec"/"desa" word must never eat part of a real name.
func TestNoNameStartsWithLeadWord(t *testing.T) {
	for _, w := range slices.Concat(data.kecWords, data.desaWords) {
		if len(w) > 1 && isLeadWord(w[0]) {
			t.Errorf("name %v starts with a lead word", w)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				MatchKecamatan("sgu ledo")
				MatchDesaAnywhere("suka maju")
			}
		})
	}
	wg.Wait()
}

func TestParseRejectsBadData(t *testing.T) {
	const head = "kode_kec\tkecamatan\tkode_desa\tnama\tjenis\n"
	for _, bad := range []string{
		head + "61.07.01\tSungai Raya\t61.07.01.2001\tSungai Duri\n",
		head + "61.07.01\tSungai Raya\t61.07.01.2001\tSungai Duri\tkampung\n",
		head + "61.07.01\tSungai Raya\t61.07.02.2001\tSungai Duri\tdesa\n",
		head + "61.07.01\tSungai Raya\t61.07.01.2001\tA\tdesa\n61.07.01\tSungai Raya\t61.07.01.2001\tB\tdesa\n",
	} {
		if _, err := parse(bad); err == nil {
			t.Errorf("parse accepted %q", bad)
		}
	}
}

func BenchmarkMatchDesaAnywhere(b *testing.B) {
	for b.Loop() {
		MatchDesaAnywhere("sebetung menyla")
	}
}
