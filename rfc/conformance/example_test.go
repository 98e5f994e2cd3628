package conformance_test

import (
	"fmt"
	"strings"

	"github.com/wakupm/wakupm/rfc/conformance"
)

// A scenario played through the driver protocol against two built-in
// profiles: the recommendation and the nwaku preset.
func Example() {
	sc, err := conformance.ParseScenario("example.scenario", strings.NewReader(`
rules RELAY-10
set out=4 quota=4
discovered p[1-6] shards=3 ip=10.0.0.$i
subscribe 3
? dials >= 1
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := conformance.ServeRemote(conformance.BuiltinServer())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	for _, profile := range []string{"wakupm", "nwaku"} {
		d, err := r.Driver("relay", profile)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, c := range conformance.PlayChecks(sc, profile, d) {
			fmt.Println(profile, c.Where(), c.Rules, c.Outcome)
		}
	}
	// Output:
	// wakupm example.scenario:6 [RELAY-10] pass
	// nwaku example.scenario:6 [RELAY-10] fail
}
