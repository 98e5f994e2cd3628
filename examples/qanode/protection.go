package main

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/shardmesh/protected"
)

// protection is a protected shard's validator and, when the node holds the
// private key, its signer.
type protection struct {
	shard     shardmesh.Shard
	validator *protected.Validator
	signer    *protected.Signer // nil: relay only
}

// errKeyMismatch: the private key given does not match the public key.
var errKeyMismatch = errors.New("the private key does not match the public key")

// errNothingToKeep: a previous key to keep was asked for on a shard that
// had no key.
var errNothingToKeep = errors.New("the shard is not protected yet: there is no previous key to keep")

// Protect makes the shard protected by pub (from now on its messages must be
// signed with the matching private key); with priv, the node also signs what
// it publishes there. The shard need not be subscribed.
//
// On a shard already protected, the validator is rotated, not replaced, so
// its counters and replay cache carry over: the key it held stays accepted
// for keepPrevious (0: refused at once; see protected.Validator.Rotate).
// Setting the same public key again only updates the signer, and leaves a
// window in progress as it is. keepPrevious on a shard without protection
// is errNothingToKeep.
func (n *Node) Protect(index uint16, pub protected.PublicKey, priv protected.PrivateKey, keepPrevious time.Duration) (*protection, error) {
	if pub.IsZero() {
		if priv.IsZero() {
			return nil, errors.New("no key: give a public key, a private key or both")
		}
		pub = priv.Public()
	}
	if !priv.IsZero() && priv.Public() != pub {
		return nil, errKeyMismatch
	}
	shard := shardmesh.Shard{Cluster: n.cfg.cluster, Index: index}
	p := &protection{shard: shard}
	n.mu.Lock()
	defer n.mu.Unlock()
	old := n.protected[index]
	switch {
	case old != nil:
		if err := old.validator.Rotate(pub, keepPrevious, time.Now()); err != nil {
			return nil, err
		}
		p.validator = old.validator
	case keepPrevious > 0:
		return nil, errNothingToKeep
	default:
		var opts []protected.Option
		if n.cfg.noReplay {
			opts = append(opts, protected.WithoutReplayProtection())
		}
		v, err := protected.NewValidator(shard.PubsubTopic(), pub, opts...)
		if err != nil {
			return nil, err
		}
		p.validator = v
	}
	if !priv.IsZero() {
		s, err := protected.NewSigner(shard.PubsubTopic(), priv)
		if err != nil {
			return nil, err
		}
		p.signer = s
	}
	n.protected[index] = p
	attrs := []any{"topic", shard.PubsubTopic(), "key", pub.Hex(), "signs", p.signer != nil}
	if k := p.validator.Keys(time.Now()); !k.Previous.IsZero() {
		attrs = append(attrs, "previousKey", k.Previous.Hex(), "previousKeyUntil", k.Until)
	}
	n.log.Info("protected shard", attrs...)
	return p, nil
}

// Unprotect lifts the protection of the shard and reports whether it had
// one.
func (n *Node) Unprotect(index uint16) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	_, ok := n.protected[index]
	delete(n.protected, index)
	return ok
}

func (n *Node) protection(index uint16) *protection {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.protected[index]
}

// protections returns the protected shards, ascending.
func (n *Node) protections() []*protection {
	n.mu.RLock()
	defer n.mu.RUnlock()
	var set shardmesh.ShardSet
	for s := range n.protected {
		set.Add(s)
	}
	out := make([]*protection, 0, set.Len())
	for s := range set.All() {
		out = append(out, n.protected[s])
	}
	return out
}

// nodeStats counts what the node's validators decided on unprotected
// shards (protected shards count in their Validator).
type nodeStats struct {
	unprotectedAccepted  atomic.Uint64
	unprotectedMalformed atomic.Uint64
}

// validator is the gossipsub validator of a shard, for our own messages and
// everyone's. On a protected shard it is the shard's protected.Validator at
// the current time; elsewhere it only requires a decodable WakuMessage, as
// nwaku's and go-waku's relays do. The protection is looked up at each
// message, so protecting a shard applies at once.
func (n *Node) validator(index uint16) pubsub.ValidatorEx {
	return func(_ context.Context, from peer.ID, m *pubsub.Message) pubsub.ValidationResult {
		p := n.protection(index)
		if p == nil {
			if _, err := protected.Unmarshal(m.Data); err != nil {
				n.stats.unprotectedMalformed.Add(1)
				return pubsub.ValidationReject
			}
			n.stats.unprotectedAccepted.Add(1)
			return pubsub.ValidationAccept
		}
		vd := p.validator.Validate(m.Data, time.Now())
		if vd.Result != protected.Accept {
			n.log.Debug("protected shard: message dropped", "topic", p.shard.PubsubTopic(),
				"from", from, "result", vd.Result, "reason", vd.Reason)
		}
		switch vd.Result {
		case protected.Accept:
			return pubsub.ValidationAccept
		case protected.Ignore:
			return pubsub.ValidationIgnore
		default:
			return pubsub.ValidationReject
		}
	}
}
