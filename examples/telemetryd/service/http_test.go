package service

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wakupm/wakupm/examples/telemetryd/wire"
	"github.com/wakupm/wakupm/metrics"
	"github.com/wakupm/wakupm/metrics/telemetry"
)

func post(t *testing.T, h http.Handler, body string) (int, []wire.ItemError, http.Header) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, telemetry.RecordMetricsPath, strings.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var errs []wire.ItemError
	if err := json.Unmarshal(rec.Body.Bytes(), &errs); err != nil {
		t.Fatalf("answer %d is not a JSON error list: %q", rec.Code, rec.Body.String())
	}
	return rec.Code, errs, rec.Header()
}

func count(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// validItem is a well-formed WakupmGossipBytes item with id 1.
func validItem(now time.Time) string {
	return fmt.Sprintf(`{"id":1,"telemetry_type":"WakupmGossipBytes","telemetry_data":{"nodeName":"a","peerId":"",
		"statusVersion":"v","deviceType":"d","version":1,"timestamp":%d,"intervalSeconds":60,
		"rows":[{"direction":"out","messageType":"data","cluster":16,"shard":3,"bytes":100,"entries":1}]}}`, now.Unix())
}

// TestRecordRefusesBadInputWhole: every kind of bad input gets a 400 whose
// list names the bad item and says what is wrong, and nothing of the
// request is stored, valid items included.
func TestRecordRefusesBadInputWhole(t *testing.T) {
	s := freshSQLite(t)
	srv := NewServer(s, Config{Now: func() time.Time { return t0 }, Burst: 1000})
	ts := t0.Unix()
	hdr := fmt.Sprintf(`"version":1,"timestamp":%d,"intervalSeconds":60`, ts)
	gossip := func(row string) string {
		return fmt.Sprintf(`{"id":2,"telemetry_type":"WakupmGossipBytes","telemetry_data":{%s,"rows":[%s]}}`, hdr, row)
	}
	for _, c := range []struct{ name, item, want string }{
		{"unknown type", `{"id":2,"telemetry_type":"ReceivedEnvelope","telemetry_data":{}}`, `unknown telemetry_type "ReceivedEnvelope"`},
		{"no data", `{"id":2,"telemetry_type":"DialFailure"}`, "lacks id, telemetry_type or telemetry_data"},
		{"data not object", `{"id":2,"telemetry_type":"DialFailure","telemetry_data":[1]}`, "not a JSON object"},
		{"wrong field type", `{"id":2,"telemetry_type":"PeerCountByShard","telemetry_data":{"count":"many","shard":1}}`, "not a JSON object"},
		{"duplicate id", strings.Replace(validItem(t0), `"id":1`, `"id":1`, 1), "duplicate id 1"},
		{"shard out of range", fmt.Sprintf(`{"id":2,"telemetry_type":"PeerCountByShard","telemetry_data":{"count":3,"shard":1024,"timestamp":%d}}`, ts), "shard: 1024 out of range"},
		{"negative count", fmt.Sprintf(`{"id":2,"telemetry_type":"PeerCountByOrigin","telemetry_data":{"count":-1,"origin":1,"timestamp":%d}}`, ts), "count: -1 out of range"},
		{"timestamp in the future", fmt.Sprintf(`{"id":2,"telemetry_type":"PeerCountByShard","telemetry_data":{"count":3,"shard":1,"timestamp":%d}}`, ts+7*86400), "timestamp"},
		{"timestamp in ms", fmt.Sprintf(`{"id":2,"telemetry_type":"PeerCountByShard","telemetry_data":{"count":3,"shard":1,"timestamp":%d}}`, ts*1000), "timestamp"},
		{"absurd bytes", gossip(`{"direction":"out","messageType":"data","bytes":1099511627777}`), "bytes: 1099511627777 out of range"},
		{"unknown message type", gossip(`{"direction":"out","messageType":"chat","bytes":1}`), `messageType "chat"`},
		{"unknown direction", gossip(`{"direction":"up","messageType":"data","bytes":1}`), `direction "up"`},
		{"shard without cluster", gossip(`{"direction":"out","messageType":"data","shard":1,"bytes":1}`), "both set or both null"},
		{"wrong version", fmt.Sprintf(`{"id":2,"telemetry_type":"WakupmDiscoveryBytes","telemetry_data":{"version":2,"timestamp":%d,"intervalSeconds":60}}`, ts), "version: 2 not supported"},
		{"zero interval", fmt.Sprintf(`{"id":2,"telemetry_type":"WakupmDiscoveryBytes","telemetry_data":{"version":1,"timestamp":%d,"intervalSeconds":0}}`, ts), "intervalSeconds"},
		{"absurd rate", `{"id":2,"telemetry_type":"ProtocolStats","telemetry_data":{"relay":{"rateIn":1e13}}}`, "rate 1e+13"},
		{"negative rate", `{"id":2,"telemetry_type":"ProtocolStats","telemetry_data":{"relay":{"rateIn":-5}}}`, "rate -5"},
		{"long name", fmt.Sprintf(`{"id":2,"telemetry_type":"WakupmAppBytes","telemetry_data":{%s,"rows":[{"name":"%s","bytesIn":1}]}}`, hdr, strings.Repeat("x", 129)), "name: 129 bytes"},
		{"control character", fmt.Sprintf(`{"id":2,"telemetry_type":"WakupmAppBytes","telemetry_data":{%s,"nodeName":"a\u0007b","rows":[]}}`, hdr), "control character"},
		{"mesh peers inconsistent", fmt.Sprintf(`{"id":2,"telemetry_type":"WakupmShardHealth","telemetry_data":{%s,"rows":[{"cluster":1,"shard":1,"meshPeers":2,"outboundMeshPeers":3}]}}`, hdr), "outboundMeshPeers: 3 out of range [0, 2]"},
		{"in use over capacity", fmt.Sprintf(`{"id":2,"telemetry_type":"WakupmSlotOccupancy","telemetry_data":{%s,"services":[{"service":"filter","capacity":2,"inUse":3}]}}`, hdr), "inUse: 3 out of range"},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := "[" + validItem(t0) + "," + c.item + "]"
			code, errs, _ := post(t, srv, body)
			if code != http.StatusBadRequest || len(errs) != 1 || !strings.Contains(errs[0].Error, c.want) {
				t.Fatalf("answer %d %+v, want 400 naming %q", code, errs, c.want)
			}
			if want := 2; c.name == "duplicate id" {
				want = 1
				if errs[0].ID != want {
					t.Errorf("error names id %d, want %d", errs[0].ID, want)
				}
			} else if c.name != "no data" && errs[0].ID != want {
				t.Errorf("error names id %d, want %d", errs[0].ID, want)
			}
			if n := count(t, s, "gossip_bytes"); n != 0 {
				t.Errorf("%d gossip rows stored from a refused request", n)
			}
		})
	}
	for _, body := range []string{"", "{}", "[1,", "null", `"x"`, "[" + strings.Repeat(`{"id":1},`, wire.MaxItems) + "{}]"} {
		code, errs, _ := post(t, srv, body)
		if code != http.StatusBadRequest || len(errs) == 0 || errs[0].ID != -1 && len(body) < 100 {
			t.Errorf("body %.20q: answer %d %+v, want 400", body, code, errs)
		}
	}
	if code, errs, _ := post(t, srv, "["+validItem(t0)+"]"); code != http.StatusCreated || len(errs) != 0 || count(t, s, "gossip_bytes") != 1 {
		t.Errorf("valid request: %d %+v", code, errs)
	}
}

