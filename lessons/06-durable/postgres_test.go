package durable

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestPostgreSQL runs every database test, and the crash test, on a
// PostgreSQL cluster of its own: on a unix socket in a temporary folder, so
// it needs no port and leaves nothing behind. Where PostgreSQL is not
// installed it skips, except under CI=true, where it fails: CI must prove
// the claim the README makes.
func TestPostgreSQL(t *testing.T) {
	t.Parallel() // beside TestCrash, which mostly waits
	base := startPostgres(t)
	newURL := func(t *testing.T) string { return base.newDatabase(t) }
	t.Run("Crash", func(t *testing.T) {
		t.Parallel() // beside the other subtests, while River waits to rescue
		testCrash(t, newURL)
	})
	for _, tt := range dbTests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newURL) })
	}
}

// A cluster is a running PostgreSQL server, reached as user postgres.
type cluster struct {
	socketDir string
	databases atomic.Int64
}

// url names database db on the cluster.
func (c *cluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@/%s?host=%s&sslmode=disable", db, c.socketDir)
}

// newDatabase creates an empty database for one test.
func (c *cluster) newDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("test_%d", c.databases.Add(1))
	admin, err := sql.Open("pgx", c.url("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	return c.url(name)
}

// startPostgres runs initdb and postgres in a temporary folder, and stops
// the server when t ends. PostgreSQL refuses to run as root, so as root it
// runs them as the postgres user.
func startPostgres(t testing.TB) *cluster {
	t.Helper()
	bin, err := postgresBin()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v; .ci/run installs Debian's postgresql", err)
		}
		t.Skip(err)
	}
	dir, err := os.MkdirTemp("", "durable-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		cred = postgresUser(t)
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	command := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		return cmd
	}

	data := filepath.Join(dir, "data")
	if out, err := command("initdb", "--no-sync", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	// No TCP at all; and no fsync: the tests kill the shop, never the
	// server, so durability against power loss is not what they measure.
	server := command("postgres", "-D", data, "-k", dir, "-c", "listen_addresses=", "-c", "fsync=off")
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	server.Stdout, server.Stderr = logFile, logFile
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		server.Process.Signal(syscall.SIGINT) // fast shutdown: end sessions, then stop
		server.Wait()
	})

	c := &cluster{socketDir: dir}
	db, err := sql.Open("pgx", c.url("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := db.PingContext(ctx)
		cancel()
		if err == nil {
			return c
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			t.Fatalf("PostgreSQL did not start within 30s: %v\n%s", err, log)
		}
		time.Sleep(20 * time.Millisecond) // waiting for the server to listen
	}
}

// postgresBin finds the folder of initdb and postgres: on PATH, or where
// Debian's postgresql package puts them.
func postgresBin() (string, error) {
	if p, err := exec.LookPath("postgres"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			p, _ = filepath.EvalSymlinks(p)
			return filepath.Dir(p), nil
		}
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(found) == 0 {
		return "", errors.New("PostgreSQL is not installed: no initdb and postgres on PATH or in /usr/lib/postgresql/*/bin")
	}
	return filepath.Dir(found[len(found)-1]), nil
}

func postgresUser(t testing.TB) *syscall.Credential {
	t.Helper()
	u, err := user.Lookup("postgres")
	if err != nil {
		t.Fatalf("running as root, PostgreSQL needs the postgres user to run as: %v", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}
