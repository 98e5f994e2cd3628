// Package peerid owns the peer identity that wakupm's pure cores use: a
// plain comparable string holding the bytes of a libp2p peer id, so that a
// go-libp2p peer.ID (of any version) converts to and from it at no cost.
//
// It does not parse, verify or derive peer ids from keys: that stays with
// the libp2p stack of the node, in its shell.
package peerid
