package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/bgtasks/tutorial/lessons"
	"github.com/bgtasks/tutorial/site"
)

// serveCmd serves the site until ctx ends (Ctrl-C).
func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", site.DefaultAddr, "where to listen")
	open := fs.Bool("open", false, "open the site in a browser")
	remote := fs.Bool("allow-remote-actions", false, "let other machines press Run and Check (with an -addr they can reach)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, rest, 0, ""); err != nil {
		return err
	}
	root, err := lessons.Root()
	if err != nil {
		// The lessons are built in; only checks need the files on disk.
		fmt.Fprintf(stderr, "tutor: %v: the Check buttons are off\n", err)
		root = ""
	} else if ws, err := openWorkspace("serve", stderr); err == nil {
		fmt.Fprintf(stdout, "Your code goes in %s/, a folder per lesson, made from its starter when you open the lesson.\n", ws.Show())
	}
	err = site.Serve(ctx, site.Options{Addr: *addr, Root: root, Learn: os.Getenv(learnEnv), Open: *open, AllowRemoteActions: *remote}, stdout)
	if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled)) {
		return nil // stopped by Ctrl-C, as asked
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%w (is the tutor already running? open it, or pick another port: -addr 127.0.0.1:8090)", err)
	}
	return err
}

// buildCmd writes the static site.
func buildCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	dir := fs.String("o", "", "the folder to write the site to")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, rest, 0, ""); err != nil {
		return err
	}
	if *dir == "" {
		return usagef("build: missing -o DIR")
	}
	return site.Build(ctx, *dir, stdout)
}
