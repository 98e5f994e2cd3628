package shardmesh

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCapabilitiesHasAndString(t *testing.T) {
	c := CapRelay | CapLightPush
	require.True(t, c.Has(CapRelay))
	require.True(t, c.Has(CapRelay|CapLightPush))
	require.False(t, c.Has(CapRelay|CapStore))
	require.True(t, c.Has(0))
	require.Equal(t, "relay,lightpush", c.String())
	require.Equal(t, "none", Capabilities(0).String())
	require.Equal(t, "relay,store,filter,lightpush,sync,bit5,bit6,bit7", Capabilities(0xff).String())
	// nwaku tests/test_waku_enr.nim: relay+store is 0b11.
	require.Equal(t, Capabilities(0b11), CapRelay|CapStore)
}
