package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"time"
)

// AnswerTimeout is how long the runner waits for one answer (PROTOCOL.md).
const AnswerTimeout = 10 * time.Second

// Remote is the runner's side of one driver session: a process started
// from a command line, or any reader/writer pair (a pipe to an in-process
// Server).
type Remote struct {
	Hello Answer // the driver's answer to hello

	w      io.WriteCloser
	lines  chan []byte   // answers, read by the reader goroutine
	done   chan struct{} // closed by Close: the reader stops delivering
	rerr   error         // why lines closed; read after it is closed
	next   int64
	broken error // a transport failure: every later call fails with it

	cmd    *exec.Cmd
	stderr *lockedBuffer
}

// StartRemote starts command (run by sh -c) and says hello to it.
func StartRemote(command string) (*Remote, error) {
	cmd := exec.Command("sh", "-c", command)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("driver %q: %w", command, err)
	}
	r := newRemote(out, in)
	r.cmd, r.stderr = cmd, stderr
	if err := r.hello(); err != nil {
		_ = r.Close()
		return nil, fmt.Errorf("driver %q: %w", command, err)
	}
	return r, nil
}

// NewRemote talks to a driver over r (its answers) and w (its requests)
// and says hello. The caller owns whatever serves the other end.
func NewRemote(r io.Reader, w io.WriteCloser) (*Remote, error) {
	rem := newRemote(r, w)
	if err := rem.hello(); err != nil {
		_ = rem.Close()
		return nil, err
	}
	return rem, nil
}

func newRemote(r io.Reader, w io.WriteCloser) *Remote {
	rem := &Remote{w: w, lines: make(chan []byte, 1), done: make(chan struct{})}
	// The reader ends when r ends: Close closes the driver's input, the
	// driver exits, its output closes.
	go func() {
		in := bufio.NewScanner(r)
		in.Buffer(make([]byte, 64*1024), 16*1024*1024)
		for in.Scan() {
			select {
			case rem.lines <- bytes.Clone(in.Bytes()):
			case <-rem.done:
				// Drain so that the driver never blocks on a full pipe.
				for in.Scan() {
				}
			}
		}
		rem.rerr = in.Err()
		close(rem.lines)
	}()
	return rem
}

func (r *Remote) hello() error {
	a, err := r.Call(Request{Op: "hello", Protocol: ProtocolVersion})
	if err != nil {
		return err
	}
	if a.Status != StatusOK || a.Protocol != ProtocolVersion {
		return fmt.Errorf("hello: driver speaks protocol %d (status %s %s), want %d", a.Protocol, a.Status, a.Error, ProtocolVersion)
	}
	r.Hello = a
	return nil
}

// Stderr returns what the driver process wrote on standard error so far.
func (r *Remote) Stderr() string {
	if r.stderr == nil {
		return ""
	}
	return r.stderr.String()
}

// Call sends one request and waits for its answer. An error means the
// session is broken (the answer never came or was not an answer).
func (r *Remote) Call(req Request) (Answer, error) {
	if r.broken != nil {
		return Answer{}, r.broken
	}
	id := r.next
	r.next++
	req.ID = &id
	b, err := json.Marshal(req)
	if err != nil {
		return Answer{}, err
	}
	a, err := r.roundTrip(append(b, '\n'))
	if err == nil && (a.ID == nil || *a.ID != id) {
		err = fmt.Errorf("answer to request %d carries id %s", id, idText(a.ID))
	}
	if err != nil {
		r.broken = fmt.Errorf("driver session broken: %w", err)
		return Answer{}, r.broken
	}
	return a, nil
}

// RawCall writes line as is and returns the next answer (self-test).
func (r *Remote) RawCall(line string) (Answer, error) {
	return r.roundTrip([]byte(line + "\n"))
}

