// Package site renders the lessons as a local web site and serves it.
//
// The server is meant for the learner's own machine. It listens on loopback
// unless told otherwise, answers only requests addressed to its own loopback
// name and port (against DNS rebinding), accepts actions only from its own
// pages (Origin), offers only fixed actions (run a lesson's scenario, check a
// lesson's exercise) with time, output and concurrency limits, and sends a
// strict Content-Security-Policy.
package site

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// DefaultAddr is where Serve listens when Options.Addr is empty.
const DefaultAddr = "127.0.0.1:8080"

// Options configure Serve.
type Options struct {
	Addr string // where to listen; loopback unless told otherwise
	Root string // the repository on disk, for checks; "" if unknown
	Open bool   // open a browser at the site's URL
	// Learn is the learner's workspace, where checks find their code and
	// progress is kept; "" means learn/ in Root.
	Learn string
	// Ready, if set, is called with the site's URL once it accepts
	// connections.
	Ready func(url string)
	// AllowRemoteActions lets clients on other machines run the site's
	// actions (a lesson's scenario, an exercise's check), which run code on
	// this machine. Without it, an action from any address but this
	// machine's own is refused, whatever its Host and Origin say: those
	// keep other web pages out, not other programs.
	AllowRemoteActions bool
}

// Serve serves the site until ctx ends, printing its URL to stdout.
func Serve(ctx context.Context, opts Options, stdout io.Writer) error {
	addr := opts.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	tcp := ln.Addr().(*net.TCPAddr)
	port := strconv.Itoa(tcp.Port)
	log := slog.New(slog.NewTextHandler(stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))
	// Every page is rendered before the first request is read, so that none
	// waits for it and a lesson that cannot render stops the tutor here,
	// saying which README line is at fault.
	p, err := render(false)
	if err != nil {
		ln.Close()
		return err
	}
	srv := newServer(p, opts.Root, tcp.Port, log)
	srv.learn = opts.Learn
	srv.allowRemote = opts.AllowRemoteActions
	// The URL names the address listened on, or it would not connect, and
	// the server answers to it and to the name it was given (127.0.0.2 is
	// loopback too; 192.0.2.7 is reached by no other name). A wildcard
	// address listens on 127.0.0.1 as well and adds no name of its own.
	urlHost := "127.0.0.1"
	var own []string
	if !tcp.IP.IsUnspecified() {
		urlHost = tcp.IP.String()
		host, _, _ := net.SplitHostPort(addr)
		for _, h := range []string{urlHost, host} {
			if hp := net.JoinHostPort(h, port); h != "" && !srv.hosts[hp] {
				srv.hosts[hp] = true
				own = append(own, hp)
			}
		}
	}
	url := "http://" + net.JoinHostPort(urlHost, port) + "/"
	if !tcp.IP.IsLoopback() {
		names := strings.Join(append(own, "127.0.0.1, localhost or [::1]"), ", ")
		actions := "Run and Check, which run code on this machine, are refused to other machines; -allow-remote-actions allows them."
		if opts.AllowRemoteActions {
			actions = "Run and Check are allowed from other machines (-allow-remote-actions): anyone who reaches this port can make\n" +
				"this machine run the lessons' scenarios and go test on the code in your workspace."
		}
		fmt.Fprintf(stdout, "WARNING: listening on %s, which is not a loopback address: other machines may reach this server.\n"+
			"It answers only requests addressed to %s: that keeps web pages elsewhere out,\n"+
			"but any program that reaches the port can use those names, and read every page.\n%s\n", ln.Addr(), names, actions)
	}
	hs := &http.Server{
		Handler:           srv.handler(),
		ReadHeaderTimeout: readTimeout,
		ReadTimeout:       readTimeout, // actions extend it for their body, then net/http lifts it
		IdleTimeout:       time.Minute,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	fmt.Fprintf(stdout, "The bgtasks tutorial is at %s (Ctrl+C to stop)\n", url)
	if opts.Ready != nil {
		opts.Ready(url)
	}
	if opts.Open {
		go openBrowser(url, log)
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(shut)
	}()
	err = hs.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		<-stopped
		return nil
	}
	return err
}

// openBrowser opens url in the system's browser, if it can; the URL is
// printed anyway.
func openBrowser(url string, log *slog.Logger) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		log.Warn("could not open a browser; open the URL yourself", "url", url, "err", err)
		return
	}
	go func() { _ = cmd.Wait() }()
}
