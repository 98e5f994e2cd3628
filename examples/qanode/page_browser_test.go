package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color/palette"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// updateScreenshotEnv, when set, makes TestNodePageInBrowser also write the
// README's screenshot (examples/qanode/page.png).
const updateScreenshotEnv = "QANODE_UPDATE_SCREENSHOT"

// chromiumPath finds Chromium (Debian's package "chromium"), installing it
// with apt-get when it is missing and the test runs as root; "" when it
// cannot be had.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := exec.LookPath("apt-get"); err != nil || os.Geteuid() != 0 {
		t.Logf("chromium not found, and apt-get is missing or this is not root")
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "apt-get", "install", "-y", "--no-install-recommends", "chromium").CombinedOutput()
	if err != nil {
		t.Logf("apt-get install chromium: %v\n%s", err, lastLines(string(out), 10))
		return ""
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		return ""
	}
	return p
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// newBrowser starts headless Chromium with flags that keep it off the
// network (CI's network is closed: without them it waits on refused
// connections) and a fresh profile, and returns a tab's context.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1100, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// The first Do starts the browser and ties its life to ctx: it must not
	// run under a shorter context.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// browserTab runs actions in a tab, failing the test on an error.
type browserTab struct {
	t   *testing.T
	ctx context.Context
}

