// Package ownshell is the proof that a node which keeps its own (older)
// libp2p can drive wakupm's pure cores through a shell of its own: its test
// feeds the mesh Tracker and the relay Core through exactly the calls a shell
// makes, with no libp2p value anywhere (internal/layers checks its imports).
//
// It holds no code for users; README's "Driving the cores from your own
// shell" lists the calls.
package ownshell
