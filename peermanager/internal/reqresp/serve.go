package reqresp

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/wakupm/wakupm/peermanager/internal/frame"
)

// Mount registers a protocol's stream handler on a host at most once and
// removes it again; Start and Stop may be called any number of times, from
// any goroutine. The zero Mount is ready to use.
type Mount struct {
	mu      sync.Mutex
	mounted bool
}

// Start sets handler for proto on h unless this Mount already did.
func (m *Mount) Start(h host.Host, proto protocol.ID, handler network.StreamHandler) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.mounted {
		h.SetStreamHandler(proto, handler)
		m.mounted = true
	}
}

// Stop removes the handler for proto from h if this Mount set it.
// Exchanges in progress finish on their own.
func (m *Mount) Stop(h host.Host, proto protocol.ID) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mounted {
		h.RemoveStreamHandler(proto)
		m.mounted = false
	}
}

// Serve answers one request on st within timeout: it reads one frame of at
// most maxRead bytes, writes the frame answer returns and closes the stream.
// When reading, answer or writing fails, the stream is reset and the error,
// saying which of them failed, is returned for the caller to log.
func Serve(st network.Stream, timeout time.Duration, maxRead int, answer func(req []byte) ([]byte, error)) error {
	_ = st.SetDeadline(time.Now().Add(timeout))
	cr := &countingReader{r: st}
	req, err := frame.Read(cr, maxRead)
	if err != nil {
		if cr.n == 0 {
			// Nothing came: js-waku's stream manager opens a stream per
			// protocol on identify and writes to it only when it queries.
			// Not an error worth a log line per connection.
			_ = st.Close()
			return fmt.Errorf("%w: %w", ErrIdle, err)
		}
		_ = st.Reset()
		return fmt.Errorf("reading request: %w", err)
	}
	resp, err := answer(req)
	if err != nil {
		_ = st.Reset()
		return err
	}
	if err := frame.Write(st, resp); err != nil {
		_ = st.Reset()
		return fmt.Errorf("writing response: %w", err)
	}
	return st.Close()
}

// ErrIdle is wrapped by Serve's error when the peer sent no byte before the
// stream ended or timed out (a stream opened ahead of use).
var ErrIdle = errors.New("reqresp: idle stream")

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
