package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// The example runs end to end on loopback: the 429 peer and the killed peer
// are both replaced, every message is delivered, and nothing leaks.
func TestRunOnLoopback(t *testing.T) {
	defer goleak.VerifyNone(t)
	var out, errOut bytes.Buffer
	code := runMain(context.Background(), []string{"-nodes", "5", "-messages", "8", "-interval", "10ms",
		"-rate-limit-at", "3", "-kill-at", "5", "-metrics"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut.String(), out.String())
	}
	for _, want := range []string{
		"starts answering 429",
		"(rate_limited)",
		"killing node-",
		"delivered 8 of 8 messages",
		"light-client health of /waku/2/rs/1/3: sufficiently_healthy",
		`wakupm_selector_replacements_total{protocol="/vac/waku/lightpush/3.0.0",reason="rate_limited"} 1`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// The killed peer leaves the light-push pool on whichever failure
	// comes first: the keep-alive's ping, the next push's dial, or the lost
	// connection once the disconnect grace has passed.
	_, rest, _ := strings.Cut(out.String(), "killing ")
	victim, _, _ := strings.Cut(rest, ",")
	if !strings.Contains(out.String(), "light-push peer-replaced "+victim+" by") {
		t.Errorf("killed %q never replaced in the light-push pool:\n%s", victim, out.String())
	}
}

func TestFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	for _, args := range [][]string{{"-nodes", "1"}, {"extra"}, {"-interval", "-1s"}, {"-nope"}} {
		if code := runMain(context.Background(), args, &out, &errOut); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code := runMain(context.Background(), []string{"-preset", "nwaku", "-messages", "0", "-nodes", "2"}, &out, &errOut); code != 1 {
		t.Errorf("unknown preset: exit %d, want 1", code)
	}
}
