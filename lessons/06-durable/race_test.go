//go:build race

package durable

func init() { raceFlag = []string{"-race"} }
