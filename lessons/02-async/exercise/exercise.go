// Package exercise is the starter code of lesson 02-async.
package exercise
