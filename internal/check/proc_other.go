//go:build !unix

package check

import (
	"context"
	"os/exec"
)

// command returns the command that runs name with args, and a function to
// call once it has been waited for. Without process groups, exec's default
// stands: cancelling kills go test alone, and what its test binary started
// may outlive the check.
func command(ctx context.Context, dir, name string, args ...string) (*exec.Cmd, func(), error) {
	cmd := exec.CommandContext(ctx, name, args...)
	if cmd.Err != nil {
		return nil, nil, cmd.Err
	}
	return cmd, func() {}, nil
}
