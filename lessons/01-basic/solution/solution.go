// Package solution solves the exercise of lesson 01-basic.
package solution
