package conformance

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/wakupm/wakupm/peerid"
	"github.com/wakupm/wakupm/slots"
)

// slotsDriver plays the slots vocabulary (scenarios/slots/README.md) on
// wakupm's budget, ledger and service pools, as a gater shell would: the
// ledger decides on connections, the pools on leases, and the driver
// releases a peer's leases when its last connection closes.
type slotsDriver struct {
	max       int
	share     int
	outbound  int // 0: NewBudget's default
	ledgerCfg slots.LedgerConfig
	poolOpts  []slots.PoolOption

	budget slots.Budget
	ledger *slots.Ledger
	pools  map[slots.Service]*slots.Pool
	leases map[string]slots.Lease // "peer service"
	addrs  map[peerid.ID]netip.Addr
}

func newSlotsDriver(profile string) Driver {
	d := &slotsDriver{max: 50, share: slots.DefaultServiceShare, ledgerCfg: slots.LedgerConfig{Grace: 10 * time.Second}}
	if profile == "rfc" {
		d.ledgerCfg.Grace = 15 * time.Second
	}
	return d
}

// slotsEvents are the event names of the slots vocabulary.
var slotsEvents = []string{"inbound", "outbound", "relay", "lease", "refresh", "disconnected", "sweep", "expire"}

func (d *slotsDriver) Configure(c Command) error {
	for k, v := range c.Opts {
		if err := d.set(k, v); err != nil {
			return fmt.Errorf("set %s=%s: %w", k, v, err)
		}
	}
	return nil
}

func (d *slotsDriver) set(k, v string) error {
	n, nerr := strconv.Atoi(v)
	switch k {
	case "max":
		d.max = n
	case "service-share":
		d.share = n
	case "relay-outbound":
		d.outbound = n
	case "grace":
		dur, err := parseDur(v)
		d.ledgerCfg.Grace = dur
		return err
	case "ttl":
		dur, err := parseDur(v)
		if err != nil {
			return err
		}
		d.poolOpts = append(d.poolOpts, slots.WithTTL(dur))
	case "max-per-peer":
		d.poolOpts = append(d.poolOpts, slots.WithMaxPerPeer(n))
	case "max-per-prefix":
		d.poolOpts = append(d.poolOpts, slots.WithMaxPerPrefix(n))
	case "waiting":
		d.ledgerCfg.MaxWaiting = n
	case "max-wait":
		dur, err := parseDur(v)
		d.ledgerCfg.MaxWait = dur
		return err
	case "inbound-per-ip":
		d.ledgerCfg.MaxPerPrefix, d.ledgerCfg.IPv4PrefixLen, d.ledgerCfg.IPv6PrefixLen = n, 32, 64
	default:
		return fmt.Errorf("unknown setting: %w", ErrUnsupported)
	}
	return nerr
}

func (d *slotsDriver) ensure() error {
	if d.ledger != nil {
		return nil
	}
	opts := []slots.BudgetOption{slots.WithServiceShare(d.share)}
	if d.outbound > 0 {
		opts = append(opts, slots.WithRelayOutbound(d.outbound))
	}
	b, err := slots.NewBudget(d.max, opts...)
	if err != nil {
		return err
	}
	d.budget, d.ledger = b, slots.NewLedger(b, d.ledgerCfg)
	d.pools, d.leases, d.addrs = map[slots.Service]*slots.Pool{}, map[string]slots.Lease{}, map[peerid.ID]netip.Addr{}
	for _, s := range slots.Services() {
		if b.Reserved.Of(s) == 0 {
			continue
		}
		p, err := slots.NewPool(s, b.Reserved.Of(s), d.poolOpts...)
		if err != nil {
			return err
		}
		d.pools[s] = p
	}
	return nil
}

