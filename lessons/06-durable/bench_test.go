package durable

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The numbers the README quotes come from:
//
//	go test -run '^$' -bench . -benchtime 2000x ./lessons/06-durable
//
// Enqueue is one POST /orders over loopback, its order and job committed
// together: the latency a client sees, with no job being worked beside it.
// Work is how fast a started shop confirms orders already queued, with a
// mail server that answers at once.
func BenchmarkSQLite(b *testing.B) {
	benchShop(b, func(testing.TB) string { return "" })
}

func BenchmarkPostgreSQL(b *testing.B) {
	benchShop(b, startPostgres(b).newDatabase)
}

func benchShop(b *testing.B, newURL func(testing.TB) string) {
	b.Run("Enqueue", func(b *testing.B) {
		_, srv := benchOpen(b, newURL(b)) // not started: the enqueue alone
		for b.Loop() {
			benchPost(b, srv)
		}
	})
	b.Run("Work", func(b *testing.B) {
		shop, srv := benchOpen(b, newURL(b))
		for range b.N {
			benchPost(b, srv)
		}
		b.ResetTimer()
		start := time.Now()
		if err := shop.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		for n := 0; n < b.N; {
			if err := shop.db.QueryRow(`SELECT count(*) FROM confirmations`).Scan(&n); err != nil {
				b.Fatal(err)
			}
			time.Sleep(time.Millisecond) // polling, as a reader of the database would
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
	})
}

// instantMail is a mail server that answers at once.
type instantMail struct{}

func (instantMail) Send(context.Context, Mail) error { return nil }

func benchOpen(b *testing.B, url string) (*Shop, *httptest.Server) {
	b.Helper()
	shop, err := Open(context.Background(), Config{DatabaseURL: url, Dir: b.TempDir(), Mailer: instantMail{},
		Logger: slog.New(slog.DiscardHandler), Workers: 100})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(shop.Handler())
	b.Cleanup(func() {
		srv.Close()
		if err := shop.Close(context.Background()); err != nil {
			b.Error(err)
		}
	})
	return shop, srv
}

func benchPost(b *testing.B, srv *httptest.Server) {
	resp, err := srv.Client().Post(srv.URL+"/orders", "application/json",
		strings.NewReader(`{"email":"ada@example.com","item":"book","quantity":1}`))
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b.Fatal(fmt.Sprintf("status %d", resp.StatusCode))
	}
}
