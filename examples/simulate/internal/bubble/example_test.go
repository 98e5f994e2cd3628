package bubble_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/wakupm/wakupm/examples/simulate/internal/bubble"
)

// A main program enters virtual time: an hour of sleeping takes no wall
// time, and time.Now inside the bubble follows the virtual clock.
func ExampleRun() {
	var slept time.Duration
	err := bubble.Run(func(*testing.T) error {
		start := time.Now()
		time.Sleep(time.Hour)
		slept = time.Since(start)
		return nil
	})
	fmt.Println(slept, err)
	// Output: 1h0m0s <nil>
}
