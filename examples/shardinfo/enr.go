package main

import (
	"errors"
	"fmt"
	"strings"

	ethcrypto "github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/ethereum/go-ethereum/rlp"
	p2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	wakuenr "github.com/wakupm/wakupm/shardmesh/enr"
)

type enrInfo struct {
	NodeID string `json:"nodeId"`
	PeerID string `json:"peerId,omitempty"`
	Seq    uint64 `json:"seq"`
	IP     string `json:"ip,omitempty"`
	TCP    int    `json:"tcp,omitempty"`
	UDP    int    `json:"udp,omitempty"`
	// ShardField is "rs", "rsv", "rs+rsv" (invalid, rs used) or "" (none).
	ShardField   string   `json:"shardField,omitempty"`
	Cluster      *uint16  `json:"cluster,omitempty"`
	Shards       []uint16 `json:"shards,omitempty"`
	PubsubTopics []string `json:"pubsubTopics,omitempty"`
	// Capabilities is the waku2 byte; nil when the record has none.
	Capabilities      *uint8   `json:"waku2,omitempty"`
	CapabilityNames   []string `json:"capabilities,omitempty"`
	Multiaddrs        []string `json:"multiaddrs,omitempty"`
	FieldErrors       []string `json:"fieldErrors,omitempty"`
	DiscoveryEligible bool     `json:"discv5Eligible"`
}

// describeENR parses ENR text and reads every Waku field. A record that
// parses but has malformed fields returns the info and an error naming them.
func describeENR(text string) (*enrInfo, error) {
	node, err := enode.Parse(enode.ValidSchemes, text)
	if err != nil {
		return nil, fmt.Errorf("not a valid signed ENR: %w", err)
	}
	r := node.Record()
	info := &enrInfo{NodeID: node.ID().String(), Seq: node.Seq(), TCP: node.TCP(), UDP: node.UDP()}
	if ip := node.IP(); ip != nil {
		info.IP = ip.String()
	}
	if pub := node.Pubkey(); pub != nil {
		if k, err := p2pcrypto.UnmarshalSecp256k1PublicKey(ethcrypto.CompressPubkey(pub)); err == nil {
			if id, err := peer.IDFromPublicKey(k); err == nil {
				info.PeerID = id.String()
			}
		}
	}

	var fieldErrs []error
	rs, err := wakuenr.RelayShardsFromRecord(r)
	switch {
	case err == nil:
		info.Cluster = &rs.Cluster
		info.Shards = rs.Indices
		for _, s := range rs.Shards() {
			info.PubsubTopics = append(info.PubsubTopics, s.PubsubTopic())
		}
		info.ShardField = shardFieldName(r)
	case !errors.Is(err, wakuenr.ErrFieldAbsent):
		fieldErrs = append(fieldErrs, err)
	}

	caps, err := wakuenr.CapabilitiesFromRecord(r)
	switch {
	case err == nil:
		b := uint8(caps)
		info.Capabilities = &b
		if caps != 0 {
			info.CapabilityNames = strings.Split(caps.String(), ",")
		}
		// WAKU2-ENR: discv5 readers drop records whose waku2 is absent or zero.
		info.DiscoveryEligible = caps != 0
	case !errors.Is(err, wakuenr.ErrFieldAbsent):
		fieldErrs = append(fieldErrs, err)
	}

	addrs, err := wakuenr.MultiaddrsFromRecord(r)
	switch {
	case err == nil:
		for _, a := range addrs {
			info.Multiaddrs = append(info.Multiaddrs, a.String())
		}
	case !errors.Is(err, wakuenr.ErrFieldAbsent):
		fieldErrs = append(fieldErrs, err)
	}

	for _, e := range fieldErrs {
		info.FieldErrors = append(info.FieldErrors, e.Error())
	}
	return info, errors.Join(fieldErrs...)
}

// shardFieldName says which shard key(s) r carries.
func shardFieldName(r *enr.Record) string {
	has := func(key string) bool {
		var raw rlp.RawValue
		return r.Load(enr.WithEntry(key, &raw)) == nil
	}
	switch rs, rsv := has(wakuenr.KeyRS), has(wakuenr.KeyRSV); {
	case rs && rsv:
		return "rs+rsv"
	case rs:
		return wakuenr.KeyRS
	case rsv:
		return wakuenr.KeyRSV
	}
	return ""
}
