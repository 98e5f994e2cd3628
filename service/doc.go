// Package service owns what a node's light-client services (filter v2 and
// light push, in service/filter and service/lightpush) share: the Scope of
// shards a node serves and how a request's pubsub topic and content topics
// resolve to shards of that scope, with typed errors a server maps to its
// protocol's status codes.
//
// It is a pure core (standard library and shardmesh only); it speaks no wire
// protocol and admits no client (package slots does that).
package service
