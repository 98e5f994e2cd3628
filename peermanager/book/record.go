package book

import (
	"net/netip"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/shardmesh"
)

// Connected records an established connection (creating the record for an
// inbound peer we did not know). ip may be the zero Addr when unknown.
// Connected peers are always recorded, even above capacity.
func (b *Book) Connected(id peerid.ID, dir Direction, ip netip.Addr, now time.Time) *Peer {
	p := b.byID[id]
	isNew := p == nil
	if isNew {
		origin := OriginInbound
		if dir == Outbound {
			origin = OriginUnknown
		}
		p = b.insert(Peer{id: id, origin: origin})
	}
	if p.connectedness == Connected && p.ip.IsValid() {
		b.unrefIP(p.ip)
	}
	if p.connectedness == Connected {
		b.connected.remove(p.slot, p.direction == Outbound)
	} else {
		p.connectedAt = now
	}
	b.unscheduleMetadata(p) // live while connected
	p.direction = dir
	p.connectedness = Connected
	b.connected.add(p.slot, dir == Outbound)
	if ip.IsValid() {
		p.ip = ip
	}
	if p.ip.IsValid() {
		b.connectedIP[b.ColocationGroup(p.ip)]++
	}
	p.lastSeen = now
	b.reindex(p)
	if isNew {
		_ = b.makeRoom(nil) // over capacity: shed a batch of others if possible
	}
	return p
}

// Disconnected records that the last connection to id closed.
func (b *Book) Disconnected(id peerid.ID, now time.Time) *Peer {
	p := b.byID[id]
	if p == nil {
		return nil
	}
	if p.connectedness == Connected {
		b.connected.remove(p.slot, p.direction == Outbound)
		if p.ip.IsValid() {
			b.unrefIP(p.ip)
		}
	}
	wasConnected := p.connectedness == Connected
	p.connectedness = NotConnected
	p.connectedAt = time.Time{}
	p.lastSeen = now
	if wasConnected {
		b.scheduleMetadata(p, now)
	}
	b.reindex(p)
	return p
}

func (b *Book) unrefIP(ip netip.Addr) {
	ip = b.ColocationGroup(ip)
	if n := b.connectedIP[ip] - 1; n > 0 {
		b.connectedIP[ip] = n
	} else {
		delete(b.connectedIP, ip)
	}
}

// ConnectedOnIP returns how many connected peers share ip's colocation
// group (ColocationGroup).
func (b *Book) ConnectedOnIP(ip netip.Addr) int { return b.connectedIP[b.ColocationGroup(ip)] }

// ColocationGroup returns the address that stands for ip in colocation
// counts: ip itself for IPv4 (and IPv4-mapped IPv6), the first address of
// its prefix for IPv6 when the owning core groups IPv6 by prefix
// (WithColocationIPv6Bits).
func (b *Book) ColocationGroup(ip netip.Addr) netip.Addr {
	ip = ip.Unmap().WithZone("")
	if b.v6Bits == 0 || !ip.Is6() {
		return ip
	}
	pfx, err := ip.Prefix(b.v6Bits)
	if err != nil {
		return ip
	}
	return pfx.Addr()
}

// SetDialing marks a not-connected peer as being dialled (so that it is not
// chosen twice) or, with false, back to not connected. It returns false when
// the peer is unknown or already connected.
func (b *Book) SetDialing(id peerid.ID, dialing bool, now time.Time) bool {
	p := b.byID[id]
	if p == nil || p.connectedness == Connected {
		return false
	}
	if dialing {
		p.connectedness = Dialing
	} else {
		p.connectedness = NotConnected
	}
	p.lastSeen = now
	return true
}

// Identified records the protocols identify reported. Only tracked
// protocols are kept; identify's answer replaces the ENR capabilities as the
// source of truth for protocol support.
func (b *Book) Identified(id peerid.ID, protos []string, now time.Time) *Peer {
	p := b.byID[id]
	if p == nil {
		return nil
	}
	p.protos, p.identified = b.protos.maskOf(protos), true
	p.lastSeen = now
	b.reindex(p)
	return p
}

