// Command tutor serves the bgtasks tutorial as a local site, runs each
// lesson's app and checks the exercises.
//
//	tutor [serve] [-addr 127.0.0.1:8080] [-open]   the local site (default command)
//	tutor list [-check]                            lessons and exercise status
//	tutor run LESSON                               run the lesson's scenario, print its timeline
//	tutor run -serve [-addr 127.0.0.1:8081] [-ready FILE] LESSON
//	                                               keep the lesson's app up for curl
//	tutor check [-v] LESSON|all                    verify your exercise code
//	tutor build -o DIR                             write the site as static files
//	tutor help                                     the usage
//
// LESSON is a number (1, 01), a folder (01-basic) or a name (basic). Exit
// status: 0 success, 1 a check failed or something went wrong, 2 bad usage.
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

const usage = `tutor runs the bgtasks tutorial.

Usage:
  tutor [serve] [-addr 127.0.0.1:8080] [-open]   serve the lessons as a local site
  tutor list [-check]                            lessons and the state of each exercise
  tutor run LESSON                               run a lesson's scenario and print its timeline
  tutor run -serve [-addr 127.0.0.1:8081] [-ready FILE] LESSON
                                                 keep the lesson's app up for curl until Ctrl-C;
                                                 -ready writes its URL to FILE once it listens
  tutor check [-v] LESSON|all                    check your exercise code
  tutor build -o DIR                             write the site as static files to DIR
  tutor help                                     this text

LESSON is a number (1, 01), a folder (01-basic) or a name (basic).
Exit status: 0 success, 1 a check failed or something went wrong, 2 bad usage.
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
		err = listCmd(ctx, rest, stdout)
	case "run":
		err = runCmd(ctx, rest, stdout, stderr)
	case "check":
		err = checkCmd(ctx, rest, stdout)
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
		fmt.Fprintf(stderr, "tutor: %s\nRun 'tutor help' for usage.\n", ue.msg)
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
