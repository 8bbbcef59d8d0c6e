package dependencies

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// A journal appends lines to a file. It opens the file for each line, so
// it holds no handle between tasks.
type journal struct {
	path string
	mu   sync.Mutex // different requests' tasks run at the same time
}

func newJournal(dir, name string) *journal {
	return &journal{path: filepath.Join(dir, name)}
}

func (j *journal) open() (*os.File, error) {
	f, err := os.OpenFile(j.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	return f, shortPath(err)
}

func (j *journal) append(line string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	f, err := j.open()
	if err != nil {
		return err
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		f.Close()
		return shortPath(err)
	}
	return shortPath(f.Close())
}

// shortPath names only the file in a file error, so that logs say
// "write audit.log: file already closed" wherever the directory is.
func shortPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: filepath.Base(pe.Path), Err: pe.Err}
	}
	return err
}
