//go:build !unix

package check

import "os/exec"

// killGroupOnCancel keeps exec's default, killing the go command alone, where
// process groups are not available.
func killGroupOnCancel(cmd *exec.Cmd) {}
