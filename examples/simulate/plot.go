package main

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// Chart geometry, in SVG user units.
const (
	plotWidth   = 760
	plotHeight  = 420
	plotLeft    = 60
	plotRight   = 160 // room for the legend
	plotTop     = 40
	plotBottom  = 50
	plotInnerW  = plotWidth - plotLeft - plotRight
	plotInnerH  = plotHeight - plotTop - plotBottom
	plotLineW   = 2
	plotFontPx  = 12
	plotDashArr = "5,4"
)

var plotColors = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"}

// writePlot draws the SufficientlyHealthy fraction (solid) and the
// at-least-MinimallyHealthy fraction (dashed) over virtual time, one colour
// per policy, as a standalone SVG document.
func writePlot(w io.Writer, title string, durationS float64, reports []PolicyReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="%d">`+"\n",
		plotWidth, plotHeight, plotWidth, plotHeight, plotFontPx)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", plotWidth, plotHeight)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="%d" font-weight="bold">%s</text>`+"\n", plotLeft, plotTop-16, plotFontPx+2, html.EscapeString(title))

	x := func(t float64) float64 { return plotLeft + plotInnerW*t/math.Max(durationS, 1e-9) }
	y := func(f float64) float64 { return plotTop + plotInnerH*(1-f) }

	// Grid and axes.
	for _, f := range []float64{0, 0.25, 0.5, 0.75, 0.95, 1} {
		dash := ""
		if f == 0.95 {
			dash = ` stroke-dasharray="2,3"`
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"%s/>`+"\n", plotLeft, y(f), plotLeft+plotInnerW, y(f), dash)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%.0f%%</text>`+"\n", plotLeft-6, y(f), 100*f)
	}
	step := niceStep(durationS / 6)
	for t := 0.0; t <= durationS+1e-9; t += step {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", x(t), plotTop, x(t), plotTop+plotInnerH)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%gs</text>`+"\n", x(t), plotTop+plotInnerH+16, t)
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>`+"\n", plotLeft, plotTop, plotInnerW, plotInnerH)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">virtual time</text>`+"\n", plotLeft+plotInnerW/2, plotHeight-10)
	fmt.Fprintf(&b, `<text x="14" y="%d" text-anchor="middle" transform="rotate(-90 14 %d)">(node, shard) pairs healthy</text>`+"\n",
		plotTop+plotInnerH/2, plotTop+plotInnerH/2)

	for i, r := range reports {
		color := plotColors[i%len(plotColors)]
		// Earlier policies are drawn wider, so that a curve lying on top of
		// another (two policies at 100 %) leaves it visible.
		width := plotLineW + 2*(len(reports)-1-i)
		for _, dashed := range []bool{true, false} {
			var pts []string
			for _, p := range r.Curve {
				f := p.Sufficient
				if dashed {
					f = p.AtLeastMinimally
				}
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(p.T), y(f)))
			}
			style := ""
			if dashed {
				style = ` stroke-dasharray="` + plotDashArr + `" stroke-opacity="0.6"`
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="%d" stroke-linejoin="round"%s points="%s"/>`+"\n", color, width, style, strings.Join(pts, " "))
		}
		ly := plotTop + 10 + 20*i
		lx := plotLeft + plotInnerW + 14
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="%d"/>`+"\n", lx, ly, lx+24, ly, color, width)
		fmt.Fprintf(&b, `<text x="%d" y="%d" dominant-baseline="middle">%s</text>`+"\n", lx+30, ly, html.EscapeString(r.Policy))
	}
	ly := plotTop + 10 + 20*len(reports) + 10
	lx := plotLeft + plotInnerW + 14
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333" stroke-width="%d"/>`+"\n", lx, ly, lx+24, ly, plotLineW)
	fmt.Fprintf(&b, `<text x="%d" y="%d" dominant-baseline="middle">sufficiently</text>`+"\n", lx+30, ly)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333" stroke-width="%d" stroke-dasharray="%s"/>`+"\n", lx, ly+20, lx+24, ly+20, plotLineW, plotDashArr)
	fmt.Fprintf(&b, `<text x="%d" y="%d" dominant-baseline="middle">at least minimally</text>`+"\n", lx+30, ly+20)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// niceStep rounds raw up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}
