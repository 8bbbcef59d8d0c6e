package check

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// apps holds the copies of the app's notification.go that the check plants
// in place of the real one. Each is a whole replacement of that file, which
// can be dropped in by hand to see its bug.
//
//go:embed testdata/apps/*.go
var apps embed.FS

// appEnv names, in a run of the learner's test, the app NotificationApp
// serves: a copy's name, such as "late", or "" for the real one.
const appEnv = "BGTASKS_CHECK_05_APP"

// plantApps returns an overlay under which NotificationApp, in the package
// in appDir, serves the app appEnv names. Every copy goes into the one
// build, each with its NotificationApp renamed, and the real notification.go
// too; a small dispatcher takes the real one's place. Files go in tmp.
func plantApps(tmp, appDir string) (overlay, error) {
	o := overlay{}
	var cases strings.Builder
	add := func(name string, src []byte) error {
		renamed := bytes.Replace(src, []byte("\nfunc NotificationApp("), []byte("\nfunc "+name+"NotificationApp("), 1)
		if bytes.Equal(renamed, src) {
			return fmt.Errorf("check: the %s app declares no func NotificationApp", name)
		}
		path := filepath.Join(tmp, "check_app_"+name+".go")
		o[filepath.Join(appDir, "check_app_"+name+".go")] = path
		return os.WriteFile(path, renamed, 0o644)
	}
	real, err := os.ReadFile(filepath.Join(appDir, "notification.go"))
	if err != nil {
		return nil, err
	}
	if err := add("real", real); err != nil {
		return nil, err
	}
	for _, st := range steps {
		if st.app == "" {
			continue
		}
		src, err := apps.ReadFile("testdata/apps/" + st.app + ".go")
		if err != nil {
			return nil, err
		}
		if err := add(st.app, src); err != nil {
			return nil, err
		}
		fmt.Fprintf(&cases, "\tcase %q:\n\t\treturn %sNotificationApp(r, dir)\n", st.app, st.app)
	}
	dispatch := filepath.Join(tmp, "notification.go")
	o[filepath.Join(appDir, "notification.go")] = dispatch
	return o, os.WriteFile(dispatch, []byte(fmt.Sprintf(dispatcher, appEnv, cases.String())), 0o644)
}

// dispatcher is the notification.go of the check's build.
const dispatcher = `package apptests

import (
	"net/http"
	"os"

	"github.com/bgtasks/tutorial/bgtasks"
)

// NotificationApp serves the app that the check's run asks for.
func NotificationApp(r *bgtasks.Runner, dir string) http.Handler {
	switch os.Getenv(%q) {
%s	}
	return realNotificationApp(r, dir)
}
`
