// Package check drives lesson 06-durable for the tutor. Its scenario runs
// the shop as a separate process, so that the tutor links neither River
// nor SQLite; the exercise's check lives apart, in check/harness, for the
// same reason.
package check
