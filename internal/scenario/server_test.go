package scenario

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// failAfter bounds how long a test waits for something that must happen.
// It is a guard against hanging, never a measure of speed.
const failAfter = 30 * time.Second

// serve runs Serve with h as the app until the test ends, and returns the
// app's URL.
func serve(t *testing.T, addr string, h http.Handler) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, addr, func(*Session) (http.Handler, error) { return h, nil }, func(Event) {},
			func(url string) { urls <- url })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("Serve: %v", err)
		}
	})
	select {
	case url := <-urls:
		return url
	case err := <-done:
		t.Skipf("cannot listen on %s here: %v", addr, err)
		return ""
	}
}

// withTimeouts sets the app server's read timeouts for the rest of the test.
func withTimeouts(t *testing.T, header, whole time.Duration) {
	oldHeader, oldWhole := readHeaderTimeout, readTimeout
	readHeaderTimeout, readTimeout = header, whole
	t.Cleanup(func() { readHeaderTimeout, readTimeout = oldHeader, oldWhole })
}

// A client that sends a request's body slowly, or never, holds the app's
// handler only until the read timeout: the body read fails then. Without a
// body deadline a slow body held a handler for as long as the client
// pleased.
func TestServerBodyDeadline(t *testing.T) {
	// The timeout is the thing under test: short, so the test does not
	// wait the real one out.
	withTimeouts(t, time.Second, 200*time.Millisecond)
	readErr := make(chan error, 1)
	url := serve(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
	}))
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":")
	select {
	case err := <-readErr:
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("the handler's read of a stalled body ended with %v, want a timeout", err)
		}
	case <-time.After(failAfter):
		t.Fatalf("the handler was still reading a stalled body after %s", failAfter)
	}
}

// A client that never finishes its headers is dropped at the header
// timeout.
func TestServerHeaderDeadline(t *testing.T) {
	withTimeouts(t, 200*time.Millisecond, time.Second)
	url := serve(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("a request with unfinished headers reached the handler")
	}))
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /orders HTTP/1.1\r\nHost: x\r\n")
	c.SetReadDeadline(time.Now().Add(failAfter))
	if _, err := io.ReadAll(c); err != nil {
		t.Errorf("the connection was not closed within %s: %v", failAfter, err)
	}
}

// The timeouts are set, whatever tests do with them.
func TestServerTimeoutsAreSet(t *testing.T) {
	if readHeaderTimeout <= 0 || readTimeout <= 0 {
		t.Errorf("ReadHeaderTimeout %s, ReadTimeout %s: want both set", readHeaderTimeout, readTimeout)
	}
}

// Served on a wildcard address, the app's URL names an address that
// connects: 127.0.0.1, which the wildcard covers, rather than [::], which
// Go prints for it and no client can connect to.
func TestServeURLOnWildcard(t *testing.T) {
	url := serve(t, "0.0.0.0:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "up") }))
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Errorf("URL %q, want http://127.0.0.1:PORT", url)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET %s: %s", url, resp.Status)
	}
}

func TestURLHost(t *testing.T) {
	for _, tt := range []struct {
		addr *net.TCPAddr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4zero, Port: 8081}, "127.0.0.1:8081"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 8081}, "127.0.0.1:8081"},
		{&net.TCPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 8081}, "192.0.2.7:8081"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 8081}, "[::1]:8081"},
	} {
		if got := urlHost(tt.addr); got != tt.want {
			t.Errorf("urlHost(%v) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}
