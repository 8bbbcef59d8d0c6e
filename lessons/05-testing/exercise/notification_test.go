package exercise

import "testing"

// TestNotification tests lesson 01's notification app, which
// apptests.NotificationApp(runner, dir) serves. It sends
//
//	POST /send-notification/ada@example.com
//	Content-Type: application/json
//
//	{"message": "Your order has shipped"}
//
// expects 202 Accepted, waits for the request's tasks, and then expects
// dir/log.txt to hold exactly these two lines:
//
//	notification for ada@example.com: Your order has shipped
//	email sent to ada@example.com
//
// Check it with: go run ./cmd/tutor check 05
func TestNotification(t *testing.T) {
	// TODO: make a directory (t.TempDir) and a runner (bgtasks.New), serve
	// apptests.NotificationApp(runner, dir), send the request, wait for the
	// tasks, then compare log.txt with the two lines above.
}