func (r *Remote) roundTrip(line []byte) (Answer, error) {
	if _, err := r.w.Write(line); err != nil {
		return Answer{}, err
	}
	select {
	case b, ok := <-r.lines:
		if !ok {
			return Answer{}, fmt.Errorf("driver closed its output (%v)", r.rerr)
		}
		var a Answer
		if err := json.Unmarshal(b, &a); err != nil {
			return Answer{}, fmt.Errorf("answer %q is not JSON: %w", truncate(string(b), 200), err)
		}
		if a.Status != StatusOK && a.Status != StatusUnsupported && a.Status != StatusError {
			return Answer{}, fmt.Errorf("answer %q has no valid status", truncate(string(b), 200))
		}
		return a, nil
	case <-time.After(AnswerTimeout):
		return Answer{}, fmt.Errorf("no answer within %v", AnswerTimeout)
	}
}

// Close says bye, closes the driver's input and waits for a process to
// exit (at most 5 s, then kills it).
func (r *Remote) Close() error {
	if r.broken == nil {
		_, _ = r.Call(Request{Op: "bye"})
	}
	err := r.w.Close()
	close(r.done)
	if r.cmd == nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(5 * time.Second):
		_ = r.cmd.Process.Kill()
		err = fmt.Errorf("driver did not exit within 5 s of bye: %w", errors.Join(<-done))
	}
	return err
}

// Driver starts a fresh instance of vocabulary under profile and returns a
// Driver that forwards lines to it.
func (r *Remote) Driver(vocabulary, profile string) (Driver, error) {
	a, err := r.Call(Request{Op: "start", Vocabulary: vocabulary, Profile: profile})
	if err := answerError(a, err); err != nil {
		return nil, err
	}
	return &remoteDriver{r: r}, nil
}

// answerError turns a non-ok answer into an error (wrapping
// ErrUnsupported for "unsupported").
func answerError(a Answer, err error) error {
	switch {
	case err != nil:
		return err
	case a.Status == StatusUnsupported:
		return fmt.Errorf("%s: %w", a.Reason, ErrUnsupported)
	case a.Status == StatusError:
		return fmt.Errorf("driver error: %s", a.Error)
	}
	return nil
}

// remoteDriver is a Driver over a Remote session.
type remoteDriver struct{ r *Remote }

var _ Driver = (*remoteDriver)(nil)

func (d *remoteDriver) Configure(c Command) error {
	params := make(map[string]string, len(c.Opts))
	for k, v := range c.Opts {
		params[k] = wireValue(v)
	}
	return answerError(d.r.Call(Request{Op: "configure", Params: params}))
}

func (d *remoteDriver) Advance(now time.Time) error {
	return answerError(d.r.Call(Request{Op: "advance", NowMS: now.UnixMilli()}))
}

func (d *remoteDriver) Exec(now time.Time, c Command) ([]string, error) {
	a, err := d.r.Call(requestFor("event", now, c))
	if err := answerError(a, err); err != nil {
		return nil, err
	}
	return a.Actions, nil
}

func (d *remoteDriver) Query(now time.Time, c Command) (string, error) {
	a, err := d.r.Call(requestFor("query", now, c))
	if err := answerError(a, err); err != nil {
		return "", err
	}
	return valueText(a.Value)
}

// Wire sends one wire vector (after a start with vocabulary "wire").
func (r *Remote) Wire(kind string, input json.RawMessage) (Answer, error) {
	a, err := r.Call(Request{Op: "wire", Kind: kind, Input: input})
	if err := answerError(a, err); err != nil {
		return a, err
	}
	return a, nil
}

func idText(id *int64) string {
	if id == nil {
		return "null"
	}
	return fmt.Sprint(*id)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// lockedBuffer collects a process's standard error.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// ServeRemote serves s in a goroutine over a pair of pipes and returns the
// runner's side; Close ends both.
func ServeRemote(s *Server) (*Remote, error) {
	reqR, reqW := io.Pipe()
	ansR, ansW := io.Pipe()
	go func() {
		err := s.Serve(reqR, ansW)
		_ = reqR.CloseWithError(err)
		_ = ansW.CloseWithError(err)
	}()
	return NewRemote(ansR, reqW)
}