// MetadataReceived records a metadata exchange: the peer's cluster and
// shards. They take priority over the ENR's until they expire, a TTL after
// the exchange or the end of the peer's last connection (WithMetadataTTL).
func (b *Book) MetadataReceived(id peerid.ID, cluster uint16, shards shardmesh.ShardSet, now time.Time) *Peer {
	p := b.byID[id]
	if p == nil {
		return nil
	}
	p.cluster, p.clusterKnown = cluster, true
	p.mdShards, p.hasMetadata = shards, true
	p.lastSeen = now
	if p.connectedness != Connected {
		b.scheduleMetadata(p, now)
	}
	b.reindex(p)
	return p
}

// DialFailed records a failed dial with the backoff deadline the caller
// computed, and returns the number of consecutive failures.
func (b *Book) DialFailed(id peerid.ID, backoffUntil, now time.Time) int {
	p := b.byID[id]
	if p == nil {
		return 0
	}
	p.dialFailures++
	p.backoffUntil = backoffUntil
	if p.connectedness == Dialing {
		p.connectedness = NotConnected
	}
	p.lastSeen = now
	return p.dialFailures
}

// ResetBackoff clears the failures and backoff of id (after a successful
// dial or connection).
func (b *Book) ResetBackoff(id peerid.ID) {
	if p := b.byID[id]; p != nil {
		p.dialFailures, p.backoffUntil = 0, time.Time{}
	}
}

// RestoreDialFailures sets id's consecutive failures back to n, the count
// a success reset: its owner learnt that the success did not count (the
// peer closed the connection at once), and DialFailed then goes on from
// there. The backoff deadline is left to that DialFailed.
func (b *Book) RestoreDialFailures(id peerid.ID, n int) {
	if p := b.byID[id]; p != nil && n >= 0 {
		p.dialFailures = n
	}
}

// ResetAllBackoff clears every peer's failures and backoff: when the node
// comes back online, failures recorded while it was offline say nothing
// about the peers. It scans the book (a rare event).
func (b *Book) ResetAllBackoff() {
	for _, p := range b.peers {
		if p != nil {
			p.dialFailures, p.backoffUntil = 0, time.Time{}
		}
	}
}

// ObserveRTT folds an RTT sample into the peer's EWMA.
func (b *Book) ObserveRTT(id peerid.ID, rtt time.Duration, now time.Time) {
	p := b.byID[id]
	if p == nil || rtt <= 0 {
		return
	}
	if p.rtt == 0 {
		p.rtt = rtt
	} else {
		p.rtt += (rtt - p.rtt) / rttWeight
		if p.rtt <= 0 {
			p.rtt = 1
		}
	}
	p.lastSeen = now
}

// Keep pins (or unpins) a record against capacity eviction.
func (b *Book) Keep(id peerid.ID, keep bool) {
	if p := b.byID[id]; p != nil {
		p.keep = keep
	}
}

// Remove deletes the record of id and reports whether there was one.
func (b *Book) Remove(id peerid.ID) bool {
	p := b.byID[id]
	if p == nil {
		return false
	}
	if p.connectedness == Connected {
		b.connected.remove(p.slot, p.direction == Outbound)
		if p.ip.IsValid() {
			b.unrefIP(p.ip)
		}
	}
	b.unscheduleMetadata(p)
	b.unindex(p)
	delete(b.byID, id)
	b.peers[p.slot] = nil
	b.free = append(b.free, p.slot)
	return true
}

func (b *Book) insert(cand Peer) *Peer {
	p := new(Peer)
	*p = cand
	if n := len(b.free); n > 0 {
		p.slot = b.free[n-1]
		b.free = b.free[:n-1]
		b.peers[p.slot] = p
	} else {
		p.slot = uint32(len(b.peers))
		b.peers = append(b.peers, p)
	}
	b.byID[p.id] = p
	return p
}
