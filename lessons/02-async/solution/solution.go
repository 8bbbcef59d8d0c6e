// Package solution solves the exercise of lesson 02-async.
package solution
