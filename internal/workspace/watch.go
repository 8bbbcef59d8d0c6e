package workspace

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// How watching sees a save. Polling a folder of a few small files costs
// next to nothing, works on every system and editor (including those that
// save by renaming a new file into place), and needs no dependency, where
// inotify would need a fallback anyway.
const (
	// PollEvery is how often a watched folder is looked at.
	PollEvery = 250 * time.Millisecond
	// Settle is how long a folder must stay unchanged before it is
	// checked: an editor that saves several files, or saves in two steps,
	// makes one check. It is longer than PollEvery, so that changes seen by
	// two polls in a row are one.
	Settle = 300 * time.Millisecond
)

// maxHashed is the size above which a file is known by its size and time
// only: a learner's Go file is far smaller.
const maxHashed = 1 << 20

// Changes looks at the Go files in dir every interval and sends on the
// returned channel when they differ from the last look: a file saved,
// added, removed or renamed. Changes that come faster than they are
// received are one. The first look sets what the folder holds and sends
// nothing. It stops when ctx ends; a folder that is missing holds nothing.
//
// Only Go files count: what the learner's code writes while it is checked
// (log.txt, say) must not set off another check.
func Changes(ctx context.Context, dir string, interval time.Duration) <-chan struct{} {
	changed := make(chan struct{}, 1)
	last := fingerprint(dir)
	go func() {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if now := fingerprint(dir); now != last {
				last = now
				select {
				case changed <- struct{}{}:
				default: // one is waiting already
				}
			}
		}
	}()
	return changed
}

// fingerprint sums up the Go files in dir: their names, sizes, times and
// content. Content counts so that an edit that keeps the size, within the
// file system's time resolution, is still seen; the time counts so that
// saving a file unchanged checks again, as a learner who saves expects.
func fingerprint(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	h := sha256.New()
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".go") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	for _, name := range names {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			continue // removed since ReadDir: the next look sees it gone
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00", name, fi.Size(), fi.ModTime().UnixNano())
		if fi.Size() <= maxHashed {
			if f, err := os.Open(filepath.Join(dir, name)); err == nil {
				_, _ = io.Copy(h, f)
				f.Close()
			}
		}
	}
	return string(h.Sum(nil))
}

// Loop calls check once after each burst of changes, until ctx ends: a
// burst is over when settle passes with no further change. Checks never
// overlap, since Loop runs each itself; a change during a check makes one
// more check after it. check is given ctx, which ends when the loop should
// stop, so that a check in progress stops too. A caller that wants a check
// at the start makes it before calling Loop, after Changes has taken its
// first look.
func Loop(ctx context.Context, changes <-chan struct{}, settle time.Duration, check func(context.Context)) {
	for {
		// Wait for a change.
		select {
		case <-ctx.Done():
			return
		case <-changes:
		}
		// Wait for the changes to stop.
		quiet := time.NewTimer(settle)
	settling:
		for {
			select {
			case <-ctx.Done():
				quiet.Stop()
				return
			case <-changes:
				quiet.Reset(settle)
			case <-quiet.C:
				break settling
			}
		}
		if ctx.Err() != nil {
			return
		}
		check(ctx)
	}
}
