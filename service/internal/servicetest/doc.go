// Package servicetest owns the test rig of the light-client services: a
// simulated network (internal/simhost) with a gated service node serving
// filter and light push, a relay node on the same shard, and Go clients
// that speak filter v2 and light push v3/v2 through service/wire.
//
// It is test infrastructure: nothing outside tests and benchmarks uses it.
package servicetest
