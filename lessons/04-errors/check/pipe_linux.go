package check

import (
	"errors"
	"os"
	"syscall"
)

// A fullPipe is a named pipe at path that the check holds open, read and
// write, and has filled: every Write of a hook that opens path then blocks,
// and Go parks its goroutine in "IO wait" (pipes, unlike disk files, can be
// polled), until the check drains it. The check holds the reading end, so a
// hook's open for writing never blocks.
type fullPipe struct {
	path   string
	fd     int
	filler int // bytes of the check's own at the head of the pipe
}

func newFullPipe(path string) (*fullPipe, error) {
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		return nil, &os.PathError{Op: "mkfifo", Path: path, Err: err}
	}
	fd, err := syscall.Open(path, syscall.O_RDWR|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		os.Remove(path)
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	p := &fullPipe{path: path, fd: fd}
	// A write of up to a page goes in whole or not at all: halving down to
	// one byte fills the last gap, and then no byte fits.
	chunk := make([]byte, 4096)
	for size := len(chunk); size > 0; {
		n, err := syscall.Write(fd, chunk[:size])
		switch {
		case errors.Is(err, syscall.EAGAIN):
			size /= 2
		case err != nil:
			p.close()
			return nil, &os.PathError{Op: "write", Path: path, Err: err}
		default:
			p.filler += n
		}
	}
	return p, nil
}

// drain reads what the pipe holds now, without waiting.
func (p *fullPipe) drain() []byte {
	var out []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := syscall.Read(p.fd, buf)
		if n <= 0 || err != nil {
			return out
		}
		out = append(out, buf[:n]...)
	}
}

// close removes the pipe before closing it, so that a late open of path by
// a goroutine the hook left behind makes a plain file, rather than waiting
// forever for a reader.
func (p *fullPipe) close() {
	os.Remove(p.path)
	syscall.Close(p.fd)
}
