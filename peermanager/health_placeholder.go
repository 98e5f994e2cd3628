package peermanager

// Health is a shard's gossipsub mesh health as the shardmesh Tracker
// reports it.
//
// Placeholder: shardmesh.Health is being landed by the tracker work; this
// type is replaced by it as soon as it is on main.
type Health uint8

// Health levels. HealthUnknown is the zero value: no report yet.
const (
	HealthUnknown Health = iota
	Unhealthy
	MinimallyHealthy
	SufficientlyHealthy
)

var healthText = [...]string{"unknown", "unhealthy", "minimally-healthy", "sufficiently-healthy"}

func (h Health) String() string {
	if int(h) < len(healthText) {
		return healthText[h]
	}
	return "health?"
}
