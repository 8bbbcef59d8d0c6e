package main

import (
	"fmt"
	"os"
	"testing"
)

// TestMain points every test's workspace at a folder of its own, unless a
// test says otherwise: the tests run inside the repository, and must never
// touch, nor depend on, a learner's learn/.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tutor-test-learn-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv(learnEnv, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
