package check

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// On Linux a check runs go test under a reaper: the tutor's own executable,
// started again with reaperEnv set, which becomes a child subreaper
// (prctl PR_SET_CHILD_SUBREAPER) and starts go test. Every process go test
// starts, the learner's included, is then a descendant of the reaper even
// after its parent dies or it calls setsid, so nothing escapes to PID 1:
//
//   - when go test ends by itself, the reaper kills whatever is left;
//   - when the check is cancelled or stopped, the tutor closes the reaper's
//     lifeline (a pipe on fd 3) and the reaper kills everything;
//   - when the tutor dies, SIGKILL included, the kernel closes the lifeline
//     and the same happens.
//
// The reaper exits only once it has reaped every descendant, with go test's
// exit status.

// reaperEnv, set to "1", makes a binary that links this package a reaper
// (see init). The reaper removes it from go test's environment.
const reaperEnv = "BGTASKS_TUTOR_CHECK_REAPER"

// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER of prctl(2), Linux 3.4+.
const prSetChildSubreaper = 36

func init() {
	if os.Getenv(reaperEnv) == "1" && len(os.Args) >= 3 {
		os.Exit(reap(os.Args[1], os.Args[2:]))
	}
}

// command returns the command that runs name with args under a reaper, and
// a function to call once it has been waited for. Where the tutor cannot
// start itself again, it falls back to a process group.
func command(ctx context.Context, dir, name string, args ...string) (*exec.Cmd, func(), error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return groupCommand(ctx, path, args)
	}
	lifeline, keep, err := os.Pipe()
	if err != nil {
		return groupCommand(ctx, path, args)
	}
	var once sync.Once
	cut := func() { once.Do(func() { keep.Close() }) }
	cmd := exec.CommandContext(ctx, self, append([]string{path, name}, args...)...)
	cmd.Env = append(os.Environ(), reaperEnv+"=1")
	cmd.ExtraFiles = []*os.File{lifeline} // fd 3 in the reaper
	// Its own process group: a Ctrl-C meant for the tutor reaches the
	// check through the tutor, which cuts the lifeline.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		cut()
		return nil
	}
	// The tutor holds the only write end: the reaper reads EOF once the
	// tutor closes it or dies. Holding the read end as well does no harm.
	return cmd, func() {
		cut()
		lifeline.Close()
	}, nil
}

// groupCommand runs path in a process group of its own, killed as a whole
// when ctx ends and once the command has been waited for. Pdeathsig kills
// go test, though not its children, if the tutor dies.
func groupCommand(ctx context.Context, path string, args []string) (*exec.Cmd, func(), error) {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd, func() {
		if cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	}, nil
}

// reap is the reaper's main: it runs path with argv and returns its exit
// status once it and every process it started are gone.
func reap(path string, argv []string) int {
	// Without a subreaper (a kernel before 3.4), orphans go to PID 1 and
	// only go test's process group is killed.
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
	syscall.CloseOnExec(3)
	lifeline := os.NewFile(3, "lifeline")

	children := make(chan os.Signal, 1)
	signal.Notify(children, syscall.SIGCHLD)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)

	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, reaperEnv+"=") {
			env = append(env, kv)
		}
	}
	wd, _ := os.Getwd()
	pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{Dir: wd, Env: env, Files: []uintptr{0, 1, 2},
		Sys: &syscall.SysProcAttr{Setpgid: true}})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", argv[0], err)
		return 127
	}

	cut := make(chan struct{})
	go func() {
		var b [1]byte
		for {
			if _, err := lifeline.Read(b[:]); err != nil {
				close(cut)
				return
			}
		}
	}()

	status := -1 // go test's, once it has exited
	stopping := false
	for {
		// This loop alone waits for children, so a PID it finds cannot be
		// reaped, and reused, before it kills it.
		for {
			var ws syscall.WaitStatus
			wpid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
			if err == syscall.EINTR {
				continue
			}
			if err == syscall.ECHILD {
				return max(status, 0)
			}
			if err != nil || wpid <= 0 {
				break
			}
			if wpid == pid {
				status = exitStatus(ws)
			}
		}
		if stopping || status >= 0 {
			if status < 0 {
				_ = syscall.Kill(-pid, syscall.SIGKILL) // go test's group, while it is go test's
			}
			for _, child := range childrenOf(os.Getpid()) {
				_ = syscall.Kill(child, syscall.SIGKILL)
			}
		}
		select {
		case <-children:
		case <-signals:
			stopping = true
		case <-cut:
			stopping, cut = true, nil
		}
	}
}

func exitStatus(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// childrenOf returns the processes whose parent is pid, read from /proc.
func childrenOf(pid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var kids []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(string(b[i+1:]))
		if len(fields) > 1 {
			if ppid, err := strconv.Atoi(fields[1]); err == nil && ppid == pid {
				kids = append(kids, child)
			}
		}
	}
	return kids
}
