//go:build !race

package gossipsub_test

// throwawayWave is the number of hosts per wave of
// TestThrowawayPeersAreForgotten.
const throwawayWave = 1000
