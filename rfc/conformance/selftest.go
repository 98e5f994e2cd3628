package conformance

import (
	"encoding/json"
	"fmt"
	"slices"
)

// SelfTestResult is one case of the protocol self-test (PROTOCOL.md,
// Self-test).
type SelfTestResult struct {
	Case string
	Err  error // nil: passed
}

// SelfTest checks a driver session against the protocol's handshake and
// error cases. r must be fresh (its hello answered, nothing else sent);
// SelfTest ends the session with bye and Close.
func SelfTest(r *Remote) []SelfTestResult {
	var out []SelfTestResult
	add := func(name string, err error) { out = append(out, SelfTestResult{name, err}) }
	add("hello", checkHello(r.Hello))

	a, err := r.RawCall(`{"id":`)
	add("malformed", want(a, err, StatusError, func() error {
		if a.ID != nil {
			return fmt.Errorf("id %d, want null", *a.ID)
		}
		return nil
	}))
	add("unknown op", callWant(r, Request{Op: "frobnicate"}, StatusError))
	a, err = r.RawCall(`{"id":1000003}`)
	add("missing op", want(a, err, StatusError, func() error {
		if a.ID == nil || *a.ID != 1000003 {
			return fmt.Errorf("id %s, want 1000003", idText(a.ID))
		}
		return nil
	}))
	add("before start", callWant(r, Request{Op: "event", NowMS: EpochMS, Name: "tick", Args: []string{}, Opts: map[string]string{}}, StatusError))
	add("unknown vocabulary", callWant(r, Request{Op: "start", Vocabulary: "no-such-vocabulary", Profile: firstOr(r.Hello.Profiles)}, StatusUnsupported))
	vocabs := r.Hello.VocabulariesOK
	if len(vocabs) > 0 {
		add("unknown profile", callWant(r, Request{Op: "start", Vocabulary: vocabs[0], Profile: "no-such-profile"}, StatusUnsupported))
	}
	for _, v := range vocabs {
		add("start "+v, callWant(r, Request{Op: "start", Vocabulary: v, Profile: firstOr(r.Hello.Profiles)}, StatusOK))
		if v == "wire" {
			add("unknown wire kind", callWant(r, Request{Op: "wire", Kind: "no-such-kind", Input: json.RawMessage(`{}`)}, StatusUnsupported))
			continue
		}
		add(v+": unknown parameter", callWant(r, Request{Op: "configure", Params: map[string]string{"no-such-parameter": "1"}}, StatusUnsupported, StatusError))
		// A fresh instance: the failed configure may have left it unusable.
		add(v+": restart", callWant(r, Request{Op: "start", Vocabulary: v, Profile: firstOr(r.Hello.Profiles)}, StatusOK))
		add(v+": unknown event", callWant(r, Request{Op: "event", NowMS: EpochMS, Name: "no-such-event", Args: []string{}, Opts: map[string]string{}}, StatusUnsupported))
		add(v+": unknown query", callWant(r, Request{Op: "query", NowMS: EpochMS, Name: "no-such-query", Args: []string{}, Opts: map[string]string{}}, StatusUnsupported))
	}
	add("bye", callWant(r, Request{Op: "bye"}, StatusOK))
	r.broken = fmt.Errorf("session ended by the self-test")
	add("exit after bye", r.Close())
	return out
}

func checkHello(a Answer) error {
	switch {
	case a.Protocol != ProtocolVersion:
		return fmt.Errorf("protocol %d, want %d", a.Protocol, ProtocolVersion)
	case a.Implementation == "":
		return fmt.Errorf("no implementation name")
	case len(a.Profiles) == 0:
		return fmt.Errorf("no profiles")
	}
	for _, v := range a.VocabulariesOK {
		if !slices.Contains(Vocabularies, v) {
			return fmt.Errorf("unknown vocabulary %q declared", v)
		}
	}
	return nil
}

// callWant sends req and checks the answer's status is one of ok.
func callWant(r *Remote, req Request, ok ...string) error {
	a, err := r.Call(req)
	return want(a, err, ok[0], nil, ok[1:]...)
}

func want(a Answer, err error, status string, more func() error, also ...string) error {
	if err != nil {
		return err
	}
	if a.Status != status && !slices.Contains(also, a.Status) {
		return fmt.Errorf("status %q (%s%s), want %q", a.Status, a.Error, a.Reason, status)
	}
	if more != nil {
		return more()
	}
	return nil
}

func firstOr(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
