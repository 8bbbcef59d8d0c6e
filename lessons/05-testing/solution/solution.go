// Package solution solves the exercise of lesson 05-testing.
package solution
