package gossipsub

import "github.com/wakupm/wakupm/shardmesh"

var (
	tsh0 = shardmesh.Shard{Cluster: 1, Index: 0}
	tsh1 = shardmesh.Shard{Cluster: 1, Index: 1}
	tsh2 = shardmesh.Shard{Cluster: 1, Index: 2}
)
