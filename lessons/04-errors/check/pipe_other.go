//go:build !linux

package check

// A fullPipe is, on Linux, a named pipe whose every Write blocks; elsewhere
// the check goes without it.
type fullPipe struct {
	path   string
	filler int
}

// newFullPipe returns nil: step 2 is not run here.
func newFullPipe(string) (*fullPipe, error) { return nil, nil }

func (p *fullPipe) drain() []byte { return nil }

func (p *fullPipe) close() {}
