package export

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"klabot/bot/export/csvexport"
	"klabot/flows/exportdata"
	"klabot/flows/recap"
)

// The recap chart: reports received in the month, by category and by
// kecamatan, as horizontal bars (long kecamatan names stay readable) in one
// portrait PNG that fits a phone screen.

// Chart size in pixels.
const (
	ChartWidth  = 1080
	ChartHeight = 1350
	chartDPI    = 96
)

// Chart draws the recap's reports received by category and by kecamatan
// as a PNG.
func Chart(w io.Writer, rc exportdata.Recap, l exportdata.Labels, text exportdata.ChartText) error {
	var cats, kecs []bar
	for k, n := range rc.ByCategory {
		cats = append(cats, bar{exportdata.Label(l.Category, k), n})
	}
	for k, n := range rc.ByKec {
		kecs = append(kecs, bar{exportdata.KecName(k), n})
	}
	top, err := barPlot(text.Title+": "+text.ByCategory, cats, text.None)
	if err != nil {
		return err
	}
	bottom, err := barPlot(text.Title+": "+text.ByKec, kecs, text.None)
	if err != nil {
		return err
	}
	px := func(n int) vg.Length { return vg.Length(n) * vg.Inch / chartDPI }
	c := vgimg.NewWith(vgimg.UseWH(px(ChartWidth), px(ChartHeight)), vgimg.UseDPI(chartDPI),
		vgimg.UseBackgroundColor(color.White))
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 6,
		PadTop: vg.Millimeter * 4, PadBottom: vg.Millimeter * 4, PadLeft: vg.Millimeter * 4, PadRight: vg.Millimeter * 6}
	plots := [][]*plot.Plot{{top}, {bottom}}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(w); err != nil {
		return fmt.Errorf("write chart: %w", err)
	}
	return nil
}

type bar struct {
	name string
	n    int
}

// barPlot is one panel: the biggest bar on top.
func barPlot(title string, bars []bar, none string) (*plot.Plot, error) {
	sort.Slice(bars, func(i, j int) bool {
		if bars[i].n != bars[j].n {
			return bars[i].n < bars[j].n // drawn bottom-up: the biggest ends on top
		}
		return bars[i].name > bars[j].name
	})
	if len(bars) == 0 {
		bars = []bar{{none, 0}}
	}
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(18)
	values := make(plotter.Values, len(bars))
	names := make([]string, len(bars))
	biggest := 0
	for i, b := range bars {
		values[i], names[i] = float64(b.n), b.name
		biggest = max(biggest, b.n)
	}
	// Each panel is about half the picture's height: bars take 60 % of
	// their row, but never grow fat when there are only a few.
	row := vg.Length(ChartHeight) * vg.Inch / chartDPI / 2 * 0.8 / vg.Length(len(bars))
	width := min(row*0.6, vg.Points(36))
	chart, err := plotter.NewBarChart(values, width)
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	chart.Horizontal = true
	chart.Color = color.RGBA{R: 0x1f, G: 0x6f, B: 0xb2, A: 0xff}
	chart.LineStyle.Width = 0
	// The count at the end of each bar.
	xys := make(plotter.XYs, len(bars))
	texts := make([]string, len(bars))
	for i, b := range bars {
		xys[i] = plotter.XY{X: float64(b.n), Y: float64(i)}
		texts[i] = fmt.Sprint(b.n)
	}
	counts, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	for i := range counts.TextStyle {
		counts.TextStyle[i].Font.Size = vg.Points(14)
		counts.TextStyle[i].YAlign = -0.5
	}
	counts.Offset = vg.Point{X: vg.Points(4)}
	p.Add(plotter.NewGrid(), chart, counts)
	p.NominalY(names...)
	p.Y.Min, p.Y.Max = -0.6, float64(len(bars))-0.4
	p.Y.Tick.Label.Font.Size = vg.Points(14)
	p.X.Tick.Label.Font.Size = vg.Points(12)
	p.X.Min, p.X.Max = 0, float64(max(biggest, 1))*1.15
	p.X.Tick.Marker = integerTicks{}
	return p, nil
}

// integerTicks marks whole numbers only: these are counts of reports.
type integerTicks struct{}

func (integerTicks) Ticks(min, max float64) []plot.Tick {
	step := 1
	for float64(step)*8 < max-min {
		step *= 2
	}
	var ticks []plot.Tick
	for v := 0; float64(v) <= max; v += step {
		if float64(v) >= min {
			ticks = append(ticks, plot.Tick{Value: float64(v), Label: fmt.Sprint(v)})
		}
	}
	return ticks
}

// Workbook writes the recap as an XLSX workbook: the numbers (Rekap), the
// rows behind them (Rincian) and what each number means (Keterangan).
func Workbook(w io.Writer, rc exportdata.Recap, l exportdata.Labels, text exportdata.RecapText) error {
	return WriteXLSX(w, rc.Tables(l, text)...)
}

// SaveRecapBook writes the recap workbook to path, privately and
// atomically, in a language.
func SaveRecapBook(path string, rc exportdata.Recap, lang string) error {
	return Save(path, XLSX, rc.Tables(recap.ExportLabels(lang), recap.Text(lang, rc.From, rc.Generated, rc.Loc))...)
}

// SaveRecapChart writes the recap chart to path as a PNG, privately and
// atomically, in a language.
func SaveRecapChart(path string, rc exportdata.Recap, lang string) error {
	var png bytes.Buffer
	if err := Chart(&png, rc, recap.ExportLabels(lang), recap.ChartText(lang, rc.From)); err != nil {
		return err
	}
	return csvexport.SaveFile(path, func(w io.Writer) error { _, err := w.Write(png.Bytes()); return err })
}
