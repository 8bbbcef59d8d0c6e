//go:build unix && !linux

package check

import (
	"context"
	"os/exec"
	"syscall"
)

// command returns the command that runs name with args in a process group
// of its own, and a function to call once it has been waited for. go test
// runs a compiled test binary, which may start processes of its own, and
// killing go alone would leave them running: the whole group is killed when
// ctx ends and again once go test has ended, for what it left behind.
//
// Unlike on Linux (proc_linux.go), a process that leaves the group (setsid)
// escapes, and so does everything if the tutor itself is killed.
func command(ctx context.Context, dir, name string, args ...string) (*exec.Cmd, func(), error) {
	cmd := exec.CommandContext(ctx, name, args...)
	if cmd.Err != nil {
		return nil, nil, cmd.Err
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd, func() {
		if cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	}, nil
}
