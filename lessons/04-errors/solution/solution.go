// Package solution solves the exercise of lesson 04-errors.
package solution