// TestRecordHashesRawPeerIDs: a Status client sends its peer id as is; the
// service stores only its hash.
func TestRecordHashesRawPeerIDs(t *testing.T) {
	s := freshSQLite(t)
	srv := NewServer(s, Config{Now: func() time.Time { return t0 }})
	raw := "16Uiu2HAmAUdrQ3uwzuE4Gy4D56hX6uLKEeerJAnhKEHZ3DxF1EfT"
	body := fmt.Sprintf(`[{"id":1,"telemetry_type":"PeerCountByShard","telemetry_data":{"peerId":%q,"count":3,"shard":1,"timestamp":%d}}]`, raw, t0.Unix())
	if code, errs, _ := post(t, srv, body); code != http.StatusCreated {
		t.Fatalf("%d %+v", code, errs)
	}
	var node string
	if err := s.db.QueryRow("SELECT node FROM peer_count_by_shard").Scan(&node); err != nil {
		t.Fatal(err)
	}
	if node != telemetry.HashPeerID(raw) {
		t.Errorf("stored node %q, want the hash", node)
	}
}

// TestRecordRateLimitsPerClient: beyond its burst a client gets 429 with a
// Retry-After; another client is not affected; tokens come back with time.
func TestRecordRateLimitsPerClient(t *testing.T) {
	now := t0
	srv := NewServer(freshSQLite(t), Config{Now: func() time.Time { return now }, RatePerClient: 0.5, Burst: 2})
	send := func(addr string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, telemetry.RecordMetricsPath, strings.NewReader("["+validItem(now)+"]"))
		req.RemoteAddr = addr
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	for i := range 2 {
		if rec := send("10.0.0.1:1000"); rec.Code != http.StatusCreated {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
	}
	rec := send("10.0.0.1:1001")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "2" {
		t.Fatalf("third request: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	if rec := send("10.0.0.2:1000"); rec.Code != http.StatusCreated {
		t.Errorf("another client: %d", rec.Code)
	}
	now = now.Add(2 * time.Second)
	if rec := send("10.0.0.1:1000"); rec.Code != http.StatusCreated {
		t.Errorf("after Retry-After: %d", rec.Code)
	}
}

// TestTopAndPage: the JSON and HTML views answer over a window and refuse
// bad parameters.
func TestTopAndPage(t *testing.T) {
	s := freshSQLite(t)
	srv := NewServer(s, Config{Now: func() time.Time { return t0.Add(time.Minute) }})
	n := newSimNode("n", 1, 2)
	n.addTraffic(metrics.DirectionOut, metrics.TypeData, 1, 3000)
	n.addTraffic(metrics.DirectionIn, metrics.TypeIHave, 2, 1000)
	insert(t, s, report(t, telemetry.NewBuilder(telemetry.Record{NodeName: "n"}, n.sources(), t0), t0.Add(time.Minute)), t0)
	get := func(url string) (int, string) {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
		b, _ := io.ReadAll(rec.Body)
		return rec.Code, string(b)
	}
	code, body := get("/api/top?by=shard")
	var top struct{ Top []Consumer }
	if err := json.Unmarshal([]byte(body), &top); code != 200 || err != nil || len(top.Top) != 2 ||
		top.Top[0] != (Consumer{Key: "16/1", BytesOut: 3000, Bytes: 3000}) {
		t.Errorf("top by shard: %d %s", code, body)
	}
	for _, bad := range []string{"/api/top?by=color", "/api/top?limit=0", "/api/top?from=yesterday"} {
		if code, _ := get(bad); code != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, code)
		}
	}
	code, body = get("/")
	if code != 200 || !strings.Contains(body, "<svg") || !strings.Contains(body, "16/1") ||
		!strings.Contains(body, "ihave") || strings.Contains(body, "<script") || strings.Contains(body, "http://cdn") {
		t.Errorf("page: %d\n%s", code, body)
	}
	if !bytes.Contains([]byte(body), []byte("2.9 KiB")) {
		t.Errorf("page lacks the byte label 2.9 KiB")
	}
}
