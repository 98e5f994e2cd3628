package service

import (
	"fmt"
	"html/template"
	"net/http"
	"time"
)

// bar is one bar of a chart, positions precomputed for the template.
type bar struct {
	Key               string
	Y, WIn, WOut, TxY int
	Label             string
}

type chart struct {
	Dim    Dimension
	Height int
	Bars   []bar
}

const chartWidth, barHeight, labelWidth = 420, 18, 260

// page shows the top consumers of every dimension over the window as
// horizontal bars (in and out stacked), drawn as inline SVG: no script, no
// external asset.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	_, from, to, limit, err := s.window(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var charts []chart
	for _, dim := range Dimensions() {
		top, err := s.store.Top(r.Context(), dim, from, to, limit)
		if err != nil {
			s.cfg.Log.Error("telemetryd: query", "err", err)
			http.Error(w, "query failed", http.StatusInternalServerError)
			return
		}
		charts = append(charts, chartOf(dim, top))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	err = pageTemplate.Execute(w, map[string]any{
		"From": from.UTC().Format(time.RFC3339), "To": to.UTC().Format(time.RFC3339),
		"Charts": charts, "Width": labelWidth + chartWidth + 120, "LabelWidth": labelWidth,
	})
	if err != nil {
		s.cfg.Log.Error("telemetryd: page", "err", err)
	}
}

func chartOf(dim Dimension, top []Consumer) chart {
	c := chart{Dim: dim, Height: barHeight*len(top) + 4}
	var largest int64 = 1
	for _, t := range top {
		largest = max(largest, t.Bytes)
	}
	for i, t := range top {
		key := t.Key
		if t.Name != "" {
			key = t.Name + " (" + t.Key[:min(8, len(t.Key))] + ")"
		}
		c.Bars = append(c.Bars, bar{Key: key, Y: i * barHeight, TxY: i*barHeight + 13,
			WIn:   int(t.BytesIn * chartWidth / largest),
			WOut:  int(t.BytesOut * chartWidth / largest),
			Label: humanBytes(t.Bytes)})
	}
	return c
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"add": func(a, b int) int { return a + b },
}).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>wakupm telemetry: top bandwidth consumers</title>
<style>body{font-family:sans-serif;margin:2em}h2{font-size:1.1em;margin-top:1.5em}text{font-size:12px}</style>
</head><body>
<h1>Top bandwidth consumers</h1>
<p>{{.From}} to {{.To}}. Bars: <span style="color:#3b7dd8">in</span> + <span style="color:#e08a1e">out</span>.
JSON: <code>/api/top?by=message_type|shard|protocol|node&amp;from=&amp;to=&amp;limit=</code></p>
{{range .Charts}}<h2>by {{.Dim}}</h2>
{{if .Bars}}<svg xmlns="http://www.w3.org/2000/svg" width="{{$.Width}}" height="{{.Height}}" role="img" aria-label="top by {{.Dim}}">
{{range .Bars}}<text x="0" y="{{.TxY}}">{{.Key}}</text>
<rect x="{{$.LabelWidth}}" y="{{.Y}}" width="{{.WIn}}" height="15" fill="#3b7dd8"/>
<rect x="{{add $.LabelWidth .WIn}}" y="{{.Y}}" width="{{.WOut}}" height="15" fill="#e08a1e"/>
<text x="{{add (add $.LabelWidth .WIn) (add .WOut 6)}}" y="{{.TxY}}">{{.Label}}</text>
{{end}}</svg>{{else}}<p>no data in this window</p>{{end}}
{{end}}</body></html>
`))
