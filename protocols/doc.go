// Package protocols holds the libp2p protocol ids of the Waku protocols
// wakupm deals with, defined once for every package: slots recognises
// service streams and relay peers by them, peermanager indexes its book by
// them (its Protocol* constants, metadata.ProtocolID and
// peerexchange.ProtocolID are the same constants under their older names),
// and applications register their handlers and gossipsub protocols with
// them.
//
// The package holds untyped string constants only and imports nothing, so
// every wakupm package, pure cores included, may depend on it. It does not
// implement any protocol.
package protocols
