package discovery

import (
	"context"
	"sync"
)

// Union is a Source that asks several sources at once and merges what they
// find, distinct by peer id, up to N. A member that fails to start (busy,
// closed) is skipped; Find fails only when every member does.
type Union struct {
	members  []Source
	searches *searches
}

var _ Source = (*Union)(nil)

// NewUnion returns a source over members.
func NewUnion(members []Source, opts ...Option) (*Union, error) {
	cfg, err := applyOptions(opts)
	if err != nil {
		return nil, err
	}
	return &Union{members: members, searches: newSearches(cfg.maxSearches, cfg.timeout)}, nil
}

// Find implements Source.
func (u *Union) Find(ctx context.Context, req Request) (<-chan Candidate, error) {
	// Members are started by the search goroutine so that their contexts
	// derive from the search's, and end with it.
	started := make(chan error, 1)
	ch, err := u.searches.start(ctx, req, func(ctx context.Context, emit func(Candidate) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		merged := make(chan Candidate)
		var wg sync.WaitGroup
		var firstErr error
		running := 0
		for _, m := range u.members {
			in, err := m.Find(ctx, req)
			if err != nil {
				firstErr = err
				continue
			}
			running++
			wg.Add(1)
			go func() {
				defer wg.Done()
				for c := range in {
					select {
					case merged <- c:
					case <-ctx.Done():
						// Stop forwarding; the member's channel is
						// buffered and closes on its own.
						return
					}
				}
			}()
		}
		if running == 0 && firstErr != nil {
			started <- firstErr
			return
		}
		started <- nil
		go func() {
			wg.Wait()
			close(merged)
		}()
		for c := range merged {
			if !emit(c) {
				cancel()
				break
			}
		}
		// Let the forwarders see the cancellation and exit.
		for range merged {
		}
	})
	if err != nil {
		return nil, err
	}
	if err := <-started; err != nil {
		return nil, err
	}
	return ch, nil
}

// Close stops the searches in progress and waits for them. It does not close
// the members. It always returns nil.
func (u *Union) Close() error {
	u.searches.close()
	return nil
}
