package check

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/bgtasks/tutorial/bgtasks"
)

// lostEntry is the failure step 6 hands a hook that cannot write it. Its
// texts need no JSON escaping, so that a record holding the lost line as
// JSON holds them as they are.
var lostEntry = &bgtasks.TaskError{Task: "sync to CRM", Method: "POST", Path: "/orders/9",
	Err: errors.New("crm: order 9: 503 Service Unavailable")}

// Step 6: a dead letter that cannot be written is logged, as the doc
// comment asks: through log/slog, as a failure, with what the entry held.
// Two ways to fail: the file cannot be opened, or it opens and the write
// fails; a hook may watch one and not the other.
func (c *checker) reportsItsOwnFailure() error {
	folder := filepath.Join(c.dir, "unwritable.jsonl")
	if err := os.Mkdir(folder, 0o755); err != nil { // a folder cannot be appended to
		return err
	}
	if err := c.reportsLoss(folder, "when deadletter.jsonl cannot be opened (here its path is a folder)",
		"the hook cannot return an error, so it must report its own failure, as the doc comment says"); err != nil {
		return err
	}
	full, err := diskFull(c.dir)
	if err != nil {
		return err
	}
	if full == "" {
		c.t.Log("this system has no /dev/full: step 6 cannot check what the hook does when a write fails")
		return nil
	}
	return c.reportsLoss(full, "when deadletter.jsonl opens but writing to it fails (here the disk is full)",
		"Write returns an error, and so does Close: either can mean the line never reached the file")
}

// diskFull returns a path in dir that opens, to append, as /dev/full, where
// every write fails with "no space left on device"; or "" where the system
// has no such file. The path is a link, so that a hook that renames or
// removes its file changes the link, never the device.
func diskFull(dir string) (string, error) {
	f, err := os.OpenFile("/dev/full", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return "", nil
	}
	info, err := f.Stat()
	_, werr := f.Write([]byte("\n"))
	f.Close()
	if err != nil || info.Mode()&fs.ModeCharDevice == 0 || werr == nil {
		return "", nil
	}
	path := filepath.Join(dir, "full.jsonl")
	return path, os.Symlink("/dev/full", path)
}

// reportsLoss gives the hook a path it cannot write, when says how, and
// judges what it said; silent is the hint for a hook that says nothing.
func (c *checker) reportsLoss(path, when, silent string) error {
	h, err := listen(c.hook(path), lostEntry, probeLimit)
	if err != nil {
		return err
	}
	return h.judge(when, silent)
}

// judge says what is wrong with what a hook said of lostEntry, or nil.
func (h heard) judge(when, silent string) error {
	const logIt = "hint: log the lost entry with log/slog at level ERROR, its task's name and its error among the record's attributes"
	switch {
	case h.panicked != nil:
		return fmt.Errorf("step 6/6: %s, the hook panicked (%v): the runner logs that the hook panicked, but not the entry it lost\n%s", when, h.panicked, logIt)
	case h.returned == 0:
		return fmt.Errorf("step 6/6: %s, the hook had not returned after %s: is it trying again and again?\n"+
			"hint: a hook must return; a file that cannot be written now will not be in a moment, so give up on it, and log the lost entry", when, probeLimit)
	case h.returned == 1:
		return fmt.Errorf("step 6/6: %s, the hook returned, but when called again it had not returned after %s: is a lock never released once something has failed?\n"+
			"hint: a lock taken in the hook must be given back on every way out of it, those after an error too", when, probeLimit)
	}
	var errs, others []record
	for _, r := range h.records {
		task, err := r.holds(lostEntry)
		switch {
		case r.level >= slog.LevelError && task && err:
			return nil
		case r.level >= slog.LevelError:
			errs = append(errs, r)
		default:
			others = append(others, r)
		}
	}
	switch {
	case len(errs) > 0:
		return fmt.Errorf("step 6/6: %s, the hook logs %q at level ERROR, but the record lacks %s: nothing says which failure was lost\n%s",
			when, errs[0].msg, lacks(errs[0]), logIt)
	case len(others) > 0:
		return fmt.Errorf("step 6/6: %s, the hook logs %q at level %s: a lost dead letter is a failure, and a log that keeps only errors would drop it\n%s",
			when, others[0].msg, others[0].level, logIt)
	case h.logged != "":
		return fmt.Errorf("step 6/6: %s, the hook reports it with the log package, which the doc comment does not ask for: "+
			"the program's slog logger, which decides the level, the format and where logs go, never sees it\n%s", when, logIt)
	case isSlogOutput(h.stdout + h.stderr):
		return fmt.Errorf("step 6/6: %s, the hook logs it with a slog logger of its own: "+
			"the program's logger, slog's default, which decides the format and where logs go, never sees it\n"+
			"hint: log with the slog package's own functions, such as slog.ErrorContext, which use the default logger", when)
	case h.stderr != "" || h.stdout != "":
		where := "standard error"
		if h.stderr == "" {
			where = "standard output"
		}
		return fmt.Errorf("step 6/6: %s, the hook prints it on %s instead of logging it with log/slog, as the doc comment asks: "+
			"the program's logger, which decides the level, the format and where logs go, never sees it\n%s", when, where, logIt)
	}
	return fmt.Errorf("step 6/6: %s, the hook says nothing: the last trace of the failure is lost in silence\nhint: %s", when, silent)
}

// lacks names what r lacks of the lost entry, in the learner's terms.
func lacks(r record) string {
	task, err := r.holds(lostEntry)
	var missing []string
	if !task {
		missing = append(missing, fmt.Sprintf("the task's name (%q)", lostEntry.Task))
	}
	if !err {
		missing = append(missing, fmt.Sprintf("the task's own error (%q)", lostEntry.Err))
	}
	return strings.Join(missing, " and ")
}

// isSlogOutput reports whether out looks like slog's text or JSON handler
// wrote it.
func isSlogOutput(out string) bool {
	return strings.Contains(out, "level=") || strings.Contains(out, `"level":`)
}
