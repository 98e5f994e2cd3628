package bubble_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wakupm/wakupm/examples/simulate/internal/bubble"
)

func TestRunReturnsTheFunctionsError(t *testing.T) {
	sentinel := errors.New("boom")
	wallStart := time.Now()
	err := bubble.Run(func(*testing.T) error {
		time.Sleep(24 * time.Hour) // virtual
		return sentinel
	})
	require.ErrorIs(t, err, sentinel)
	require.Less(t, time.Since(wallStart), time.Minute, "a virtual day must not take wall time")
}
