package check

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Exercise checks the exercise in the current directory, where go test runs
// the exercise's check_test.go: the learner's func TestNotification(t
// *testing.T), in notification_test.go, must pass against lesson 01's app,
// also when its tasks run late, without leaving anything running; it must
// fail against eight broken copies of the app; and it must not sleep, poll,
// or call t.Fatal from a function it hands to the app.
//
// The check builds the learner's package's tests once with go test -c, in
// the same directory, with every copy of the app added through -overlay and
// a TestMain of the check's own, and without the exercise's check_test.go,
// so that the check never runs itself; then it runs TestNotification alone
// from that binary once per app. An overlay given to the go command in
// GOFLAGS applies to the build too.
//
// The error's first line is "step N/11: what is wrong"; its last line may be
// "hint: what to think about".
func Exercise(ctx context.Context) error {
	if os.Getenv(innerEnv) != "" {
		return errors.New("the check of lesson 05 does not run inside its own runs of go test")
	}
	dir, err := os.Getwd()
	if err != nil {
		return err
	}
	outer, err := outerOverlay()
	if err != nil {
		return err
	}
	return exercise(ctx, dir, outer)
}

// exercise checks the learner's test in dir, whose files are as outer shows
// them.
func exercise(ctx context.Context, dir string, outer overlay) error {
	src, err := parseSource(dir, outer)
	if err != nil {
		return failAt(1, before(err))
	}
	if msg := src.unfit(); msg != "" {
		return failAt(1, msg)
	}
	appDir, err := packageDir(ctx, dir, appPackage)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "bgtasks-check-05-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	planted, err := plantApps(tmp, appDir)
	if err != nil {
		return err
	}
	main := filepath.Join(tmp, "check_main_test.go")
	if err := os.WriteFile(main, []byte(mainFile(src.pkg)), 0o644); err != nil {
		return err
	}
	// No check_test.go in the build, whatever its tags: the check's runs
	// are of the learner's test alone.
	file, err := outer.with(planted).with(overlay{
		filepath.Join(dir, "check_main_test.go"): main,
		filepath.Join(dir, "check_test.go"):      "",
	}).write(tmp, "overlay.json")
	if err != nil {
		return err
	}
	bin := filepath.Join(tmp, "exercise.test")
	complaints, err := buildTest(ctx, dir, file, bin)
	switch {
	case err != nil:
		return err
	case complaints != nil:
		return failAt(1, "your test does not build with the check's copies of the app:\n"+quote(complaints, 10))
	}
	conv, err := test2json(ctx)
	if err != nil {
		return err
	}

	for i, st := range steps {
		res, err := runTest(ctx, conv, dir, bin, st.app)
		if err != nil {
			return fmt.Errorf("step %d/%d: %w", i+1, total, err)
		}
		if msg := judge(st, res, src); msg != "" {
			return failAt(i+1, msg)
		}
	}
	if msg := src.lastResort(); msg != "" {
		return failAt(total, msg)
	}
	return nil
}

// before describes a learner's file the check cannot read.
func before(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "there is no " + learnerFile + " here: the check runs the test " + testName + " in it\n" +
			"hint: `tutor reset 05` puts the starter back"
	}
	return "the check cannot read " + learnerFile + ": " + err.Error()
}

func failAt(step int, msg string) error {
	return fmt.Errorf("step %d/%d: %s", step, total, msg)
}
