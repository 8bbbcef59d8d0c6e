package site

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

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
	// The static copy is the live site's map, written out, plus the runs.
	for name := range newPages(true).files {
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
	checkLinks(t, os.DirFS(dir))
}

var (
	// linkAttr is an attribute that names a URL the page links to or loads.
	linkAttr = regexp.MustCompile(`\s(?:href|src)="([^"]*)"`)
	// idAttr is an element's id.
	idAttr = regexp.MustCompile(`\sid="([^"]*)"`)
)

// checkLinks fails for every link of a built site that leads nowhere.
func checkLinks(t *testing.T, site fs.FS) {
	t.Helper()
	problems, links, err := brokenLinks(site)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	if links < 100 {
		t.Errorf("only %d links on the whole site: is the check looking?", links)
	}
}

// brokenLinks finds every link of a built site that leads nowhere: to a
// page, an asset or a place on a page (#id) that is not there; and every id
// given twice on one page, which makes a place ambiguous. Links off the
// site are left alone: the site loads nothing from elsewhere (csp_test.go),
// and a reader who follows one leaves it.
func brokenLinks(site fs.FS) (problems []string, links int, err error) {
	ids := map[string]map[string]bool{} // page -> its ids
	pageIDs := func(name string) (map[string]bool, bool) {
		if m, ok := ids[name]; ok {
			return m, true
		}
		b, err := fs.ReadFile(site, name)
		if err != nil || path.Ext(name) != ".html" {
			return nil, false
		}
		m := map[string]bool{}
		for _, id := range idAttr.FindAllSubmatch(b, -1) {
			v := html.UnescapeString(string(id[1]))
			if m[v] {
				problems = append(problems, fmt.Sprintf("%s: id %q given twice", name, v))
			}
			m[v] = true
		}
		ids[name] = m
		return m, true
	}
	err = fs.WalkDir(site, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(name) != ".html" {
			return err
		}
		b, err := fs.ReadFile(site, name)
		if err != nil {
			return err
		}
		pageIDs(name)
		for _, m := range linkAttr.FindAllSubmatch(b, -1) {
			raw := html.UnescapeString(string(m[1]))
			u, err := url.Parse(raw)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: link %q: %v", name, raw, err))
				continue
			}
			if u.Scheme != "" || u.Host != "" {
				continue
			}
			links++
			target := name
			if u.Path != "" {
				target = path.Clean(path.Join(path.Dir(name), u.Path))
				if strings.HasSuffix(u.Path, "/") {
					target = path.Join(target, "index.html")
				}
			}
			targetIDs, ok := pageIDs(target)
			if !ok {
				_, err := fs.Stat(site, target)
				ok = err == nil && !strings.HasPrefix(target, "../")
			}
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s: link %q leads to %s, which the site does not have", name, raw, target))
			case u.Fragment != "" && !targetIDs[u.Fragment]:
				problems = append(problems, fmt.Sprintf("%s: link %q leads to #%s, which %s does not have", name, raw, u.Fragment, target))
			}
		}
		return nil
	})
	return problems, links, err
}

// The link check must find what it looks for, or it could not fail.
func TestBrokenLinksFinds(t *testing.T) {
	page := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	site := fstest.MapFS{
		"index.html": page(`<a href="lessons/x/">x</a> <a href="lessons/x/#top">top</a> <a href="lessons/y/">y</a> <a href="https://go.dev/">go</a>`),
		"lessons/x/index.html": page(`<h1 id="top">x</h1><link href="../../static/gone.css"><a href="#a">a</a><a href="#b">b</a>` +
			`<i id="a"></i><i id="a"></i><a href="../../../outside">o</a>`),
	}
	problems, links, err := brokenLinks(site)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(problems, "\n")
	for _, want := range []string{
		`index.html: link "lessons/y/" leads to lessons/y/index.html`,
		`lessons/x/index.html: link "../../static/gone.css" leads to static/gone.css`,
		`lessons/x/index.html: link "#b" leads to #b`,
		`lessons/x/index.html: id "a" given twice`,
		`lessons/x/index.html: link "../../../outside"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
	if len(problems) != 5 || links != 7 {
		t.Errorf("%d problems in %d links, want 5 in 7:\n%s", len(problems), links, got)
	}
}
