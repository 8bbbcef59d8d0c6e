package check

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// pipeServer serves a handler over in-memory connections (net.Pipe) to a
// client of its own. Inside a testing/synctest bubble a goroutine blocked on
// such a connection is durably blocked, unlike one blocked on a socket, so
// the fake clock moves on only when nothing at all can happen: a client
// whose response waits for a blocked task times out at once and every time,
// and a handler that sleeps shows the exact time it slept.
type pipeServer struct {
	client *http.Client
	srv    *http.Server
	ln     *pipeListener
	served chan struct{} // closed when Serve has returned
}

// servePipe starts serving h. The client gives up on a request after
// timeout, which in a bubble is fake time.
func servePipe(h http.Handler, timeout time.Duration) *pipeServer {
	ln := &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
	p := &pipeServer{
		ln:     ln,
		srv:    &http.Server{Handler: h},
		served: make(chan struct{}),
		client: &http.Client{Timeout: timeout, Transport: &http.Transport{DialContext: ln.dial}},
	}
	go func() {
		defer close(p.served)
		_ = p.srv.Serve(ln)
	}()
	return p
}

// Close closes every connection, on both sides, and waits for Serve to
// return. Handlers still running are not waited for.
func (p *pipeServer) Close() {
	_ = p.srv.Close()
	p.client.CloseIdleConnections()
	<-p.served
}

// pipeListener hands the server one end of each pipe the client dials.
type pipeListener struct {
	conns     chan net.Conn
	closed    chan struct{}
	closeOnce sync.Once
}

func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// withRequestValue puts a value in every request's context, as a request
// ID middleware would.
func withRequestValue(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestKey{}, "req-1")))
	})
}

// post sends body to POST /orders and returns the status and up to 1 KiB
// of the reply, read to its end.
func post(client *http.Client, body string) (int, string, error) {
	resp, err := client.Post("http://shop/orders", "application/json", strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	if err != nil {
		return 0, "", err
	}
	return resp.StatusCode, strings.TrimSpace(string(b)), nil
}
