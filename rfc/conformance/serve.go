package conformance

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// WireDecoder decodes one wire vector's input with an implementation's
// code (PROTOCOL.md, Wire): the decoded value in the vector's JSON form, or
// the class of the rejection. An error wrapping ErrUnsupported answers
// "unsupported"; any other error answers "error".
type WireDecoder func(kind string, input json.RawMessage) (value json.RawMessage, errClass string, err error)

// Server is the driver side of the protocol over in-process drivers: what
// cmd/wakupm-driver runs, and what the runner's tests talk to through a
// pipe.
type Server struct {
	Implementation string
	Version        string
	Vocabularies   []string
	Profiles       []string
	// NewDriver returns a fresh driver; an error wrapping ErrUnsupported
	// answers "unsupported".
	NewDriver func(vocabulary, profile string) (Driver, error)
	// Wire decodes wire vectors; nil answers "unsupported" to every kind.
	Wire WireDecoder

	vocab   string
	profile string
	drv     Driver
	started bool // an event ran: configure is refused after it
}

// Serve answers requests read from r on w, one JSON line each, until r
// ends or a bye request. It returns an error only when w fails or r fails
// other than by ending.
func (s *Server) Serve(r io.Reader, w io.Writer) error {
	in := bufio.NewScanner(r)
	in.Buffer(make([]byte, 64*1024), 16*1024*1024)
	enc := json.NewEncoder(w)
	for in.Scan() {
		line := in.Bytes()
		if len(line) == 0 {
			continue
		}
		var req Request
		var ans Answer
		if err := json.Unmarshal(line, &req); err != nil {
			ans = Answer{Status: StatusError, Error: "malformed request: " + err.Error()}
		} else {
			ans = s.handle(req)
			ans.ID = req.ID
		}
		if err := enc.Encode(ans); err != nil {
			return err
		}
		if req.Op == "bye" && ans.Status == StatusOK {
			return nil
		}
	}
	return in.Err()
}

func fail(format string, a ...any) Answer {
	return Answer{Status: StatusError, Error: fmt.Sprintf(format, a...)}
}

// answerErr maps a driver's error to an answer.
func answerErr(err error) Answer {
	if errors.Is(err, ErrUnsupported) {
		return Answer{Status: StatusUnsupported, Reason: err.Error()}
	}
	return Answer{Status: StatusError, Error: err.Error()}
}

func (s *Server) handle(req Request) Answer {
	switch req.Op {
	case "hello":
		if req.Protocol != ProtocolVersion {
			return Answer{Status: StatusError, Protocol: ProtocolVersion,
				Error: fmt.Sprintf("protocol %d not spoken (this driver speaks %d)", req.Protocol, ProtocolVersion)}
		}
		return Answer{Status: StatusOK, Protocol: ProtocolVersion, Implementation: s.Implementation,
			Version: s.Version, VocabulariesOK: s.Vocabularies, Profiles: s.Profiles}
	case "bye", "advance":
		return Answer{Status: StatusOK}
	case "start":
		return s.start(req)
	case "configure", "event", "query", "wire":
	case "":
		return fail("request without op")
	default:
		return fail("unknown op %q", req.Op)
	}
	if s.vocab == "" {
		return fail("%s before start", req.Op)
	}
	switch req.Op {
	case "configure":
		if s.started {
			return fail("configure after the first event")
		}
		if err := s.drv.Configure(Command{Name: "set", Opts: req.Params}); err != nil {
			return answerErr(err)
		}
		return Answer{Status: StatusOK}
	case "event":
		return s.event(req)
	case "query":
		if s.drv == nil {
			return fail("query in vocabulary %s", s.vocab)
		}
		v, err := s.drv.Query(time.UnixMilli(req.NowMS).UTC(), commandFor(req))
		if err != nil {
			return answerErr(err)
		}
		return Answer{Status: StatusOK, Value: answerValue(v)}
	}
	return s.wire(req)
}

func (s *Server) start(req Request) Answer {
	s.vocab, s.drv, s.started = "", nil, false
	if !slices.Contains(s.Vocabularies, req.Vocabulary) {
		return Answer{Status: StatusUnsupported, Reason: fmt.Sprintf("vocabulary %q not supported", req.Vocabulary)}
	}
	if !slices.Contains(s.Profiles, req.Profile) {
		return Answer{Status: StatusUnsupported, Reason: fmt.Sprintf("profile %q not offered", req.Profile)}
	}
	// For "wire" the driver may be nil: NewDriver only says whether the
	// profile decodes wire vectors.
	d, err := s.NewDriver(req.Vocabulary, req.Profile)
	if err != nil {
		return answerErr(err)
	}
	s.drv = d
	s.vocab, s.profile = req.Vocabulary, req.Profile
	return Answer{Status: StatusOK}
}

func (s *Server) event(req Request) Answer {
	if s.drv == nil {
		return fail("event in vocabulary %s", s.vocab)
	}
	s.started = true
	acts, err := s.drv.Exec(time.UnixMilli(req.NowMS).UTC(), commandFor(req))
	if err != nil {
		return answerErr(err)
	}
	if acts == nil {
		acts = []string{}
	}
	return Answer{Status: StatusOK, Actions: acts}
}

func (s *Server) wire(req Request) Answer {
	if s.vocab != "wire" {
		return fail("wire request in vocabulary %s", s.vocab)
	}
	if s.Wire == nil {
		return Answer{Status: StatusUnsupported, Reason: "no wire decoder"}
	}
	v, class, err := s.Wire(req.Kind, req.Input)
	if err != nil {
		return answerErr(err)
	}
	if class != "" {
		return Answer{Status: StatusOK, ErrorClass: class}
	}
	if len(v) == 0 {
		v = json.RawMessage("null")
	}
	return Answer{Status: StatusOK, Value: v}
}
