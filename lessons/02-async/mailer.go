package async

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"time"
)

// A Mailer sends plain-text mail through one SMTP server. The zero value is
// not usable: set Addr and From.
type Mailer struct {
	Addr string // the SMTP server, as host:port
	From string // the sender's address
}

// A Message is one plain-text mail to one recipient.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Send delivers msg, and gives up as soon as ctx is cancelled or its
// deadline passes, returning an error that wraps ctx.Err().
//
// net/smtp predates context.Context: once connected, its reads and writes
// stop only when the connection's deadline passes or the connection closes.
// So Send dials with the context, then ties the connection to it.
func (m Mailer) Send(ctx context.Context, msg Message) (err error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return fmt.Errorf("mail to %s: %w", msg.To, err)
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	// A deadline in the past wakes every blocked read and write at once.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	defer func() {
		if err != nil && ctx.Err() != nil {
			err = fmt.Errorf("mail to %s: %w (%v)", msg.To, context.Cause(ctx), err)
		}
	}()

	host, _, _ := net.SplitHostPort(m.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return err
	}
	if err := c.Hello("localhost"); err != nil {
		return err
	}
	if err := c.Mail(m.From); err != nil {
		return err
	}
	if err := c.Rcpt(msg.To); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg.bytes(m.From)); err != nil {
		return err
	}
	// Close sends the final "." and waits for the server to accept the
	// message: the slow part.
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// bytes formats msg as RFC 5322 text. Subject and addresses were checked
// for line breaks before they got here: a newline in a header is an
// injected header.
func (msg Message) bytes(from string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\n", from, msg.To, mime.QEncoding.Encode("utf-8", msg.Subject))
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(msg.Body, "\n", "\r\n"))
	return []byte(b.String())
}
