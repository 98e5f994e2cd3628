package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	ma "github.com/multiformats/go-multiaddr"

	"github.com/wakupm/wakupm/internal/nodejs"
)

// selfSignedCert writes a self-signed certificate for 127.0.0.1 and
// localhost, valid for an hour, and its key as PEM files in dir. The
// certificate is its own CA, so a client trusts it by trusting the file.
func selfSignedCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "qanode test"},
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for file, block := range map[string]*pem.Block{certFile: {Type: "CERTIFICATE", Bytes: der}, keyFile: {Type: "PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return certFile, keyFile
}

// TestWSSFlagsRefused: the certificate flags and the /wss listen addresses
// go together; each inconsistency is refused with a message naming it.
func TestWSSFlagsRefused(t *testing.T) {
	cert, key := selfSignedCert(t, t.TempDir())
	bad := filepath.Join(t.TempDir(), "missing.pem")
	base := []string{"-rest", "127.0.0.1:0"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-listen", "/ip4/127.0.0.1/tcp/0/wss"}, "needs -ws-cert-file"},
		{[]string{"-listen", "/ip4/127.0.0.1/tcp/0/tls/ws"}, "needs -ws-cert-file"},
		{[]string{"-listen", "/ip4/127.0.0.1/tcp/0/tls/sni/localhost/ws"}, "needs -ws-cert-file"},
		{[]string{"-listen", "/ip4/127.0.0.1/tcp/0/wss", "-ws-cert-file", cert}, "both -ws-cert-file and -ws-key-file"},
		{[]string{"-listen", "/ip4/127.0.0.1/tcp/0/wss", "-ws-key-file", key}, "both -ws-cert-file and -ws-key-file"},
		{[]string{"-listen", "/ip4/127.0.0.1/tcp/0/ws", "-ws-cert-file", cert, "-ws-key-file", key}, "no -listen address is a secure websocket"},
		{[]string{"-listen", "/ip4/127.0.0.1/tcp/0/wss", "-ws-cert-file", bad, "-ws-key-file", key}, "missing.pem"},
		{[]string{"-listen", "/ip4/127.0.0.1/tcp/0/wss", "-ws-cert-file", key, "-ws-key-file", cert}, "-ws-cert-file, -ws-key-file"},
	} {
		var stderr bytes.Buffer
		if code := runMain(context.Background(), append(base, tc.args...), io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr.String(), tc.want)
		}
	}
	c, err := parseFlagsEnv([]string{"-listen", "/ip4/127.0.0.1/tcp/0/wss", "-ws-cert-file", cert, "-ws-key-file", key}, io.Discard, func(string) string { return "" })
	if err != nil || c.wsTLS == nil || len(c.wsTLS.Certificates) != 1 {
		t.Errorf("consistent flags: %v, TLS config %v", err, c.wsTLS)
	}
}

// wssAddr returns the node's secure websocket address with its peer id.
func (tn *testNode) wssAddr(t *testing.T) string {
	if a := secureWSAddrs(tn.node.host.Addrs()); len(a) > 0 {
		return a[0].String() + "/p2p/" + tn.node.host.ID().String()
	}
	t.Fatalf("%s listens on no secure websocket address: %v", tn.name, tn.node.host.Addrs())
	return ""
}