func (d *slotsDriver) Exec(now time.Time, c Command) ([]string, error) {
	if !slices.Contains(slotsEvents, c.Name) {
		return nil, fmt.Errorf("slots event %q: %w", c.Name, ErrUnsupported)
	}
	if err := d.ensure(); err != nil {
		return nil, err
	}
	switch c.Name {
	case "sweep":
		return d.sweep(now), nil
	case "expire":
		for _, p := range d.pools {
			p.Expire(now)
		}
		return nil, nil
	}
	name, err := c.Arg(0)
	if err != nil {
		return nil, err
	}
	p := peerid.ID(name)
	switch c.Name {
	case "inbound", "outbound":
		return d.connect(now, p, c)
	case "relay":
		r, released := d.ledger.MarkRelay(p, now)
		out := d.releaseIf(p, released)
		if r != 0 {
			out = append(out, fmt.Sprintf("close %s %s", string(p), r))
		}
		return out, nil
	case "lease", "refresh":
		return d.lease(now, p, c)
	}
	// "disconnected P" closes one connection; the leases go with the last.
	return d.releaseIf(p, d.ledger.Disconnected(p)), nil
}

// connect runs a connection through the gater's checks: before the
// handshake, after it, and on completion.
func (d *slotsDriver) connect(now time.Time, p peerid.ID, c Command) ([]string, error) {
	addr, err := parseIP(c.Opt("ip", ""))
	if err != nil {
		return nil, err
	}
	dir := slots.Inbound
	var r slots.Refusal
	if c.Name == "outbound" {
		dir = slots.Outbound
		r = d.ledger.CheckDial(p, now)
	} else {
		if addr.IsValid() {
			r = d.ledger.CheckAccept(addr)
		}
		if r == 0 {
			r = d.ledger.CheckReconnect(p, now) // as gater.InterceptSecured
		}
	}
	if r == 0 {
		r = d.ledger.CheckSecured(dir, p, addr)
	}
	if r == 0 {
		r = d.ledger.Connected(dir, p, addr, now)
		d.addrs[p] = addr
	}
	if r != 0 {
		return []string{fmt.Sprintf("refuse %s %s", string(p), r)}, nil
	}
	return nil, nil
}

// lease asks a service pool for a lease ("lease P filter") or refreshes
// the peer's lease ("refresh P filter"): granted, or refused with the
// status code the server answers.
func (d *slotsDriver) lease(now time.Time, p peerid.ID, c Command) ([]string, error) {
	name, err := c.Arg(1)
	if err != nil {
		return nil, err
	}
	_, pool, err := d.pool(name)
	if err != nil {
		return nil, err
	}
	key := string(p) + " " + name
	if c.Name == "refresh" {
		if err := pool.Refresh(d.leases[key], now); err != nil {
			return []string{fmt.Sprintf("gone %s %s", string(p), name)}, nil
		}
		return nil, nil
	}
	if d.ledger.Class(p) == 0 {
		// The gater grants no lease to a peer that is not connected: no
		// disconnect would release it (gater.NotConnectedError).
		return []string{fmt.Sprintf("refused %s %s not-connected", string(p), name)}, nil
	}
	l, err := pool.Renew(slots.Client{Peer: p, Addr: d.addrs[p], Relay: d.ledger.IsRelay(p)}, now)
	var rej *slots.Rejection
	if errors.As(err, &rej) {
		d.ledger.Denied(p) // as gater.AdmitPeer: a refused peer does not wait (SLOT-11)
		return []string{fmt.Sprintf("refused %s %s %d", string(p), name, rej.Reason.StatusCode())}, nil
	}
	if err != nil {
		return nil, err
	}
	d.leases[key] = l
	d.ledger.Leased(p)
	return []string{fmt.Sprintf("granted %s %s", string(p), name)}, nil
}

// releaseIf releases every lease of p (its last connection closed, or it
// became a relay peer) and reports them.
func (d *slotsDriver) releaseIf(p peerid.ID, release bool) []string {
	if !release {
		return nil
	}
	var out []string
	for _, s := range slots.Services() {
		if pool := d.pools[s]; pool != nil && pool.ReleasePeer(p) > 0 {
			out = append(out, fmt.Sprintf("released %s %s", string(p), serviceName(s)))
		}
	}
	return out
}

