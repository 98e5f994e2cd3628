// Command shardinfo answers "which shards does this node advertise?" and
// "which shard does this content topic go to?".
//
// Usage:
//
//	shardinfo [-json] [-cluster N] [-shards N] INPUT...
//
// Each INPUT is one of
//
//	enr:...          a node record: prints node and peer id, addresses,
//	                 cluster and shards (rs/rsv), waku2 capabilities and
//	                 multiaddrs
//	/waku/2/rs/C/S   a static-sharding pubsub topic: prints cluster and shard
//	/app/ver/name/enc or /gen/app/ver/name/enc
//	                 a content topic: prints its autoshard on -cluster with
//	                 -shards shards (default: The Waku Network, 1 and 8)
//
// It exits 1 when an input is invalid (the others are still printed) and 2
// on a usage error.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