// TestJSWakuOverWSS: a service node listens on /wss with a certificate the
// test makes; a js-waku light node with js-waku's default libp2p options
// (its address filter keeps only /wss) but yamux, and Node trusting the
// certificate (NODE_EXTRA_CA_CERTS), connects, passes the metadata check,
// subscribes by filter and receives a message the relay node publishes.
func TestJSWakuOverWSS(t *testing.T) {
	env := nodejs.Require(t, jsPackages...)
	certFile, keyFile := selfSignedCert(t, t.TempDir())
	relayNode, svc := jsNodes(t, 5, func(c *config) {
		c.listen = append(c.listen, ma.StringCast("/ip4/127.0.0.1/tcp/0/wss"))
		if err := c.finishWSS(wsTLSFiles{cert: certFile, key: keyFile}); err != nil {
			t.Fatal(err)
		}
	})
	var mu sync.Mutex
	var published time.Time
	var firstPush time.Duration
	events, stderr := runDriverEnv(t, env, []string{"NODE_EXTRA_CA_CERTS=" + certFile}, map[string]any{
		"mode": "basic", "jsDefaults": true, "peers": []string{svc.wssAddr(t)}, "cluster": 16, "shard": 32,
		"contentTopic": jsContentTopic, "push": "hello over wss", "deadlineMs": 30000,
	}, func(ev jsEvent) {
		mu.Lock()
		defer mu.Unlock()
		switch ev.Event {
		case "subscribed":
			published = time.Now()
			relayNode.mustCall("POST", "/relay/publish/32", map[string]any{"payload": b64("hello from go over wss"), "contentTopic": jsContentTopic}, 200, nil)
		case "message":
			firstPush = time.Since(published)
		}
	})
	t.Logf("js-waku printed: %+v", events)
	got := map[string]*jsEvent{}
	for i := range events {
		got[events[i].Event] = &events[i]
	}
	if d := got["dialed"]; d == nil {
		t.Fatalf("js-waku did not connect over /wss: %+v\n%s", got["dial-failed"], tail(stderr, 3000))
	}
	if sub := got["subscribe"]; sub == nil || !sub.OK {
		t.Fatalf("filter subscribe: %+v\n%s", sub, tail(stderr, 3000))
	}
	if meta := got["metadata"]; meta == nil || meta.Cluster != 16 || len(meta.Shards) != 1 || meta.Shards[0] != 32 {
		t.Errorf("js-waku's metadata of the service node: %+v, want cluster 16, shards [32]", meta)
	}
	if msg := got["message"]; msg == nil || msg.Payload != "hello from go over wss" {
		t.Fatalf("filter push: %+v", msg)
	}
	if push := got["lightpush"]; push == nil || push.Successes != 1 {
		t.Errorf("light push: %+v", push)
	}
	t.Logf("dial over /wss took %d ms (dialed at %d ms after the driver started); subscribe %d ms; relay publish to filter callback %v",
		got["dialed"].Ms, got["dialed"].T, got["subscribe"].Ms, firstPush)
}

// TestJSWakuOverWSSControls: what makes TestJSWakuOverWSS pass is /wss and
// the trusted certificate. With the same default options js-waku refuses
// the node's plain /ws address (its address filter), and without
// NODE_EXTRA_CA_CERTS it refuses the self-signed certificate.
func TestJSWakuOverWSSControls(t *testing.T) {
	env := nodejs.Require(t, jsPackages...)
	certFile, keyFile := selfSignedCert(t, t.TempDir())
	_, svc := jsNodes(t, 5, func(c *config) {
		c.listen = append(c.listen, ma.StringCast("/ip4/127.0.0.1/tcp/0/wss"))
		if err := c.finishWSS(wsTLSFiles{cert: certFile, key: keyFile}); err != nil {
			t.Fatal(err)
		}
	})
	for _, tc := range []struct {
		name string
		addr string
		env  []string
	}{
		{"plain /ws", svc.wsAddr(t), []string{"NODE_EXTRA_CA_CERTS=" + certFile}},
		// js-waku reports only "Could not connect"; libp2p's websockets
		// log shows the TLS socket's error.
		{"untrusted certificate", svc.wssAddr(t), []string{"DEBUG=libp2p:websockets*"}},
	} {
		events, stderr := runDriverEnv(t, env, tc.env, map[string]any{
			"mode": "dial", "jsDefaults": true, "peers": []string{tc.addr}, "cluster": 16, "shard": 32, "deadlineMs": 15000,
		}, nil)
		var failed *jsEvent
		for i := range events {
			switch events[i].Event {
			case "dialed":
				t.Errorf("%s: js-waku connected to %s", tc.name, tc.addr)
			case "dial-failed":
				failed = &events[i]
			}
		}
		if failed == nil {
			t.Errorf("%s: no dial-failed event: %+v", tc.name, events)
			continue
		}
		why := ""
		for line := range strings.Lines(stderr) {
			if strings.Contains(line, "certificate") || strings.Contains(line, "TLSSocket") {
				why = strings.TrimSpace(line)
				break
			}
		}
		t.Logf("%s: js-waku: %s (%s)", tc.name, failed.Error, why)
	}
}
