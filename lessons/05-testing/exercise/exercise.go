// Package exercise is the starter code of lesson 05-testing: a test for the
// notification app of lesson 01, written as an ordinary function so that
// the check can run it against working and broken copies of the app.
//
// Check your work with: go run ./cmd/tutor check 05
package exercise

import apptests "github.com/bgtasks/tutorial/lessons/05-testing"

// TestNotificationIsLogged checks the app that newApp builds. It sends
// POST /send-notification/ada@example.com with the JSON body
// {"message": "Your order has shipped"}, expects 202 Accepted, waits for the
// request's tasks, and then expects log.txt, in the directory given to
// newApp, to hold exactly these two lines:
//
//	notification for ada@example.com: Your order has shipped
//	email sent to ada@example.com
//
// It must pass against the working app and fail against a broken one.
func TestNotificationIsLogged(t apptests.T, newApp apptests.NewApp) {
	// TODO: make a directory with t.TempDir() and a Runner with bgtasks.New,
	// build the app with newApp(runner, dir), send the request, wait for the
	// tasks (see the lesson: Synchronous mode or runner.Wait()), then read
	// log.txt and compare it with the two lines above.
}
