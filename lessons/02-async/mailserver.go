package async

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// A MailServerConfig configures StartMailServer.
type MailServerConfig struct {
	// Dir receives each message as outbox/<recipient>.eml.
	Dir string
	// Latency is how long the server takes to accept each message, as a
	// real relay does. Zero means no delay.
	Latency time.Duration
	// BeforeStore, if set, is called with a message's recipient once the
	// message has arrived, before it is stored and acknowledged. The client
	// waits meanwhile, so tests use it to hold sends in flight.
	BeforeStore func(to string)
	// Log receives a line per stored message. Nil means no log.
	Log *slog.Logger
}

// A MailServer is a small SMTP server on loopback that stores what it
// receives, so that the lesson sends real mail without sending it anywhere.
type MailServer struct {
	cfg  MailServerConfig
	srv  *smtp.Server
	ln   net.Listener
	done chan struct{}
	mu   sync.Mutex // serialises writes to the outbox
}

// StartMailServer starts a MailServer on a free loopback port.
func StartMailServer(cfg MailServerConfig) (*MailServer, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Join(cfg.Dir, "outbox"), 0o755); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	m := &MailServer{cfg: cfg, ln: ln, done: make(chan struct{})}
	m.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &mailSession{server: m}, nil
	}))
	m.srv.Domain = "localhost"
	m.srv.MaxMessageBytes = 64 << 10
	m.srv.MaxRecipients = 1
	m.srv.ReadTimeout = 30 * time.Second
	m.srv.WriteTimeout = 30 * time.Second
	m.srv.ErrorLog = slogPrinter{cfg.Log}
	go func() {
		defer close(m.done)
		m.srv.Serve(ln)
	}()
	return m, nil
}

// Addr is the server's host:port, for Mailer.Addr.
func (m *MailServer) Addr() string { return m.ln.Addr().String() }

// Close stops the server and drops its connections.
func (m *MailServer) Close() error {
	err := m.srv.Close()
	<-m.done
	return err
}

// store writes one message to the outbox, with Unix line endings so that it
// reads well anywhere.
func (m *MailServer) store(to string, data []byte) error {
	if m.cfg.Latency > 0 {
		time.Sleep(m.cfg.Latency)
	}
	if m.cfg.BeforeStore != nil {
		m.cfg.BeforeStore(to)
	}
	name := "outbox/" + safeName(to) + ".eml"
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := os.WriteFile(filepath.Join(m.cfg.Dir, name), data, 0o644); err != nil {
		return err
	}
	m.cfg.Log.Info("mail server stored a message", "to", to, "file", name)
	return nil
}

// safeName keeps a recipient from naming a path outside the outbox.
func safeName(addr string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("@.+-_", r):
			return r
		}
		return '_'
	}, addr)
}

// mailSession is one SMTP conversation.
type mailSession struct {
	server *MailServer
	to     string
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error { return nil }

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	if s.to == "" {
		return errors.New("no recipient")
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return s.server.store(s.to, b)
}

func (s *mailSession) Reset()        { s.to = "" }
func (s *mailSession) Logout() error { return nil }

// slogPrinter passes go-smtp's internal errors to slog.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Printf(format string, v ...any) {
	p.log.Warn("mail server", "error", strings.TrimSpace(fmt.Sprintf(format, v...)))
}

func (p slogPrinter) Println(v ...any) {
	p.log.Warn("mail server", "error", strings.TrimSpace(fmt.Sprintln(v...)))
}
