package metrics

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wakupm/wakupm/peermanager/relay"
	"github.com/wakupm/wakupm/peermanager/selector"
	"github.com/wakupm/wakupm/shardmesh"
	"github.com/wakupm/wakupm/slots"
	"github.com/wakupm/wakupm/slots/gater"
)

// dashboardPath is the Grafana dashboard shipped for operators.
const dashboardPath = "grafana/wakupm.json"

// exportedSeries registers every collector of the package on one registry
// (sources as a full node and a light client have them), gathers it, and
// returns every series name a collector can export with its labels. The
// names come from Describe, which lists each series whether or not it has
// a sample now (a per-shard series has none before a shard is joined);
// Gather checks the registry is consistent.
func exportedSeries(t *testing.T) map[string][]string {
	t.Helper()
	tracker, _ := shardmesh.NewTracker()
	tracker.Join(shardmesh.Shard{Cluster: 16, Index: 32})
	bw, _ := NewBandwidthTracer()
	budget, _ := slots.NewBudget(50)
	connGater, err := gater.New(budget)
	if err != nil {
		t.Fatal(err)
	}
	relayCore, _ := relay.NewCore(relay.DefaultConfig())
	sel, err := selector.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sel.Close(); connGater.Close() })
	var cs []prometheus.Collector
	add := func(c prometheus.Collector, err error) {
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	add(NewTrackerCollector(tracker))
	add(NewSlotsCollector(connGater))
	add(NewPeerManagerCollector(relayCore))
	add(NewSelectorCollector(sel))
	add(NewBandwidthCollector(bw, NewBandwidthReporter()))
	add(NewNwakuCollector(loopbackHost(t), WithNwakuRelaySource(relayCore)))
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(cs...)
	if _, err := reg.Gather(); err != nil {
		t.Fatal(err)
	}
	descs := make(chan *prometheus.Desc, 256)
	for _, c := range cs {
		c.Describe(descs)
	}
	close(descs)
	series := map[string][]string{}
	descRE := regexp.MustCompile(`fqName: "([^"]+)".*constLabels: \{([^}]*)\}, variableLabels: \{([^}]*)\}`)
	for d := range descs {
		m := descRE.FindStringSubmatch(d.String())
		if m == nil {
			t.Fatalf("cannot read %s", d)
		}
		var labels []string
		for _, l := range strings.Split(m[3], ",") {
			if l != "" {
				labels = append(labels, strings.TrimSuffix(strings.TrimPrefix(l, "c("), ")"))
			}
		}
		for _, l := range strings.Split(m[2], ",") {
			if name, _, ok := strings.Cut(l, "="); ok {
				labels = append(labels, name)
			}
		}
		series[m[1]] = labels
	}
	return series
}

// TestDashboardNamesExportedMetrics checks that every query of the shipped
// Grafana dashboard (panel targets and template variables) names at least
// one series, that each series is one a collector of this package exports,
// and that each label it matches on or aggregates by is one of that
// series' labels (or instance and job, which Prometheus adds).
func TestDashboardNamesExportedMetrics(t *testing.T) {
	raw, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var dash dashboardJSON
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("%s: %v", dashboardPath, err)
	}
	exprs := dash.queries()
	if len(exprs) < 20 {
		t.Fatalf("%s: %d queries, want the whole dashboard", dashboardPath, len(exprs))
	}
	series := exportedSeries(t)
	used := map[string]bool{}
	for _, e := range exprs {
		names, problems := checkPromQL(e, series)
		for _, p := range problems {
			t.Errorf("%s: %q: %s", dashboardPath, e, p)
		}
		for _, n := range names {
			used[n] = true
		}
	}
	// The list: per-shard health and mesh peers, floors, slots,
	// selector pools, bandwidth by message type, and nwaku's names.
	for _, want := range []string{"wakupm_shard_health", "wakupm_shard_mesh_peers", "wakupm_relay_shard_floor", "wakupm_slots_in_use",
		"wakupm_selector_pool_members", "wakupm_gossipsub_bytes_total", "waku_connected_peers"} {
		if !used[want] {
			t.Errorf("%s does not chart %s", dashboardPath, want)
		}
	}
}

