package service_test

import (
	"errors"
	"fmt"

	"github.com/wakupm/wakupm/service"
	"github.com/wakupm/wakupm/shardmesh"
)

func Example() {
	shards, _ := shardmesh.ShardSetOf(32)
	scope := service.Scope{Cluster: 16, Shards: shards}
	groups, err := scope.Resolve("/waku/2/rs/16/32", true, []string{"/toychat/2/huilong/proto"})
	fmt.Println(groups, err)
	_, err = scope.Resolve("/waku/2/rs/16/33", true, []string{"/toychat/2/huilong/proto"})
	fmt.Println(errors.Is(err, service.ErrUnsupportedShard))
	// Output:
	// [{/waku/2/rs/16/32 [/toychat/2/huilong/proto]}] <nil>
	// true
}
