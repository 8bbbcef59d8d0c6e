// Package apptests is what lesson 05-testing tests: lesson 01's notification
// app, served the way a test serves it, and a notifier whose task retries
// for minutes, which only a fake clock tests quickly.
package apptests
