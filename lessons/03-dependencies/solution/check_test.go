package solution_test

import (
	"testing"

	dependencies "github.com/bgtasks/tutorial/lessons/03-dependencies"
	"github.com/bgtasks/tutorial/lessons/03-dependencies/solution"
)

func TestCheck(t *testing.T) {
	if err := dependencies.CheckNewsletter(solution.New); err != nil {
		t.Fatal(err)
	}
}
