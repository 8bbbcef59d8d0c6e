// Package failures is the app of lesson 04-errors.
package failures

import (
	"context"
	"errors"
	"net/http"

	"github.com/bgtasks/tutorial/internal/scenario"
)

// App builds the lesson's HTTP handler.
func App(s *scenario.Session) (http.Handler, error) { return nil, errors.New("not written yet") }

// Scenario sends the lesson's requests to a running App.
func Scenario(ctx context.Context, s *scenario.Session) error { return errors.New("not written yet") }
