package conformance

import "testing"

func TestRelayScenarios(t *testing.T) {
	RunDir(t, RelaySuite(), "scenarios/relay")
}
