package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"

	"github.com/libp2p/go-libp2p"
	libp2pquic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	libp2pwebrtc "github.com/libp2p/go-libp2p/p2p/transport/webrtc"
	ws "github.com/libp2p/go-libp2p/p2p/transport/websocket"
	libp2pwebtransport "github.com/libp2p/go-libp2p/p2p/transport/webtransport"
	ma "github.com/multiformats/go-multiaddr"
)

// Secure websockets (/wss, /tls/ws): js-waku keeps only these addresses by
// default (its libp2p option filterMultiaddrs, true unless a client turns
// it off), so a node that browsers and default js-waku clients reach
// listens on one, with a certificate they trust.

// wsTLSFiles are the -ws-cert-file and -ws-key-file values.
type wsTLSFiles struct{ cert, key string }

// defineWSSFlags defines the certificate flags of /wss listen addresses.
func defineWSSFlags(fs *flag.FlagSet, files *wsTLSFiles) {
	fs.StringVar(&files.cert, "ws-cert-file", "", "PEM certificate (chain) served on the secure websocket -listen addresses (/wss or /tls/ws); needs -ws-key-file")
	fs.StringVar(&files.key, "ws-key-file", "", "PEM private key of -ws-cert-file")
}

// finishWSS checks that the certificate flags and the /wss listen addresses
// go together and loads the certificate: a /wss address without one could
// not listen, and a certificate with no /wss address would be silently
// unused.
func (c *config) finishWSS(files wsTLSFiles) error {
	secure := secureWSAddrs(c.listen)
	switch {
	case (files.cert == "") != (files.key == ""):
		return errors.New("give both -ws-cert-file and -ws-key-file, or neither")
	case files.cert == "" && len(secure) > 0:
		return fmt.Errorf("-listen %s is a secure websocket address: it needs -ws-cert-file and -ws-key-file", secure[0])
	case files.cert == "":
		return nil
	case len(secure) == 0:
		return errors.New("-ws-cert-file is given but no -listen address is a secure websocket one (/ip4/.../tcp/N/wss or /tls/ws)")
	}
	cert, err := tls.LoadX509KeyPair(files.cert, files.key)
	if err != nil {
		return fmt.Errorf("-ws-cert-file, -ws-key-file: %w", err)
	}
	c.wsTLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	return nil
}

// secureWSAddrs returns the addresses of addrs that are secure websockets:
// /wss, or /tls followed by /ws.
func secureWSAddrs(addrs []ma.Multiaddr) []ma.Multiaddr {
	var out []ma.Multiaddr
	for _, a := range addrs {
		afterTLS := false
		for _, comp := range a {
			switch comp.Code() {
			case ma.P_WSS:
				out = append(out, a)
			case ma.P_TLS:
				afterTLS = true
				continue
			case ma.P_WS:
				if afterTLS {
					out = append(out, a)
				}
			}
			afterTLS = afterTLS && comp.Code() == ma.P_SNI
		}
	}
	return out
}

// transportOptions returns the libp2p transports when the websocket one
// needs a certificate: go-libp2p's default set with the websocket transport
// given the TLS configuration (an explicit transport replaces the whole
// default set, libp2p defaults.go, so the others are listed again). Nil
// keeps go-libp2p's defaults.
func transportOptions(wsTLS *tls.Config) []libp2p.Option {
	if wsTLS == nil {
		return nil
	}
	return []libp2p.Option{
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Transport(libp2pquic.NewTransport),
		libp2p.Transport(ws.New, ws.WithTLSConfig(wsTLS)),
		libp2p.Transport(libp2pwebtransport.New),
		libp2p.Transport(libp2pwebrtc.New),
	}
}
