package gossipsub

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/libp2p/go-libp2p/core/event"

	"github.com/wakupm/wakupm/shardmesh"
)

// EvtShardHealthChanged is emitted on a libp2p host's event bus (the
// ecosystem's way to announce state changes, like
// event.EvtPeerConnectednessChanged) when one of our shards changes level.
// It carries the same coalesced, duplicate-free sequence as a Subscription.
//
//	sub, _ := h.EventBus().Subscribe(new(gossipsub.EvtShardHealthChanged))
//	for e := range sub.Out() {
//		evt := e.(gossipsub.EvtShardHealthChanged)
//	}
type EvtShardHealthChanged struct {
	Shard shardmesh.Shard
	// Joined is false when we left the shard; Health is then Unhealthy.
	Joined bool
	Health shardmesh.Health
}

// BusEmitter forwards a Tracker's health changes to a libp2p event bus. It
// owns one goroutine, stopped by Close. A slow bus subscriber holds up only
// that goroutine (the libp2p bus blocks emitters until subscribers read);
// the Tracker keeps coalescing changes meanwhile, so nothing piles up.
type BusEmitter struct {
	sub     *shardmesh.Subscription
	emitter event.Emitter
	logger  *slog.Logger
	done    chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// NewBusEmitter subscribes to t and emits EvtShardHealthChanged on bus
// (usually host.EventBus()) until Close. The first events give the current
// level of every joined shard.
func NewBusEmitter(t *shardmesh.Tracker, bus event.Bus, opts ...BusOption) (*BusEmitter, error) {
	if t == nil || bus == nil {
		return nil, errors.New("gossipsub: NewBusEmitter: nil tracker or bus")
	}
	b := &BusEmitter{logger: slog.New(slog.DiscardHandler), done: make(chan struct{})}
	for _, o := range opts {
		if err := o(b); err != nil {
			return nil, err
		}
	}
	em, err := bus.Emitter(new(EvtShardHealthChanged))
	if err != nil {
		return nil, fmt.Errorf("gossipsub: event bus emitter: %w", err)
	}
	b.emitter = em
	b.sub = t.Subscribe()
	go b.run()
	return b, nil
}

func (b *BusEmitter) run() {
	defer close(b.done)
	var changes []shardmesh.ShardHealthChange
	for range b.sub.Ready() {
		changes = b.sub.Next(changes[:0])
		for _, c := range changes {
			if err := b.emitter.Emit(EvtShardHealthChanged(c)); err != nil {
				b.logger.Debug("gossipsub: emit shard health", "shard", c.Shard, "err", err)
			}
		}
	}
}

// Close stops forwarding, waits for the goroutine (including an Emit in
// progress, which returns once bus subscribers read or close) and closes the
// bus emitter. It is idempotent.
func (b *BusEmitter) Close() error {
	b.closeOnce.Do(func() {
		b.sub.Close()
		<-b.done
		b.closeErr = b.emitter.Close()
	})
	return b.closeErr
}
