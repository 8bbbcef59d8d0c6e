package workspace

import (
	"encoding/json"
	"os"
)

// Overlay writes a go build -overlay file that adds files to the folder
// name for one go command, without writing them there: add maps a file's
// name in the folder to the file whose content it has. A file of that name
// that the learner made is hidden behind it. cleanup removes the overlay
// file.
//
// The check adds the course's check_test.go this way, so that the learner
// can neither break nor edit the check.
func (w *Workspace) Overlay(name string, add map[string]string) (file string, cleanup func(), err error) {
	replace := map[string]string{}
	for base, src := range add {
		replace[w.Path(name, base)] = src
	}
	b, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return "", nil, err
	}
	f, err := os.CreateTemp("", "tutor-overlay-*.json")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.Remove(f.Name()) }
	if _, err := f.Write(b); err != nil {
		f.Close()
		cleanup()
		return "", nil, err
	}
	if err := f.Close(); err != nil {
		cleanup()
		return "", nil, err
	}
	return f.Name(), cleanup, nil
}
