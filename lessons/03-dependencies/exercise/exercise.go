// Package exercise is the starter code of lesson 03-dependencies.
package exercise
