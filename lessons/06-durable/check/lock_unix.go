//go:build unix

package check

import (
	"os"
	"syscall"
)

// lockFile holds an exclusive lock on path until unlock is called or the
// process ends, whichever comes first: a killed build leaves no stale lock.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}
