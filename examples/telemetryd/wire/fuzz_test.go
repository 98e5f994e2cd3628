package wire

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

var tables = []string{"protocol_stats", "peer_count_by_shard", "peer_count_by_origin", "dial_failure", "gossip_bytes",
	"protocol_bytes", "discovery_bytes", "app_bytes", "shard_health", "slot_occupancy"}

// FuzzDecode: the request decoder never panics, and what it accepts is
// storable: known tables, a value per column, a node key for every row.
// Seeds: testdata/fuzz/FuzzDecode (a full report of every type, a Status
// client's items, broken variants).
func FuzzDecode(f *testing.F) {
	now := time.Unix(1796040000, 0) // 2026-12-01
	f.Add([]byte(`[]`))
	f.Add([]byte(validItem(now)))
	f.Add([]byte("[" + validItem(now) + "]"))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, errs := Decode(body, now)
		if (d == nil) == (errs == nil) {
			t.Fatalf("decoded %v and errors %v", d != nil, errs)
		}
		if d == nil {
			for _, e := range errs {
				if e.Error == "" {
					t.Fatal("an error without a message")
				}
			}
			return
		}
		for _, r := range d.Rows {
			if !slices.Contains(tables, r.Table) || len(r.Cols) != len(r.Vals) || r.Cols[0] != "node" {
				t.Fatalf("row %+v", r)
			}
			if _, ok := d.Nodes[r.Vals[0].(string)]; !ok {
				t.Fatalf("row of an unknown node %v", r.Vals[0])
			}
		}
	})
}

// validItem is a well-formed WakupmGossipBytes item with id 1.
func validItem(now time.Time) string {
	return fmt.Sprintf(`{"id":1,"telemetry_type":"WakupmGossipBytes","telemetry_data":{"nodeName":"a","peerId":"",
		"statusVersion":"v","deviceType":"d","version":1,"timestamp":%d,"intervalSeconds":60,
		"rows":[{"direction":"out","messageType":"data","cluster":16,"shard":3,"bytes":100,"entries":1}]}}`, now.Unix())
}
