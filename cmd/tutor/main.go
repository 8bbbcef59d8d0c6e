// Command tutor serves the bgtasks tutorial as a local site, runs each
// lesson's app and checks the learner's exercises. Nobody installs it: from
// the repository's root, a learner types go run ./cmd/tutor, and every
// message names the command that way.
//
//	go run ./cmd/tutor [serve] [-addr 127.0.0.1:8080] [-open] [-allow-remote-actions]
//	                                                  the local site (default command)
//	go run ./cmd/tutor list [-check]                  lessons and where each exercise stands
//	go run ./cmd/tutor run LESSON                     run the lesson's scenario, print its timeline
//	go run ./cmd/tutor run -serve [-addr 127.0.0.1:8081] [-ready FILE] LESSON
//	                                                  keep the lesson's app up for curl
//	go run ./cmd/tutor check [-v] LESSON|all          verify the learner's exercise code
//	go run ./cmd/tutor watch [LESSON]                 check again on every save
//	go run ./cmd/tutor hint LESSON [N]                the next hint, or hint N
//	go run ./cmd/tutor reset LESSON                   put the starter back in learn/
//	go run ./cmd/tutor build -o DIR                   write the site as static files
//	go run ./cmd/tutor help                           the usage
//
// LESSON is a number (1, 01), a folder (01-basic) or a name (basic). The
// learner's code lives in learn/ (TUTOR_LEARN moves it). Exit status: 0
// success, 1 a check failed or something went wrong, 2 bad usage; go run
// turns every non-zero status into 1.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// self is the tutor as a learner runs it, from the repository's root.
const self = "go run ./cmd/tutor"

const usage = `tutor runs the bgtasks tutorial. From the repository's root, run it as
go run ./cmd/tutor COMMAND.

Usage:
  go run ./cmd/tutor [serve] [-addr 127.0.0.1:8080] [-open] [-allow-remote-actions]
                                      serve the lessons as a local site (the default)
  go run ./cmd/tutor list [-check]    the lessons and where each exercise stands
  go run ./cmd/tutor run LESSON       run a lesson's scenario and print its timeline
  go run ./cmd/tutor run -serve [-addr 127.0.0.1:8081] [-ready FILE] LESSON
                                      keep the lesson's app up for curl until Ctrl-C;
                                      -ready writes its URL to FILE once it listens
  go run ./cmd/tutor check [-v] LESSON|all
                                      check your exercise code
  go run ./cmd/tutor watch [LESSON]   check again on every save, until Ctrl-C; without
                                      LESSON, the first exercise not passed, then the next
  go run ./cmd/tutor hint LESSON [N]  show the lesson's next hint, or hint N
  go run ./cmd/tutor reset LESSON     put the starter back (your files are kept aside)
  go run ./cmd/tutor build -o DIR     write the site as static files to DIR
  go run ./cmd/tutor help             this text

LESSON is a number (1, 01), a folder (01-basic) or a name (basic).

Your code lives in learn/, one folder per lesson (learn/01-basic/exercise.go),
made from the lesson's starter the first time it is needed. It is a Go module
of its own: open it in your editor. Set TUTOR_LEARN to keep it elsewhere.

Exit status: 0 success, 1 a check failed or something went wrong, 2 bad usage.
Under go run every failure exits 1: go run prints "exit status 2" for bad usage
and exits 1 itself.
`

// stopGrace is how long the tutor may take to stop after Ctrl-C or SIGTERM.
const stopGrace = 15 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills the tutor at once
		// Draining tasks is bounded, so this only fires if something hangs.
		time.AfterFunc(stopGrace, func() {
			fmt.Fprintf(os.Stderr, "tutor: still not stopped %s after the interrupt; exiting\n", stopGrace)
			os.Exit(1)
		})
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// A usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// errFailed says a command has already reported its failure (a check that
// does not pass): exit status 1, nothing more to print.
var errFailed = errors.New("failed")

// run is the whole command: args without the program name. It returns the
// exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd, rest := "serve", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, rest = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serveCmd(ctx, rest, stdout, stderr)
	case "list":
		err = listCmd(ctx, rest, stdout, stderr)
	case "run":
		err = runCmd(ctx, rest, stdout, stderr)
	case "check":
		err = checkCmd(ctx, rest, stdout, stderr)
	case "watch":
		err = watchCmd(ctx, rest, stdout, stderr)
	case "hint":
		err = hintCmd(rest, stdout, stderr)
	case "reset":
		err = resetCmd(rest, stdout, stderr)
	case "build":
		err = buildCmd(ctx, rest, stdout)
	case "help":
		fmt.Fprint(stdout, usage)
	default:
		err = usagef("unknown command %q", cmd)
	}
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
		}
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "tutor: %s\nRun '%s help' for usage.\n", ue.msg, self)
		return 2
	case errors.Is(err, errFailed):
		return 1
	default:
		fmt.Fprintf(stderr, "tutor: %v\n", err)
		return 1
	}
}

// parse parses a subcommand's flags, which may come before or after its
// arguments, and returns the arguments. Mistakes become one-line usage
// errors; -h and -help return flag.ErrHelp.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard) // run prints one line instead of flag's listing
	fs.Usage = func() {}
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// wantArgs checks that a subcommand got exactly n arguments, named what.
func wantArgs(fs *flag.FlagSet, args []string, n int, what string) error {
	switch {
	case len(args) < n:
		return usagef("%s: missing %s", fs.Name(), what)
	case len(args) > n:
		return usagef("%s: unexpected argument %q", fs.Name(), args[n])
	}
	return nil
}
