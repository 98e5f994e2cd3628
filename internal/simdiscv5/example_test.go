package simdiscv5_test

import (
	"fmt"

	"github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/wakupm/wakupm/internal/simdiscv5"
	"github.com/wakupm/wakupm/internal/simhost"
)

// Two hosts on a simulated network, each with a discv5 listener; the second
// bootstraps from the first and asks for its record. Outside a synctest
// bubble this runs in real time.
func Example() {
	const seed = 1
	nw, err := simhost.New(2, append(simdiscv5.NetworkOptions(seed), simhost.WithoutPubsub())...)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer nw.Close()
	listen := func(i int, boot ...*enode.Node) *simdiscv5.Node {
		key, err := simdiscv5.Key(seed, i)
		if err != nil {
			panic(err)
		}
		n, err := simdiscv5.Listen(nw, i, simdiscv5.Config{Key: key, Bootnodes: boot})
		if err != nil {
			panic(err)
		}
		return n
	}
	boot := listen(0)
	defer boot.Close()
	other := listen(1, boot.Record())
	defer other.Close()

	rec, err := other.Listener.RequestENR(boot.Record())
	if err != nil {
		fmt.Println(err)
		return
	}
	quic, _ := rec.QUICEndpoint()
	fmt.Println("record of host 0:", rec.ID() == boot.Record().ID())
	fmt.Println("its QUIC endpoint:", quic)
	fmt.Println("host 0 listens on:", nw.Node(0).Host.Addrs()[0])
	// Output:
	// record of host 0: true
	// its QUIC endpoint: 1.0.0.1:8000
	// host 0 listens on: /ip4/1.0.0.1/udp/8000/quic-v1
}
