package all_test

import (
	"go/build"
	"testing"
)

// features are the packages that plug into the engine; flows/all is the
// only package that may import them together.
var features = []string{"menu", "place", "report", "training", "broadcast", "reminders", "privacy", "recap"}

// A feature never reaches into another (what two share goes down a
// level), and the engine knows none of them.
func TestFeaturesImportNoOtherFeature(t *testing.T) {
	for _, dir := range append([]string{""}, features...) {
		pkg, err := build.ImportDir("../"+dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pkg.Imports {
			for _, other := range features {
				if imp != "klabot/flows/"+other || other == dir {
					continue
				}
				if dir == "" {
					t.Errorf("the engine imports the feature %s", other)
				} else if other != "place" {
					t.Errorf("flows/%s imports the feature %s", dir, other)
				}
			}
		}
	}
}
