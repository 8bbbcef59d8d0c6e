package site

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/bgtasks/tutorial/internal/scenario"
	"github.com/bgtasks/tutorial/internal/tour"
)

// recording is a run of a lesson's scenario, saved by Build as run.json
// beside the lesson's page, which draws it as the live site draws a run.
type recording struct {
	Lesson string           `json:"lesson"`
	Events []scenario.Event `json:"events"`
	Error  string           `json:"error"`
	Took   time.Duration    `json:"took"`
}

// Build writes a static copy of the site to dir: every page, the assets,
// the search index, and for each lesson a run of its scenario recorded now.
// A static copy cannot check exercises; its pages say so. Build fails if a
// scenario fails, after writing everything else.
func Build(ctx context.Context, dir string, stdout io.Writer) error {
	start := time.Now()
	p := newPages(true)

	// The scenarios take the longest; they run while the pages render.
	recs := make([]recording, len(p.lessons))
	var wg sync.WaitGroup
	for i, l := range p.lessons {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs[i] = record(ctx, l)
		}()
	}

	files := map[string]func() ([]byte, error){
		"index.html":  p.index,
		"search.json": p.search,
	}
	for _, l := range p.lessons {
		files["lessons/"+l.Slug+"/index.html"] = p.byName[l.Slug]
	}
	for _, name := range assetNames {
		b, _, _ := p.asset(name)
		files["static/"+name] = func() ([]byte, error) { return b, nil }
	}
	var errs []error
	for name, page := range files {
		b, err := page()
		if err == nil {
			err = writeFile(dir, name, b)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}

	wg.Wait()
	for i, l := range p.lessons {
		b, err := json.Marshal(recs[i])
		if err == nil {
			err = writeFile(dir, "lessons/"+l.Slug+"/run.json", b)
		}
		if err != nil {
			errs = append(errs, err)
		}
		if recs[i].Error != "" {
			errs = append(errs, fmt.Errorf("lesson %s: its scenario failed: %s", l.Slug, recs[i].Error))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote the site to %s: %d pages, %d recorded runs, in %s.\n",
		dir, len(p.lessons)+1, len(recs), time.Since(start).Round(time.Millisecond))
	return nil
}

// record runs l's scenario with the same limits as the live site.
func record(ctx context.Context, l tour.Lesson) recording {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	rec := recording{Lesson: l.Slug, Events: []scenario.Event{}}
	start := time.Now()
	var mu sync.Mutex
	err := scenario.Run(ctx, l.App, l.Steps, func(e scenario.Event) {
		mu.Lock()
		defer mu.Unlock()
		if len(rec.Events) < maxRunEvents {
			rec.Events = append(rec.Events, e)
		}
	})
	mu.Lock()
	defer mu.Unlock()
	rec.Took = time.Since(start)
	if err != nil {
		rec.Error = err.Error()
	}
	return rec
}

func writeFile(dir, name string, b []byte) error {
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