func (b browserTab) do(what string, timeout time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func runIn[T any](b browserTab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// pageShardRow is what the page shows for one shard.
type pageShardRow struct {
	Shard      string `json:"shard"`
	Level      string `json:"level"`
	LevelText  string `json:"levelText"`
	Reason     string `json:"reason"`
	MeshPeers  string `json:"meshPeers"`
	Outbound   string `json:"outbound"`
	RelayPeers string `json:"relayPeers"`
	Protected  string `json:"protected"`
	CanSign    string `json:"canSign"`
}

const readShardRows = `[...document.querySelectorAll("#shards tbody tr")].map(tr => {
  const f = (name) => tr.querySelector('[data-field="' + name + '"]').textContent;
  return {shard: tr.dataset.shard, level: tr.querySelector('[data-field="health"]').dataset.level,
    levelText: f("health"), reason: f("reason"), meshPeers: f("meshPeers"), outbound: f("outboundMeshPeers"),
    relayPeers: f("relayPeers"), protected: f("protected"), canSign: f("canSign")};
})`

// wantRows is what the page must show for h.
func wantRows(h healthJSON) []pageShardRow {
	var rows []pageShardRow
	yesNo := map[bool]string{true: "yes", false: "no"}
	for _, s := range h.Shards {
		r := pageShardRow{Shard: fmt.Sprint(s.Shard), Level: s.Health, Reason: s.Reason,
			MeshPeers: fmt.Sprint(s.MeshPeers), Outbound: fmt.Sprintf("%d (Dout %d)", s.OutboundMeshPeers, h.Mesh.Dout),
			RelayPeers: fmt.Sprintf("%d / %d", s.ConnectedRelayPeers, s.Floor), Protected: yesNo[s.Protected], CanSign: "—"}
		if s.LowScoreMeshPeers > 0 {
			r.MeshPeers += fmt.Sprintf(" (%d low score)", s.LowScoreMeshPeers)
		}
		if s.Protected {
			r.CanSign = yesNo[s.CanSign]
		}
		rows = append(rows, r)
	}
	return rows
}

// TestNodePageInBrowser runs three nodes on loopback (A signs on protected
// shard 32, B relays it with the public key, C is unprotected; A is also
// alone on shard 33), loads A's page in headless Chromium and checks on the
// rendered DOM that the shard rows show /health's levels (as words, not
// colour only), reasons and figures, that the slots, bandwidth charts and
// addresses are there, that the page fits a phone's width, that on a node
// with a REST token it asks for the token and then works, and that it
// shows an error state once A stops answering.
func TestNodePageInBrowser(t *testing.T) {
	path := chromiumPath(t)
	if path == "" {
		t.Skip("skipping: Chromium is not installed and could not be installed (apt-get install chromium)")
	}
	a := startTestNode(t, "A", testConfig())
	b := startTestNode(t, "B", testConfig(a.addrInfo()))
	c := startTestNode(t, "C", testConfig(a.addrInfo(), b.addrInfo()))
	protectShard32(t, a, b)
	for _, n := range []*testNode{a, b, c} {
		n.mustCall("POST", "/relay/subscribe", []any{32}, 200, nil)
	}
	a.mustCall("POST", "/relay/subscribe", []any{33}, 200, nil)
	eventually(t, 15*time.Second, "A has B and C in its mesh of shard 32", func() bool {
		var h healthJSON
		a.mustCall("GET", "/health", nil, 200, &h)
		return len(h.Shards) == 2 && h.Shards[0].MeshPeers == 2
	})
	stopTraffic := publishEvery(a, 100*time.Millisecond) // so that the charts have something to draw
	defer stopTraffic()

	tab := browserTab{t: t, ctx: newBrowser(t, path)}
	tab.do("loading A's page", 20*time.Second,
		chromedp.Navigate(a.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`body[data-state="ok"]`)),
		// two polls make a bandwidth sample, and the charts a line
		chromedp.WaitReady(chromedp.CSS(`#chart-type svg polyline`)),
		chromedp.WaitReady(chromedp.CSS(`#rates-shard tbody tr`)),
	)
	ctx, cancel := context.WithTimeout(tab.ctx, 15*time.Second)
	defer cancel()
	samples := 3
	if os.Getenv(updateScreenshotEnv) != "" {
		samples = 12 // lines worth showing in the README
		ctx, cancel = context.WithTimeout(tab.ctx, 60*time.Second)
		defer cancel()
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.querySelector("#chart-type svg").dataset.samples >= %d`, samples), chromedp.WithPollingTimeout(0))); err != nil {
		t.Fatalf("waiting for %d bandwidth samples: %v", samples, err)
	}
	checkShardRows(t, a, tab)
	checkPageSections(t, a, tab)

	shot := filepath.Join(t.TempDir(), "qanode-page.png")
	shotPNG := runIn(tab, "screenshot", chromedp.FullScreenshot(100))
	if err := os.WriteFile(shot, shotPNG, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of A's page (%d bytes): %s", len(shotPNG), shot)
	if os.Getenv(updateScreenshotEnv) != "" {
		small, err := smallPNG(shotPNG)
		if err == nil {
			err = os.WriteFile("page.png", small, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}

	stopTraffic()
	checkPhoneWidth(t, tab)
	phone := filepath.Join(filepath.Dir(shot), "qanode-page-390px.png")
	if err := os.WriteFile(phone, runIn(tab, "phone screenshot", chromedp.FullScreenshot(100)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot at a phone's width: %s", phone)

	checkTokenPrompt(t, tab)
	tab.do("back to A's page", 10*time.Second, chromedp.Navigate(a.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`body[data-state="ok"]`)))
	a.srv.CloseClientConnections()
	a.srv.Close()
	tab.do("error state once A stops answering", 15*time.Second, chromedp.WaitVisible(chromedp.CSS(`body[data-state="error"]`)))
	status := runIn(tab, "status", chromedp.Text(chromedp.CSS(`#status`)))
	rows := runIn(tab, "rows", chromedp.Evaluate[int](`document.querySelectorAll("#shards tbody tr").length`))
	if !strings.Contains(status, "Node unreachable") || !strings.Contains(status, "The figures below are from") || rows != 2 {
		t.Errorf("error state: status %q, %d shard rows kept; want 'Node unreachable', the time of the figures, 2 rows", status, rows)
	}
}

// checkShardRows compares the page's shard rows with /health until they
// match (the page polls every 3 s, so a change of figures between the two
// reads settles at the next poll).
func checkShardRows(t *testing.T, a *testNode, tab browserTab) {
	t.Helper()
	var got, want []pageShardRow
	deadline := time.Now().Add(10 * time.Second)
	for {
		var h healthJSON
		a.mustCall("GET", "/health", nil, 200, &h)
		want = wantRows(h)
		got = runIn(tab, "reading the shard rows", chromedp.Evaluate[[]pageShardRow](readShardRows))
		if rowsMatch(got, want) {
			break
		}
		if time.Now().After(deadline) {
			g, _ := json.MarshalIndent(got, "", " ")
			w, _ := json.MarshalIndent(want, "", " ")
			t.Fatalf("the page's shard rows:\n%s\nwant (from /health):\n%s", g, w)
		}
		time.Sleep(time.Second)
	}
	if got[0].Level != "sufficiently_healthy" && got[0].Level != "minimally_healthy" || got[0].Protected != "yes" || got[0].CanSign != "yes" ||
		got[1].Shard != "33" || got[1].Level != "unhealthy" || !strings.Contains(got[1].LevelText, "Unhealthy") {
		t.Errorf("A's rows: %+v", got)
	}
	t.Logf("shard rows on the page match /health: %+v", got)
}

func rowsMatch(got, want []pageShardRow) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g := got[i]
		// The level is a word (and a symbol) in the cell, not colour only.
		if !strings.Contains(g.LevelText, levelWords[g.Level]) {
			return false
		}
		g.LevelText = ""
		if g != want[i] {
			return false
		}
	}
	return true
}

// levelWords are the page's words for each level (ui/app.js LEVELS).
var levelWords = map[string]string{
	"sufficiently_healthy": "Sufficiently healthy",
	"minimally_healthy":    "Minimally healthy",
	"unhealthy":            "Unhealthy",
}

