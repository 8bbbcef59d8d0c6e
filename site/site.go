// Package site renders the lessons as a local web site and serves it.
package site

import (
	"context"
	"errors"
	"io"
)

// Options configure Serve.
type Options struct {
	Addr string // where to listen; loopback unless told otherwise
	Root string // the repository on disk, for checks; "" if unknown
	Open bool   // open a browser at the site's URL
}

// Serve serves the site until ctx ends, printing its URL to stdout.
func Serve(ctx context.Context, opts Options, stdout io.Writer) error {
	return errors.New("not written yet")
}

// Build writes a static copy of the site to dir.
func Build(ctx context.Context, dir string, stdout io.Writer) error {
	return errors.New("not written yet")
}
