package solution_test

import (
	"testing"

	basic "github.com/bgtasks/tutorial/lessons/01-basic"
	"github.com/bgtasks/tutorial/lessons/01-basic/solution"
)

func TestCheck(t *testing.T) {
	if err := basic.CheckOrders(solution.NewApp); err != nil {
		t.Fatal(err)
	}
}
