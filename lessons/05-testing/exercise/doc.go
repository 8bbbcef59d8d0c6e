// Package exercise is the exercise of lesson 05-testing: write
// TestNotification, in notification_test.go, a test of lesson 01's
// notification app that passes against the app and fails against broken
// copies of it.
//
// Check your work with: go run ./cmd/tutor check 05
package exercise
