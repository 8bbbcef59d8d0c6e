// Package exercise is the starter code of lesson 01-basic.
package exercise
