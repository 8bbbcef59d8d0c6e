package check

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/bgtasks/tutorial/bgtasks"
)

// lostEntry is the failure step 7 hands a hook that cannot write it. Its
// texts need no JSON escaping, so that a record holding the lost line as
// JSON holds them as they are.
var lostEntry = &bgtasks.TaskError{Task: "sync to CRM", Method: "POST", Path: "/orders/9",
	Err: errors.New("crm: order 9: 503 Service Unavailable")}

// Step 7: a dead letter that cannot be written is logged, as the doc
// comment asks: through log/slog, as a failure, with what the entry held.
// Two ways to fail: the file cannot be opened, or it opens and the write
// fails; a hook may watch one and not the other.
func (c *checker) reportsItsOwnFailure() error {
	folder := filepath.Join(c.dir, "unwritable.jsonl")
	if err := os.Mkdir(folder, 0o755); err != nil { // a folder cannot be appended to
		return err
	}
	// The check opens it as a hook would, for the system's words for why
	// that fails.
	f, err := os.OpenFile(folder, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		f.Close()
		return errors.New("a folder opened to append: the check cannot make a file that cannot be opened")
	}
	if err := c.reportsLoss(folder, cause(err), "when deadletter.jsonl cannot be opened (here its path is a folder)",
		"the hook cannot return an error, so it must report its own failure, as the doc comment says"); err != nil {
		return err
	}
	full, why, err := diskFull(c.dir)
	if err != nil {
		return err
	}
	if full == "" {
		c.t.Log("this system has no /dev/full: step 7 cannot check what the hook does when a write fails")
		return nil
	}
	return c.reportsLoss(full, why, "when deadletter.jsonl opens but writing to it fails (here the disk is full)",
		"Write returns an error, and so does Close: either can mean the line never reached the file")
}

// cause is the system's own words for why err happened, such as "is a
// directory", which any report of it holds, however it was wrapped.
func cause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// diskFull returns a path in dir that opens, to append, as /dev/full, where
// every write fails, and why it fails: "no space left on device"; or ""
// where the system has no such file. The path is a link, so that a hook
// that renames or removes its file changes the link, never the device.
func diskFull(dir string) (path, why string, err error) {
	f, err := os.OpenFile("/dev/full", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return "", "", nil
	}
	info, err := f.Stat()
	_, werr := f.Write([]byte("\n"))
	f.Close()
	if err != nil || info.Mode()&fs.ModeCharDevice == 0 || werr == nil {
		return "", "", nil
	}
	path = filepath.Join(dir, "full.jsonl")
	return path, cause(werr), os.Symlink("/dev/full", path)
}

// reportsLoss gives the hook a path it cannot write, why says the system's
// reason and when says how, and judges what the hook said and whether it
// gave back the file; silent is the hint for a hook that says nothing.
func (c *checker) reportsLoss(path, why, when, silent string) error {
	device, err := filepath.EvalSymlinks(path) // what the process's descriptors name
	if err != nil {
		return err
	}
	before := openFiles(device)
	// The hook is made while the check listens, so that a logger of the
	// hook's own, made with os.Stderr, writes where the check can read it.
	h, err := listen(func() func(context.Context, *bgtasks.TaskError) { return c.hook(path) }, lostEntry, probeLimit)
	if err != nil {
		return err
	}
	if err := h.judge(when, why, silent); err != nil {
		return err
	}
	// Only where the system says what each descriptor is open on: a plain
	// count would take in files the check itself opened while listening.
	if namesOpenFiles() {
		if n := openFiles(device) - before; n > 0 {
			return fmt.Errorf("step 7/7: %s, the hook logs the lost entry, but after 2 calls it still holds %d file(s) open: every failure then costs a file descriptor, until the server can open no more\n"+
				"hint: close the file on every way out of the hook, after a failed Write too, and keep Close's error with Write's", when, n)
		}
	}
	return nil
}

// judge says what is wrong with what a hook said of lostEntry, or nil.
func (h heard) judge(when, why, silent string) error {
	const logIt = "hint: log the lost entry with log/slog at level ERROR, its task's name and its error among the record's attributes"
	switch {
	case h.panicked != nil:
		return fmt.Errorf("step 7/7: %s, the hook panicked (%v): the runner logs that the hook panicked, but not the entry it lost\n%s", when, h.panicked, logIt)
	case h.returned == 0:
		return fmt.Errorf("step 7/7: %s, the hook had not returned after %s: is it trying again and again?\n"+
			"hint: a hook must return; a file that cannot be written now will not be in a moment, so give up on it, and log the lost entry", when, probeLimit)
	case h.returned == 1:
		return fmt.Errorf("step 7/7: %s, the hook returned, but when called again it had not returned after %s: is a lock never released once something has failed?\n"+
			"hint: a lock taken in the hook must be given back on every way out of it, those after an error too", when, probeLimit)
	}
	var errs, others []record
	for _, r := range h.records {
		task, err, reason := r.holds(lostEntry, why)
		switch {
		case r.level >= slog.LevelError && task && err && reason:
			return nil
		case r.level >= slog.LevelError:
			errs = append(errs, r)
		default:
			others = append(others, r)
		}
	}
	switch {
	case len(errs) > 0:
		return fmt.Errorf("step 7/7: %s, the hook logs %q at level ERROR, but the record lacks %s: nothing says which failure was lost\n%s",
			when, errs[0].msg, lacks(errs[0], why), logIt)
	case len(others) > 0:
		return fmt.Errorf("step 7/7: %s, the hook logs %q at level %s: a lost dead letter is a failure, and a log that keeps only errors would drop it\n%s",
			when, others[0].msg, others[0].level, logIt)
	case h.logged != "":
		return fmt.Errorf("step 7/7: %s, the hook reports it with the log package, which the doc comment does not ask for: "+
			"the program's slog logger, which decides the level, the format and where logs go, never sees it\n%s", when, logIt)
	case isSlogOutput(h.stdout + h.stderr):
		return fmt.Errorf("step 7/7: %s, the hook logs it with a slog logger of its own: "+
			"the program's logger, slog's default, which decides the format and where logs go, never sees it\n"+
			"hint: log with the slog package's own functions, such as slog.ErrorContext, which use the default logger", when)
	case h.stderr != "" || h.stdout != "":
		where := "standard error"
		if h.stderr == "" {
			where = "standard output"
		}
		return fmt.Errorf("step 7/7: %s, the hook prints it on %s instead of logging it with log/slog, as the doc comment asks: "+
			"the program's logger, which decides the level, the format and where logs go, never sees it\n%s", when, where, logIt)
	}
	return fmt.Errorf("step 7/7: %s, the hook says nothing: the last trace of the failure is lost in silence\nhint: %s", when, silent)
}

// lacks names what r lacks of the lost entry, in the learner's terms.
func lacks(r record, why string) string {
	task, err, reason := r.holds(lostEntry, why)
	var missing []string
	if !task {
		missing = append(missing, fmt.Sprintf("the task's name (%q)", lostEntry.Task))
	}
	if !err {
		missing = append(missing, fmt.Sprintf("the task's own error (%q)", lostEntry.Err))
	}
	if !reason {
		missing = append(missing, fmt.Sprintf("why the line was lost (%q, the text of the error the file gave)", why))
	}
	return strings.Join(missing, " and ")
}

// isSlogOutput reports whether out looks like slog's text or JSON handler
// wrote it.
func isSlogOutput(out string) bool {
	return strings.Contains(out, "level=") || strings.Contains(out, `"level":`)
}
