package wire

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSeedsDecodeAsIntended: the committed seeds a report of every type
// and a Status client's items decode; the broken ones do not.
func TestSeedsDecodeAsIntended(t *testing.T) {
	now := time.Unix(1796040000, 0)
	for name, ok := range map[string]bool{"full-report": true, "status-client": true, "bad-shard": false,
		"unknown-type": false, "not-array": false, "null-row": false} {
		raw, err := os.ReadFile("testdata/fuzz/FuzzDecode/" + name)
		if err != nil {
			t.Fatal(err)
		}
		line := strings.TrimSuffix(strings.SplitN(string(raw), "\n", 2)[1], "\n")
		body, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(line, "[]byte("), ")"))
		if err != nil {
			t.Fatal(name, err)
		}
		d, errs := Decode([]byte(body), now)
		if (d != nil) != ok {
			t.Errorf("%s: decoded %v, errors %+v", name, d != nil, errs)
		}
		if name == "full-report" && len(d.Rows) < 10 {
			t.Errorf("full report: %d rows", len(d.Rows))
		}
	}
}
