package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// Mistakes on the command line get one line saying what is wrong, a pointer
// to the usage, and exit status 2; asking for help prints the usage.
func TestUsage(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stderr string // the first line of stderr; "" for none
		stdout string // a substring of stdout
	}{
		{args: []string{"help"}, stdout: "Usage:"},
		{args: []string{"-h"}, stdout: "Usage:"},
		{args: []string{"check", "-help"}, stdout: "tutor check"},
		{args: []string{"frobnicate"}, code: 2, stderr: `tutor: unknown command "frobnicate"`},
		{args: []string{"run", "42"}, code: 2, stderr: `tutor: unknown lesson "42" (try 1-`},
		{args: []string{"check", "nope"}, code: 2, stderr: `tutor: unknown lesson "nope"`},
		{args: []string{"run"}, code: 2, stderr: "tutor: run: missing LESSON"},
		{args: []string{"run", "1", "2"}, code: 2, stderr: `tutor: run: unexpected argument "2"`},
		{args: []string{"run", "-x", "1"}, code: 2, stderr: "tutor: run: flag provided but not defined: -x"},
		{args: []string{"run", "1", "-addr", ":0"}, code: 2, stderr: "tutor: run: -addr and -ready need -serve"},
		{args: []string{"check"}, code: 2, stderr: "tutor: check: missing LESSON (or all)"},
		{args: []string{"list", "extra"}, code: 2, stderr: `tutor: list: unexpected argument "extra"`},
		{args: []string{"build"}, code: 2, stderr: "tutor: build: missing -o DIR"},
		{args: []string{"build", "-o"}, code: 2, stderr: "tutor: build: flag needs an argument: -o"},
		{args: []string{"-addr"}, code: 2, stderr: "tutor: serve: flag needs an argument: -addr"},
		{args: []string{"watch", "1", "2"}, code: 2, stderr: `tutor: watch: unexpected argument "2"`},
		{args: []string{"watch", "nope"}, code: 2, stderr: `tutor: unknown lesson "nope"`},
		{args: []string{"watch", "-x"}, code: 2, stderr: "tutor: watch: flag provided but not defined: -x"},
		{args: []string{"reset"}, code: 2, stderr: "tutor: reset: missing LESSON"},
		{args: []string{"reset", "99"}, code: 2, stderr: `tutor: unknown lesson "99"`},
		{args: []string{"reset", "1", "2"}, code: 2, stderr: `tutor: reset: unexpected argument "2"`},
		{args: []string{"hint"}, code: 2, stderr: "tutor: hint: missing LESSON"},
		{args: []string{"hint", "1", "0"}, code: 2, stderr: `tutor: hint: lesson 01-basic has hints 1 to `},
		{args: []string{"hint", "1", "x"}, code: 2, stderr: `tutor: hint: lesson 01-basic has hints 1 to `},
		{args: []string{"hint", "1", "1", "1"}, code: 2, stderr: `tutor: hint: unexpected argument "1"`},
		{args: []string{"list", "-check=maybe"}, code: 2, stderr: `tutor: list: invalid boolean value "maybe" for -check`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit status %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			first, rest, _ := strings.Cut(stderr.String(), "\n")
			if tt.stderr == "" && stderr.Len() > 0 || !strings.HasPrefix(first, tt.stderr) {
				t.Errorf("stderr starts %q, want %q", first, tt.stderr)
			}
			if tt.stderr != "" && rest != "Run 'go run ./cmd/tutor help' for usage.\n" {
				t.Errorf("stderr goes on with %q, want the pointer to the usage only", rest)
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("stdout %q does not contain %q", stdout.String(), tt.stdout)
			}
		})
	}
}

// Flags may follow the lesson, as people type them.
func TestFlagsAfterArguments(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"run", "1", "-serve", "-addr", "256.0.0.1:1"}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "256.0.0.1") {
		t.Errorf("exit %d, stderr %q; want the listen error for the -addr given after the lesson", code, stderr.String())
	}
}

func TestCurl(t *testing.T) {
	got := curl("http://127.0.0.1:8081", "POST /orders", `{"note":"it's"}`)
	want := `curl -i -X POST http://127.0.0.1:8081/orders -H 'Content-Type: application/json' -d '{"note":"it'\''s"}'`
	if got != want {
		t.Errorf("curl =\n%s\nwant\n%s", got, want)
	}
	if got := curl("http://h", "GET /items/1?x=a b", ""); got != `curl -i 'http://h/items/1?x=a b'` {
		t.Errorf("curl = %s", got)
	}
}

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:1": true, "[::1]:80": true,
		":8080": false, "0.0.0.0:80": false, "192.168.1.2:80": false, "nonsense": false,
	} {
		if got := loopback(addr); got != want {
			t.Errorf("loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}
