package metrics_test

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wakupm/wakupm/metrics"
	"github.com/wakupm/wakupm/peermanager/selector"
)

// A light client exports its service-peer selection next to its other
// metrics.
func ExampleSelectorCollector() {
	sel, err := selector.New()
	if err != nil {
		panic(err)
	}
	defer sel.Close()
	c, err := metrics.NewSelectorCollector(sel)
	if err != nil {
		panic(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		panic(err)
	}
	for _, f := range families {
		fmt.Println(f.GetName())
	}
	// Output:
	// wakupm_selector_notifications_dropped_total
}