func (d *slotsDriver) sweep(now time.Time) []string {
	holds := func(p peerid.ID) bool {
		for _, pool := range d.pools {
			if pool.Holds(p, now) > 0 {
				return true
			}
		}
		return false
	}
	var out []string
	for _, c := range d.ledger.Sweep(nil, holds, d.ledger.IsRelay, now) {
		out = append(out, fmt.Sprintf("close %s %s", string(c.Peer), c.Why))
	}
	return out
}

var serviceNames = map[string]slots.Service{"filter": slots.Filter, "lightpush": slots.LightPush, "store": slots.Store, "px": slots.PeerExchange}

func serviceName(s slots.Service) string {
	for k, v := range serviceNames {
		if v == s {
			return k
		}
	}
	return s.String()
}

func (d *slotsDriver) pool(name string) (slots.Service, *slots.Pool, error) {
	s, ok := serviceNames[name]
	if !ok {
		return 0, nil, fmt.Errorf("service is filter, lightpush, store or px, not %q", name)
	}
	p := d.pools[s]
	if p == nil {
		return s, nil, fmt.Errorf("no slots reserved for %s", name)
	}
	return s, p, nil
}

// Query answers the slots vocabulary's queries.
func (d *slotsDriver) Query(now time.Time, c Command) (string, error) {
	if c.Name == "budget-valid" {
		return budgetValid(c), nil
	}
	if err := d.ensure(); err != nil {
		return "", err
	}
	switch c.Name {
	case "budget":
		return d.budgetField(c)
	case "class":
		p, err := c.Arg(0)
		if err != nil {
			return "", err
		}
		if cl := d.ledger.Class(peerid.ID(p)); cl != 0 {
			return cl.String(), nil
		}
		return "none", nil
	case "count":
		cl, err := c.Arg(0)
		if err != nil {
			return "", err
		}
		st := d.ledger.Stats()
		for i := range st.Peers {
			if slots.Class(i).String() == cl {
				return strconv.Itoa(st.Peers[i]), nil
			}
		}
		return "", fmt.Errorf("no class %q", cl)
	case "live":
		name, err := c.Arg(0)
		if err != nil {
			return "", err
		}
		_, pool, err := d.pool(name)
		if err != nil {
			return "", err
		}
		return strconv.Itoa(pool.Stats(now).InUse), nil
	case "holds":
		p, err := c.Arg(0)
		if err != nil {
			return "", err
		}
		name, err := c.Arg(1)
		if err != nil {
			return "", err
		}
		_, pool, err := d.pool(name)
		if err != nil {
			return "", err
		}
		return strconv.Itoa(pool.Holds(peerid.ID(p), now)), nil
	}
	return "", fmt.Errorf("slots query %q: %w", c.Name, ErrUnsupported)
}

func (d *slotsDriver) budgetField(c Command) (string, error) {
	f, err := c.Arg(0)
	if err != nil {
		return "", err
	}
	b := d.budget
	v := map[string]int{"max": b.MaxConnections, "relay-in": b.RelayInbound, "relay-out": b.RelayOutbound,
		"filter": b.Reserved.Filter, "lightpush": b.Reserved.LightPush, "store": b.Reserved.Store,
		"px": b.Reserved.PeerExchange, "dial-limit": b.DialLimit(), "headroom": b.Headroom()}
	n, ok := v[f]
	if !ok {
		return "", fmt.Errorf("budget field %q: %w", f, ErrUnsupported)
	}
	return strconv.Itoa(n), nil
}

// budgetValid checks a split given in full: "valid" or "invalid".
func budgetValid(c Command) string {
	atoi := func(k string) int { n, _ := strconv.Atoi(c.Opt(k, "0")); return n }
	b := slots.Budget{MaxConnections: atoi("max"), RelayInbound: atoi("in"), RelayOutbound: atoi("out"),
		Reserved: slots.Reserved{Filter: atoi("filter"), LightPush: atoi("lightpush"), Store: atoi("store"), PeerExchange: atoi("px")}}
	if err := b.Validate(); err != nil {
		return "invalid"
	}
	return "valid"
}
