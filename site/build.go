package site

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
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
	lessons := tour.All()

	// The scenarios take the longest; they run while the pages render.
	recs := make([]recording, len(lessons))
	var wg sync.WaitGroup
	for i, l := range lessons {
		wg.Go(func() { recs[i] = record(ctx, l) })
	}
	p, err := render(true)
	if err != nil {
		wg.Wait()
		return err
	}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(p.files)) {
		if err := writeFile(dir, name, p.files[name]); err != nil {
			errs = append(errs, err)
		}
	}

	wg.Wait()
	for i, l := range lessons {
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
		dir, len(lessons)+1, len(recs), time.Since(start).Round(time.Millisecond))
	return nil
}

// record runs l's scenario with the same limits as the live site.
func record(ctx context.Context, l tour.Lesson) recording {
	ctx, cancel := context.WithTimeout(ctx, l.Timeout)
	defer cancel()
	start := time.Now()
	events, err := scenario.Record(ctx, l.App, l.Steps)
	rec := recording{Lesson: l.Slug, Events: events[:min(len(events), maxRunEvents)], Took: time.Since(start)}
	if rec.Events == nil {
		rec.Events = []scenario.Event{}
	}
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
