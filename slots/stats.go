package slots

// Stats is a snapshot of a node's connection budget, its service pools and
// its Ledger: what slots/gater's Gater reports, and what the metrics
// package's slots collector reads.
type Stats struct {
	Budget Budget
	Pools  [NumServices]PoolStats
	Ledger LedgerStats
}
