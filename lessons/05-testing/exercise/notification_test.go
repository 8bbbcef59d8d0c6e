package exercise

import (
	"testing"

	apptests "github.com/bgtasks/tutorial/lessons/05-testing"
)

// TestNotification runs your test against the working app of lesson 01, as
// an ordinary go test: *testing.T is an apptests.T.
func TestNotification(t *testing.T) {
	TestNotificationIsLogged(t, apptests.NotificationApp)
}