// TestCheckPromQLFindsMistakes shows the dashboard check fails on an
// unknown series, an unknown label and a query naming no series.
func TestCheckPromQLFindsMistakes(t *testing.T) {
	series := map[string][]string{"wakupm_shard_health": {"cluster", "shard"}, "wakupm_relay_dials_total": {"outcome"}}
	for expr, want := range map[string]string{
		`wakupm_shard_health{instance=~"$instance"}`:                      "",
		`sum by (instance, outcome) (rate(wakupm_relay_dials_total[5m]))`: "",
		`wakupm_shard_healthy`:                                            "not exported",
		`wakupm_shard_health{topic="x"}`:                                  `label "topic"`,
		`sum by (reason) (rate(wakupm_relay_dials_total[5m]))`:            `label "reason"`,
		`vector(1)`: "names no series",
	} {
		_, problems := checkPromQL(expr, series)
		if got := strings.Join(problems, "; "); want == "" && got != "" || want != "" && !strings.Contains(got, want) {
			t.Errorf("%s: problems %q, want %q", expr, got, want)
		}
	}
}

// dashboardJSON is the part of a Grafana dashboard that holds queries.
type dashboardJSON struct {
	Panels     []panelJSON `json:"panels"`
	Templating struct {
		List []struct {
			Type  string          `json:"type"`
			Query json.RawMessage `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panelJSON struct {
	Title   string      `json:"title"`
	Panels  []panelJSON `json:"panels"` // a row's panels
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

func (d dashboardJSON) queries() []string {
	var out []string
	var walk func([]panelJSON)
	walk = func(ps []panelJSON) {
		for _, p := range ps {
			for _, tg := range p.Targets {
				out = append(out, tg.Expr)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		var q struct{ Query string }
		if json.Unmarshal(v.Query, &q) != nil {
			_ = json.Unmarshal(v.Query, &q.Query)
		}
		out = append(out, q.Query)
	}
	return out
}

var (
	promString   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	promSelector = regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{([^}]*)\}`)
	promMatcher  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)`)
	promGrouping = regexp.MustCompile(`\b(?:by|without)\s*\(([^)]*)\)`)
	promRange    = regexp.MustCompile(`\[[^\]]*\]`)
	promIdent    = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	// promWords are PromQL's functions, aggregations and keywords (those a
	// dashboard uses; an unknown one shows up as "not exported").
	promWords = []string{"sum", "avg", "min", "max", "count", "rate", "irate", "increase", "delta", "by", "without",
		"on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "topk", "bottomk",
		"label_values", "vector", "scalar", "abs", "clamp_min", "clamp_max", "histogram_quantile", "time"}
	// scrapeLabels are added to every series by Prometheus.
	scrapeLabels = []string{"instance", "job"}
)

// checkPromQL returns the series an expression names and what is wrong
// with it against series (name to labels). It reads the subset of PromQL
// dashboards use: selectors with matchers, ranges, aggregations with by or
// without, function calls, label_values(series, label).
func checkPromQL(expr string, series map[string][]string) (names, problems []string) {
	e := promString.ReplaceAllString(expr, `""`)
	var matchers []string
	for _, m := range promSelector.FindAllStringSubmatch(e, -1) {
		if m[1] != "" {
			names = append(names, m[1])
		}
		for _, lm := range promMatcher.FindAllStringSubmatch(m[2], -1) {
			matchers = append(matchers, lm[1])
		}
	}
	e = promSelector.ReplaceAllString(e, " $1 ")
	var grouping []string
	for _, g := range promGrouping.FindAllStringSubmatch(e, -1) {
		for _, l := range strings.Split(g[1], ",") {
			grouping = append(grouping, strings.TrimSpace(l))
		}
	}
	e = promGrouping.ReplaceAllString(e, " ")
	e = promRange.ReplaceAllString(e, " ")
	if lv := regexp.MustCompile(`label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*([a-zA-Z_]+)\s*\)`).FindStringSubmatch(e); lv != nil {
		names, grouping = append(names, lv[1]), append(grouping, lv[2])
		e = strings.Replace(e, lv[0], " ", 1)
	}
	for _, id := range promIdent.FindAllString(e, -1) {
		if !slices.Contains(promWords, id) && !slices.Contains(names, id) {
			names = append(names, id)
		}
	}
	if len(names) == 0 {
		return nil, []string{"names no series"}
	}
	labels := slices.Clone(scrapeLabels)
	for _, n := range names {
		l, ok := series[n]
		if !ok {
			problems = append(problems, n+" is not exported by any collector")
		}
		labels = append(labels, l...)
	}
	for _, l := range append(matchers, grouping...) {
		if l != "" && !slices.Contains(labels, l) {
			problems = append(problems, `label "`+l+`" is not a label of `+strings.Join(names, ", "))
		}
	}
	return names, problems
}
