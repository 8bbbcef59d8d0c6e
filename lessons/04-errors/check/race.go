//go:build race

package check

// raceDetector says whether the race detector is on: only then can the
// calls at once of step 1 show state the hook's calls share without a lock.
const raceDetector = true
