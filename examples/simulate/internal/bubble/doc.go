// Package bubble runs a function inside a testing/synctest bubble from an
// ordinary main program.
//
// Since Go 1.25 the only public way into a synctest bubble is
// synctest.Test, which needs a *testing.T. A main program has none, so this
// package starts the testing framework itself through testing.MainStart with
// a minimal implementation of its dependency interface, runs exactly one
// "test" that enters the bubble, and hands the result back. Inside the
// bubble time.Now and timers are virtual: time only advances when every
// goroutine of the bubble is blocked, which is what lets real libp2p hosts
// and real gossipsub run minutes of virtual time in seconds.
//
// testing.MainStart is documented as not covered by the Go 1 compatibility
// promise; if its signature changes this package stops compiling (it does
// not fail silently).
//
// It does not simulate anything itself: what runs in the bubble (real
// libp2p hosts on x/simlibp2p, for the simulator) is the caller's.
package bubble
