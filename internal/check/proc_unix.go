//go:build unix

package check

import (
	"os/exec"
	"syscall"
)

// killGroupOnCancel puts cmd in a process group of its own and makes
// cancellation kill the whole group: go test runs a compiled test binary,
// which may start processes of its own, and killing go alone would leave
// them running.
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
