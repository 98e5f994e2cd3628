// Package enrpeer owns the step from a Waku ENR to a service peer of a
// selector (AddENR: id, addresses, cluster, shards, capabilities in one call).
//
// It does not parse ENR entries (package shardmesh/enr) and does not select
// (package peermanager/selector). It is apart from the selector so that a
// light client that never sees an ENR links no go-ethereum.
package enrpeer
