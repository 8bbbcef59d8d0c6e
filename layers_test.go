package tutorial_test

import (
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

const module = "github.com/bgtasks/tutorial"

// layer is how high a package sits: a package may import only packages of
// ours in lower layers, so every import arrow points down this list. A
// lesson's app may also import an earlier lesson's app (lesson 05 tests
// them), which layerOf gives the same layer.
var layers = []struct {
	pattern *regexp.Regexp
	layer   int
	name    string
}{
	{regexp.MustCompile(`^bgtasks$`), 0, "the reference package"},
	{regexp.MustCompile(`^lessons$`), 0, "the lessons index (data only)"},
	{regexp.MustCompile(`^internal/check/checktest$`), 2, "what the lessons' check tests share"},
	{regexp.MustCompile(`^internal/(include|check|workspace)$`), 0, "a tool that knows no lesson"},
	{regexp.MustCompile(`^internal/scenario$`), 1, "the scenario recorder"},
	{regexp.MustCompile(`^lessons/internal(/.*)?$`), 1, "code the lesson apps share"},
	{regexp.MustCompile(`^lessons/\d\d-[a-z]+/check(/.*)?$`), 3, "the tooling that drives a lesson"},
	{regexp.MustCompile(`^lessons/\d\d-[a-z]+(/.*)?$`), 2, "a lesson's app"},
	{regexp.MustCompile(`^internal/tour$`), 4, "the registry of lessons"},
	{regexp.MustCompile(`^site$`), 5, "the site"},
	{regexp.MustCompile(`^cmd/tutor$`), 6, "the command line"},
	{regexp.MustCompile(`^$`), 7, "the repository's end-to-end tests"},
}

func layerOf(rel string) (int, string, bool) {
	for _, l := range layers {
		if l.pattern.MatchString(rel) {
			return l.layer, l.name, true
		}
	}
	return 0, "", false
}

// lessonOf returns "05" for lessons/05-testing/..., "" otherwise.
func lessonOf(rel string) string {
	if m := regexp.MustCompile(`^lessons/(\d\d)-`).FindStringSubmatch(rel); m != nil {
		return m[1]
	}
	return ""
}

// TestLayers fails on any import that points up: the folder tree is the
// architecture, and a newcomer reads it top to bottom.
func TestLayers(t *testing.T) {
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		own, ownName, ok := layerOf(rel)
		if !ok {
			t.Errorf("%s is in no layer of layers_test.go: place it", p.ImportPath)
			continue
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			irel := strings.TrimPrefix(imp, module+"/")
			got, gotName, ok := layerOf(irel)
			if !ok {
				continue // reported as its own package
			}
			sameApp := own == 2 && got == 2 && lessonOf(irel) <= lessonOf(rel)
			if got >= own && !sameApp {
				t.Errorf("%s (%s) imports %s (%s): an arrow that points up or sideways", rel, ownName, irel, gotName)
			}
		}
	}
}

// TestLessonPackagesShowOnlyTheirApp: go doc on a lesson shows what its
// README teaches, nothing of the tutor's tooling.
func TestLessonPackagesShowOnlyTheirApp(t *testing.T) {
	tooling := regexp.MustCompile(`(?m)^func (App|Scenario|Exercise|Check\w*)\(|scenario\.`)
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		if !regexp.MustCompile(`^lessons/\d\d-[a-z]+$`).MatchString(rel) {
			continue
		}
		out, err := exec.Command("go", "doc", "-short", "./"+rel).CombinedOutput()
		if err != nil {
			t.Fatalf("go doc ./%s: %v\n%s", rel, err, out)
		}
		if m := tooling.Find(out); m != nil {
			t.Errorf("go doc ./%s shows tooling (%q); it belongs in %s/check:\n%s", rel, m, rel, out)
		}
	}
}

type goPackage struct {
	ImportPath string
	Imports    []string
}

func listPackages(t *testing.T) []goPackage {
	t.Helper()
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []goPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}
