package wire

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/wakupm/wakupm/metrics/telemetry"
)

// Limits of what a request may carry. Anything beyond is an error of its
// item, not a value to store.
const (
	MaxItems       = 5000
	MaxRows        = 20000 // rows of one item
	MaxBytes       = 1 << 40
	MaxCount       = 1 << 32 // entries, packets, dials
	MaxPeers       = 100000
	MaxRate        = 1e12 // bytes per second
	MaxInterval    = 7 * 24 * time.Hour
	MaxClockAhead  = 24 * time.Hour
	minTimestamp   = 1420070400 // 2015-01-01
	anonymousNode  = "anonymous"
	hashedIDLength = 32
)

// ItemError is the answer's entry for one refused item: Status's
// ErrorDetail (lib/common/errors.go), {"id", "error"}. ID -1 is the request
// as a whole.
type ItemError struct {
	ID    int    `json:"id"`
	Error string `json:"error"`
}

// Node is who reported an item.
type Node struct {
	// Key identifies the node in storage: the hashed peer id (a raw peer
	// id is hashed here, never stored), else the node name, else
	// "anonymous".
	Key                   string
	Name, Version, Device string
}

// Row is one row to insert: a table and its columns besides the node and
// the time, which the store adds.
type Row struct {
	Table string
	Time  int64
	Cols  []string
	Vals  []any
}

// Decoded is a valid request.
type Decoded struct {
	Rows  []Row
	Nodes map[string]Node
}

var hashedID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Decode validates a request body against the schema (SCHEMA.md of
// metrics/telemetry) and returns its rows, or the errors of every item that
// is not valid. A request with any error is refused whole. now bounds the
// timestamps.
func Decode(body []byte, now time.Time) (*Decoded, []ItemError) {
	var items []json.RawMessage
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '[' {
		return nil, []ItemError{{ID: -1, Error: "body is not a JSON array of items"}}
	}
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, []ItemError{{ID: -1, Error: "body is not a JSON array of items: " + err.Error()}}
	}
	if len(items) > MaxItems {
		return nil, []ItemError{{ID: -1, Error: fmt.Sprintf("%d items, at most %d per request", len(items), MaxItems)}}
	}
	d := &Decoded{Nodes: map[string]Node{}}
	var errs []ItemError
	seen := map[int]bool{}
	for i, raw := range items {
		var it struct {
			ID   *int            `json:"id"`
			Type *string         `json:"telemetry_type"`
			Data json.RawMessage `json:"telemetry_data"`
		}
		id := -(i + 2) // items without a usable id are named by position
		err := json.Unmarshal(raw, &it)
		switch {
		case err != nil:
			err = fmt.Errorf("item %d is not an object with id, telemetry_type and telemetry_data: %w", i, err)
		case it.ID == nil || it.Type == nil || len(it.Data) == 0 || bytes.Equal(it.Data, []byte("null")):
			err = fmt.Errorf("item %d lacks id, telemetry_type or telemetry_data", i)
		case seen[*it.ID]:
			id, err = *it.ID, fmt.Errorf("duplicate id %d", *it.ID)
		default:
			id = *it.ID
			seen[id] = true
			err = d.decodeItem(telemetry.Type(*it.Type), it.Data, now)
		}
		if err != nil {
			errs = append(errs, ItemError{ID: id, Error: err.Error()})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return d, nil
}

// decodeItem checks one item's data and appends its rows.
func (d *Decoded) decodeItem(t telemetry.Type, data json.RawMessage, now time.Time) error {
	dec, ok := decoders[t]
	if !ok {
		return fmt.Errorf("unknown telemetry_type %q", t)
	}
	rows, rec, err := dec(data, now)
	if err != nil {
		return fmt.Errorf("%s: %w", t, err)
	}
	node, err := nodeOf(rec)
	if err != nil {
		return fmt.Errorf("%s: %w", t, err)
	}
	// ProtocolStats names the node by hostID only: fill in what other items
	// of the request say.
	prev := d.Nodes[node.Key]
	node.Name, node.Version, node.Device = cmp.Or(prev.Name, node.Name), cmp.Or(prev.Version, node.Version),
		cmp.Or(prev.Device, node.Device)
	d.Nodes[node.Key] = node
	for i := range rows {
		rows[i].Cols = append([]string{"node"}, rows[i].Cols...)
		rows[i].Vals = append([]any{node.Key}, rows[i].Vals...)
	}
	d.Rows = append(d.Rows, rows...)
	return nil
}

func nodeOf(r telemetry.Record) (Node, error) {
	for name, v := range map[string]string{"nodeName": r.NodeName, "statusVersion": r.StatusVersion,
		"deviceType": r.DeviceType, "peerId": r.PeerID} {
		if err := checkLabel(name, v); err != nil {
			return Node{}, err
		}
	}
	n := Node{Name: r.NodeName, Version: r.StatusVersion, Device: r.DeviceType}
	switch {
	case hashedID.MatchString(r.PeerID):
		n.Key = r.PeerID
	case r.PeerID != "":
		n.Key = telemetry.HashPeerID(r.PeerID)
	case r.NodeName != "":
		n.Key = "name:" + r.NodeName
	default:
		n.Key = anonymousNode
	}
	return n, nil
}

var errNotObject = errors.New("telemetry_data is not a JSON object of the type's fields")

// strict decodes data into v; a field of the wrong JSON type is an error,
// unknown fields are not (Status's clients add fields of their own).
func strict(data json.RawMessage, v any) error {
	if len(data) == 0 || data[0] != '{' {
		return errNotObject
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w: %v", errNotObject, err)
	}
	return nil
}
