package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/wakupm/wakupm/shardmesh"
)

// Exit codes.
const (
	exitOK       = 0
	exitBadInput = 1
	exitUsage    = 2
)

// result is what shardinfo reports about one input; exactly one of the
// kind-specific parts is set, or Error.
type result struct {
	Input   string       `json:"input"`
	Kind    string       `json:"kind"` // "enr", "pubsub-topic", "content-topic"
	Error   string       `json:"error,omitempty"`
	ENR     *enrInfo     `json:"enr,omitempty"`
	Topic   *topicInfo   `json:"pubsubTopic,omitempty"`
	Content *contentInfo `json:"contentTopic,omitempty"`
}

type topicInfo struct {
	Cluster uint16 `json:"cluster"`
	Shard   uint16 `json:"shard"`
}

type contentInfo struct {
	Generation  uint32 `json:"generation"`
	Application string `json:"application"`
	Version     string `json:"version"`
	Name        string `json:"name"`
	Encoding    string `json:"encoding"`
	Cluster     uint16 `json:"cluster"`
	NumShards   uint16 `json:"numShards"`
	Shard       uint16 `json:"shard"`
	PubsubTopic string `json:"pubsubTopic"`
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("shardinfo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON array instead of text")
	cluster := fs.Uint("cluster", uint(shardmesh.ClusterTWN), "cluster for autosharding content topics (0-65535)")
	numShards := fs.Uint("shards", shardmesh.TWNShardCount, "number of shards for autosharding content topics (1-1024)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: shardinfo [-json] [-cluster N] [-shards N] enr:...|/waku/2/rs/C/S|CONTENT-TOPIC ...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	if *cluster > 0xFFFF {
		fmt.Fprintf(stderr, "shardinfo: -cluster %d is above 65535\n", *cluster)
		return exitUsage
	}
	if *numShards == 0 || *numShards > shardmesh.ShardsPerCluster {
		fmt.Fprintf(stderr, "shardinfo: -shards %d is outside 1..%d\n", *numShards, shardmesh.ShardsPerCluster)
		return exitUsage
	}

	results := make([]result, 0, fs.NArg())
	code := exitOK
	for _, in := range fs.Args() {
		r := describe(in, uint16(*cluster), uint16(*numShards))
		if r.Error != "" {
			code = exitBadInput
		}
		results = append(results, r)
	}

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			fmt.Fprintf(stderr, "shardinfo: %v\n", err)
			return exitBadInput
		}
	} else {
		// Invalid inputs are reported on stderr only, below.
		first := true
		for _, r := range results {
			if r.Error != "" && r.ENR == nil {
				continue
			}
			if !first {
				fmt.Fprintln(stdout)
			}
			first = false
			writeText(stdout, r)
		}
	}
	for _, r := range results {
		if r.Error != "" {
			fmt.Fprintf(stderr, "shardinfo: %s: %s\n", abbreviate(r.Input), r.Error)
		}
	}
	return code
}

// describe classifies one input by its form and reports on it.
func describe(in string, cluster, numShards uint16) result {
	switch {
	case strings.HasPrefix(in, "enr:"):
		info, err := describeENR(in)
		r := result{Input: in, Kind: "enr", ENR: info}
		if err != nil {
			r.Error = err.Error()
		}
		return r
	case in == "/waku/2/rs" || strings.HasPrefix(in, "/waku/2/rs/"):
		r := result{Input: in, Kind: "pubsub-topic"}
		s, err := shardmesh.ParsePubsubTopic(in)
		if err != nil {
			r.Error = err.Error()
			return r
		}
		r.Topic = &topicInfo{Cluster: s.Cluster, Shard: s.Index}
		return r
	default:
		return describeContentTopic(in, cluster, numShards)
	}
}

func describeContentTopic(in string, cluster, numShards uint16) result {
	r := result{Input: in, Kind: "content-topic"}
	c, err := shardmesh.ParseContentTopic(in)
	if err != nil {
		r.Error = err.Error()
		if !strings.HasPrefix(in, "/") {
			r.Error += " (inputs are enr:..., /waku/2/rs/<cluster>/<shard> or a content topic)"
		}
		return r
	}
	s, err := c.AutoShard(cluster, numShards)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Content = &contentInfo{
		Generation: c.Generation, Application: c.Application, Version: c.Version,
		Name: c.Name, Encoding: c.Encoding,
		Cluster: cluster, NumShards: numShards, Shard: s.Index, PubsubTopic: s.PubsubTopic(),
	}
	return r
}

// abbreviate shortens long ENR text in error lines.
func abbreviate(s string) string {
	if len(s) > 40 {
		return s[:32] + "…" + s[len(s)-6:]
	}
	return s
}
