package peermanager

import "github.com/wakupm/wakupm/shardmesh"

// twn is shard index i of The Waku Network, cluster 1.
func twn(i uint16) shardmesh.Shard { return shardmesh.Shard{Cluster: shardmesh.ClusterTWN, Index: i} }
