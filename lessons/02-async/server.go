//go:build ignore

// Server runs lesson 02's app as a real program: the registration endpoint
// on a real port, the lesson's mail server on loopback, until SIGINT
// (Ctrl-C) or SIGTERM (what a deploy sends). Then it drains.
//
//	go run ./lessons/02-async/server.go
//	curl -i -H 'Content-Type: application/json' -d '{"email":"you@example.com","name":"You"}' http://127.0.0.1:8080/register
//
// server_test.go builds it, registers, sends SIGTERM while the mail is in
// flight, and checks that the mail was delivered before it exited.
package main

import (
	"context"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
	async "github.com/bgtasks/tutorial/lessons/02-async"
)

var (
	addr    = flag.String("addr", "127.0.0.1:8080", "address to serve on (port 0 picks one)")
	dir     = flag.String("dir", os.TempDir(), "folder for the mail server's outbox/")
	latency = flag.Duration("mail-latency", async.Latency, "how long the mail server takes per mail")
)

func main() {
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	mail, err := async.StartMailServer(async.MailServerConfig{Dir: *dir, Latency: *latency})
	if err != nil {
		log.Fatal(err)
	}
	defer mail.Close()
	runner := bgtasks.New()
	srv := &http.Server{
		Handler:           async.NewApp(runner, async.Mailer{Addr: mail.Addr(), From: "welcome@example.com"}),
		ReadHeaderTimeout: 5 * time.Second,  // a client that trickles its headers
		ReadTimeout:       10 * time.Second, // or its body, holds a handler
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(ln) // returns http.ErrServerClosed once Shutdown is called
	log.Printf("listening on http://%s", ln.Addr())

	<-ctx.Done() // 1. a signal
	stop()       // a second Ctrl-C kills at once
	log.Printf("shutting down with %d task(s) running", runner.Stats().Running)
	drain, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// 2. Stop taking requests; wait for the handlers, which may still queue tasks.
	if err := srv.Shutdown(drain); err != nil {
		log.Print(err)
	}
	// 3. Drain the tasks; past the deadline, cancel them and count them abandoned.
	if err := runner.Shutdown(drain); err != nil {
		log.Print(err)
	}
	log.Printf("stopped: %+v", runner.Stats())
}