// checkPageSections checks the slots, bandwidth and addresses sections
// against /slots and /info.
func checkPageSections(t *testing.T, a *testNode, tab browserTab) {
	t.Helper()
	var sl slotsJSON
	a.mustCall("GET", "/slots", nil, 200, &sl)
	var info infoJSON
	a.mustCall("GET", "/info", nil, 200, &info)
	text := func(sel string) string { return runIn(tab, sel, chromedp.TextContent(chromedp.CSS(sel))) }
	budget, services, addrs, rateShard := text("#budget"), text("#services tbody"), text("#addrs"), text("#rates-shard tbody")
	polylines := runIn(tab, "chart lines", chromedp.Evaluate[int](`document.querySelectorAll("#chart-type polyline").length`))
	if !strings.Contains(budget, fmt.Sprintf("Budget %d connections", sl.Budget.MaxConnections)) {
		t.Errorf("budget %q; /slots says %d", budget, sl.Budget.MaxConnections)
	}
	for _, s := range sl.Services {
		if !strings.Contains(services, fmt.Sprintf("%s%d / %d", s.Service, s.InUse, s.Capacity)) {
			t.Errorf("services table %q lacks %s %d / %d", services, s.Service, s.InUse, s.Capacity)
		}
	}
	for _, addr := range info.ListenAddresses {
		if !strings.Contains(addrs, addr) {
			t.Errorf("addresses %q lack %s", addrs, addr)
		}
	}
	if !strings.Contains(rateShard, "shard 32") || polylines != 3 {
		t.Errorf("bandwidth: rates by shard %q, %d lines by type (want data, control, other)", rateShard, polylines)
	}
}

// checkPhoneWidth renders the page 390 px wide and checks that nothing
// overflows sideways and the shard rows became cards with labels.
func checkPhoneWidth(t *testing.T, tab browserTab) {
	t.Helper()
	tab.do("phone width", 5*time.Second, chromedp.EmulateViewport(390, 844))
	// after the next frame, laid out at the new width
	overflow := runIn(tab, "overflow", chromedp.Evaluate[bool](
		`new Promise(r => requestAnimationFrame(() => r(document.documentElement.scrollWidth > window.innerWidth)))`,
		chromedp.EvalAwaitPromise))
	label := runIn(tab, "card label", chromedp.Evaluate[string](
		`getComputedStyle(document.querySelector('#shards td[data-field="health"]'), '::before').content`))
	if overflow || !strings.Contains(label, "Health") {
		t.Errorf("at 390 px: horizontal overflow %v, health cell label %q", overflow, label)
	}
}

// publishEvery publishes a small message on A's shard 32 every period until
// the returned func is called (which waits for the publisher to stop).
func publishEvery(a *testNode, period time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(period)
		defer tick.Stop()
		body := `{"payload":"` + b64("traffic for the charts") + `","contentTopic":"/qa/1/chat/proto"}`
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				resp, err := a.srv.Client().Post(a.srv.URL+"/relay/publish/32", "application/json", strings.NewReader(body))
				if err == nil {
					resp.Body.Close()
				}
			}
		}
	})
	var once sync.Once
	return func() { once.Do(func() { close(done); wg.Wait() }) }
}

// checkTokenPrompt loads the page of a node that requires a REST token: the
// page must load (its files need no token), say that the API refused it,
// and show the token form; with the token typed in, it must show the node.
func checkTokenPrompt(t *testing.T, tab browserTab) {
	t.Helper()
	cfg := testConfig()
	cfg.restToken = "browser-token"
	d := startTestNode(t, "D", cfg)
	tab.do("D's page without the token", 10*time.Second,
		chromedp.Navigate(d.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`body[data-state="error"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#token`)),
	)
	if status := runIn(tab, "status", chromedp.Text(chromedp.CSS(`#status`))); !strings.Contains(status, "401") {
		t.Errorf("without the token the status says %q, want the 401", status)
	}
	tab.do("D's page with the token", 10*time.Second,
		chromedp.SendKeys(chromedp.CSS(`#token`), "browser-token"),
		chromedp.Click(chromedp.CSS(`#token-form button`)), // a click fires the submit event; form.submit() would not
		chromedp.WaitVisible(chromedp.CSS(`body[data-state="ok"]`)),
	)
	if id := runIn(tab, "node id", chromedp.Text(chromedp.CSS(`#node-id`))); id != d.node.selfID().String() {
		t.Errorf("with the token the page shows node %q, want D %s", id, d.node.selfID())
	}
}

// smallPNG re-encodes a screenshot with a 256-colour palette (Plan 9's, no
// dithering: the page is flat colours and text) at the best compression,
// about a third of the size, for the README.
func smallPNG(raw []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	pal := image.NewPaletted(img.Bounds(), palette.Plan9)
	draw.Draw(pal, pal.Rect, img, img.Bounds().Min, draw.Src)
	var out bytes.Buffer
	err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, pal)
	return out.Bytes(), err
}
