// Package exercise is the starter code of lesson 04-errors.
package exercise
