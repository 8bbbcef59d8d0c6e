// Command shop serves lesson 06's shop: POST /orders stores an order and
// queues its confirmation as a River job.
//
//	go run ./lessons/06-durable/cmd/shop                  # SQLite: shop.db here
//	DATABASE_URL=postgres://... go run ./lessons/06-durable/cmd/shop
//	curl -H 'Content-Type: application/json' -d '{"email":"ada@example.com","item":"book","quantity":1}' localhost:8080/orders
//
// It logs JSON lines to standard error, the first of which, "listening",
// holds the URL it serves. Kill it at any moment: the next run works the jobs
// it left.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	durable "github.com/bgtasks/tutorial/lessons/06-durable"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log, os.Args[1:]); err != nil {
		log.Error("shop stopped", "error", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("shop", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address to serve on; port 0 picks a free one")
	dir := fs.String("dir", ".", "folder for shop.db and outbox.jsonl")
	dbURL := fs.String("db", os.Getenv("DATABASE_URL"), "database: a SQLite path, sqlite://PATH or postgres://... (default $DATABASE_URL, else DIR/shop.db)")
	workers := fs.Int("workers", 10, "confirmations worked at once")
	sendDelay := fs.Duration("send-delay", durable.SendDelay, "how long each mail takes")
	jobTimeout := fs.Duration("job-timeout", 0, "cancel a job after this long (0: River's 1m)")
	rescueAfter := fs.Duration("rescue-after", 0, "run a job again once it has been running this long, as after a crash (0: River's 1h)")
	inProcess := fs.Bool("in-process", false, "send confirmations in bgtasks tasks, not River jobs: a crash loses them")
	if err := fs.Parse(args); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	shop, err := durable.Open(ctx, durable.Config{
		DatabaseURL: *dbURL,
		Dir:         *dir,
		Mailer:      &durable.Outbox{Path: filepath.Join(*dir, "outbox.jsonl"), Delay: *sendDelay},
		Logger:      log,
		Workers:     *workers,
		JobTimeout:  *jobTimeout,
		RescueAfter: *rescueAfter,
		InProcess:   *inProcess,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return errors.Join(err, shop.Close(ctx))
	}
	if err := shop.Start(ctx); err != nil {
		return errors.Join(err, ln.Close(), shop.Close(ctx))
	}
	srv := &http.Server{
		Handler:           shop.Handler(),
		ReadHeaderTimeout: 5 * time.Second, // a client that trickles headers holds a connection
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("listening", "url", fmt.Sprintf("http://%s", ln.Addr()), "pid", os.Getpid())

	select {
	case err = <-served:
	case <-ctx.Done():
	}
	// Stop taking orders, then let the running jobs finish, for a while.
	down, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if e := srv.Shutdown(down); e != nil {
		err = errors.Join(err, e)
	}
	return errors.Join(err, shop.Close(down))
}
