// Package solution solves the exercise of lesson 05-testing: its
// TestNotification is a test of lesson 01's notification app that passes
// against the app and fails against broken copies of it.
package solution
