// Package exercise is the starter code of lesson 05-testing.
package exercise
