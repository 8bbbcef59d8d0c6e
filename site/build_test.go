package site

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bgtasks/tutorial/internal/scenario"
	"github.com/bgtasks/tutorial/internal/tour"
)

func TestBuild(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := Build(context.Background(), dir, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "Wrote the site to "+dir) {
		t.Errorf("output %q", out.String())
	}
	for _, name := range append([]string{"index.html", "search.json"}, prefixed("static/", assetNames)...) {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	for _, l := range tour.All() {
		page, err := os.ReadFile(filepath.Join(dir, "lessons", l.Slug, "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(page, []byte(`data-mode="static"`)) {
			t.Errorf("%s: the page does not know it is static", l.Slug)
		}
		b, err := os.ReadFile(filepath.Join(dir, "lessons", l.Slug, "run.json"))
		if err != nil {
			t.Fatal(err)
		}
		var rec recording
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, e := range rec.Events {
			kinds[e.Kind]++
		}
		if rec.Error != "" || kinds[scenario.KindResponse] == 0 || kinds[scenario.KindStarted] == 0 {
			t.Errorf("%s: recorded run: error %q, events %v", l.Slug, rec.Error, kinds)
		}
	}
}

func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}
