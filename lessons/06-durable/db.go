package durable

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql's "pgx" driver
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite" // database/sql's "sqlite" driver, in pure Go
)

// A database is the shop's *sql.DB with the River driver for it. Both
// drivers use *sql.Tx, so every query and transaction of the shop is the
// same code on SQLite and on PostgreSQL.
type database struct {
	*sql.DB
	driver riverdriver.Driver[*sql.Tx]
	close  func() error
}

// Close closes the pools.
func (db *database) Close() error { return db.close() }

// sqliteDSN is how the shop opens SQLite: WAL, so that readers never wait
// for the writer; a busy timeout, so that another process (a second shop, a
// test, the sqlite3 shell) waits for the lock instead of failing; immediate
// transactions, so that a transaction takes the write lock when it begins
// rather than fail halfway when it first writes.
const sqliteDSN = "file:%s?_journal_mode=WAL&_busy_timeout=5000&_txlock=immediate&_foreign_keys=1"

// openDatabase opens url (see Config.DatabaseURL), then migrates River's
// schema and the shop's.
func openDatabase(ctx context.Context, url, dir string) (*database, error) {
	var db *database
	var tables []string
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		sqlDB, err := sql.Open("pgx", url)
		if err != nil {
			return nil, err
		}
		// database/sql cannot LISTEN; a small pgx pool does it, so that a new
		// job is announced to every shop at once instead of being polled for.
		listen, err := pgxpool.New(ctx, url)
		if err != nil {
			return nil, errors.Join(err, sqlDB.Close())
		}
		db = &database{DB: sqlDB, driver: riverdatabasesql.NewWithPgxListener(sqlDB, listen),
			close: func() error { listen.Close(); return sqlDB.Close() }}
		tables = postgresTables
	default:
		path := strings.TrimPrefix(url, "sqlite://")
		if path == "" {
			path = filepath.Join(dir, "shop.db")
		}
		sqlDB, err := sql.Open("sqlite", fmt.Sprintf(sqliteDSN, path))
		if err != nil {
			return nil, err
		}
		// SQLite has one writer at a time. With one connection, River's
		// goroutines and the shop's handlers take turns instead of failing
		// with SQLITE_BUSY; the price is that nothing may use the pool while
		// it holds a transaction open (see Shop.store).
		sqlDB.SetMaxOpenConns(1)
		db = &database{DB: sqlDB, driver: riversqlite.New(sqlDB), close: sqlDB.Close}
		tables = sqliteTables
	}
	if err := db.migrate(ctx, tables); err != nil {
		return nil, errors.Join(fmt.Errorf("preparing the database: %w", err), db.Close())
	}
	return db, nil
}

func (db *database) migrate(ctx context.Context, tables []string) error {
	migrator, err := rivermigrate.New(db.driver, nil)
	if err != nil {
		return err
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return err
	}
	for _, stmt := range tables {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// The shop's tables. confirmations has no unique key on purpose: the
// lesson's crash test counts its rows to prove that the transaction, not a
// constraint, records each confirmation once. A real shop would add one.
var (
	sqliteTables = []string{
		`CREATE TABLE IF NOT EXISTS orders (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			email TEXT NOT NULL,
			item TEXT NOT NULL,
			quantity INTEGER NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS confirmations (
			order_id INTEGER NOT NULL REFERENCES orders (id),
			job_id INTEGER NOT NULL,
			attempt INTEGER NOT NULL)`,
	}
	postgresTables = []string{
		`CREATE TABLE IF NOT EXISTS orders (
			id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			email text NOT NULL,
			item text NOT NULL,
			quantity integer NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS confirmations (
			order_id bigint NOT NULL REFERENCES orders (id),
			job_id bigint NOT NULL,
			attempt integer NOT NULL)`,
	}
)
