package selector

import (
	"context"
	"errors"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/peermanager/selection"
)

// SelectVersion selects peers for the first of versions (newest first,
// e.g. selection.LightPushVersions) that has any, and returns that
// version: the protocol to open the stream with. Peers come only from the
// version's own pool, so a peer is returned for a version identify says it
// speaks (or, when a book tracks a single version, one its ENR bit
// announces). When none has a peer, the error is the first version's.
func (s *Selector) SelectVersion(ctx context.Context, req selection.Request, versions ...string) ([]peer.ID, protocol.ID, error) {
	if len(versions) == 0 {
		return nil, "", errors.New("selector: SelectVersion needs at least one version")
	}
	var first error
	for _, v := range versions {
		req.Protocol = v
		ids, err := s.Select(ctx, req)
		if err == nil {
			return ids, protocol.ID(v), nil
		}
		if ctx.Err() != nil {
			return nil, "", err
		}
		if first == nil {
			first = err
		}
	}
	return nil, "", first
}

// Speaks reports whether identify says id speaks proto.
func (s *Selector) Speaks(id peer.ID, proto protocol.ID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.core.Speaks(peerid.ID(id), string(proto))
}
