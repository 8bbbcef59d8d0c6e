// Package solution solves the exercise of lesson 03-dependencies.
package solution
