package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// writeText prints one result as aligned "label: value" lines.
func writeText(w io.Writer, r result) {
	line := func(label, value string) {
		if label != "" {
			label += ":"
		}
		fmt.Fprintf(w, "  %-14s %s\n", label, value)
	}
	switch {
	case r.ENR != nil:
		e := r.ENR
		fmt.Fprintf(w, "%s\n", abbreviate(r.Input))
		line("node id", e.NodeID)
		if e.PeerID != "" {
			line("peer id", e.PeerID)
		}
		line("seq", strconv.FormatUint(e.Seq, 10))
		if e.IP != "" {
			line("ip", fmt.Sprintf("%s tcp %d udp %d", e.IP, e.TCP, e.UDP))
		}
		if e.Cluster != nil {
			line("cluster", strconv.Itoa(int(*e.Cluster)))
			line("shards", fmt.Sprintf("%s (%d, from %s)", joinUints(e.Shards), len(e.Shards), e.ShardField))
			if e.ShardField == "rs+rsv" {
				line("warning", "record carries both rs and rsv; the spec says to ignore it (rs shown)")
			}
		} else {
			line("shards", "none advertised")
		}
		if e.Capabilities != nil {
			names := strings.Join(e.CapabilityNames, ",")
			if names == "" {
				names = "none"
			}
			line("capabilities", fmt.Sprintf("%s (waku2=0x%02x)", names, *e.Capabilities))
		} else {
			line("capabilities", "no waku2 key")
		}
		if !e.DiscoveryEligible {
			line("discv5", "not eligible: waku2 is absent or zero")
		}
		if len(e.Multiaddrs) == 0 {
			line("multiaddrs", "none")
		}
		for i, a := range e.Multiaddrs {
			if i == 0 {
				line("multiaddrs", a)
			} else {
				line("", a)
			}
		}
		for _, fe := range e.FieldErrors {
			line("field error", fe)
		}
	case r.Topic != nil:
		fmt.Fprintf(w, "%s\n", r.Input)
		line("cluster", strconv.Itoa(int(r.Topic.Cluster)))
		line("shard", strconv.Itoa(int(r.Topic.Shard)))
	case r.Content != nil:
		c := r.Content
		fmt.Fprintf(w, "%s\n", r.Input)
		line("application", c.Application)
		line("version", c.Version)
		line("autoshard", fmt.Sprintf("%s (cluster %d, %d shards, generation %d)", c.PubsubTopic, c.Cluster, c.NumShards, c.Generation))
	default:
		fmt.Fprintf(w, "%s\n", abbreviate(r.Input))
		line("error", r.Error)
	}
}

func joinUints(v []uint16) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.Itoa(int(x))
	}
	return strings.Join(parts, ",")
}
