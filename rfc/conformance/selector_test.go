package conformance

import "testing"

func TestSelectorScenarios(t *testing.T) {
	RunDir(t, SelectorSuite(), "scenarios/selector")
}
