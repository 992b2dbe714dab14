package results

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/clbench/clbench/metrics"
)

// Panel is one strategy's part of a figure: its accuracy matrix, the
// mean over seeds of each cell ([Set.MeanMatrix]).
type Panel struct {
	Title     string
	R         metrics.Matrix // NaN where no run measured the cell
	Untrained []float64      // nil when not measured
}

// MeanMatrix returns the cell-by-cell mean of the accuracy matrices of
// the given runs, and of their untrained rows: each cell over the runs
// that measured it, NaN where none did. Every run must have the same
// number of tasks.
func (s *Set) MeanMatrix(runIDs []string) (metrics.Matrix, []float64, error) {
	var (
		sum, n         metrics.Matrix
		bSum, bN       []float64
		hasUntrained   bool
		first, firstID = -1, ""
	)
	for _, id := range runIDs {
		r, b, err := s.Matrix(id)
		if err != nil {
			return nil, nil, err
		}
		if first < 0 {
			first, firstID = r.T(), id
			sum, n = zeros(first), zeros(first)
			bSum, bN = make([]float64, first), make([]float64, first)
		}
		if r.T() != first {
			return nil, nil, fmt.Errorf("run %q has %d tasks, run %q %d",
				id, r.T(), firstID, first)
		}
		for i := range r {
			for j, x := range r[i] {
				if !math.IsNaN(x) {
					sum[i][j] += x
					n[i][j]++
				}
			}
		}
		for j, x := range b {
			if !math.IsNaN(x) {
				bSum[j] += x
				bN[j]++
				hasUntrained = true
			}
		}
	}
	if first < 0 {
		return nil, nil, fmt.Errorf("no runs")
	}
	for i := range sum {
		for j := range sum[i] {
			sum[i][j] = ratio(sum[i][j], n[i][j])
		}
		bSum[i] = ratio(bSum[i], bN[i])
	}
	if !hasUntrained {
		bSum = nil
	}
	return sum, bSum, nil
}

func zeros(t int) metrics.Matrix {
	m := make(metrics.Matrix, t)
	for i := range m {
		m[i] = make([]float64, t)
	}
	return m
}

// ratio is sum/n, or NaN when n is 0.
func ratio(sum, n float64) float64 {
	if n == 0 {
		return math.NaN()
	}
	return sum / n
}

// Figure sizes: each panel is a tile; at most panelColumns tiles a row.
const (
	panelColumns = 3
	panelWidth   = 3.2 * vg.Inch
	panelHeight  = 2.8 * vg.Inch
	legendLine   = 0.2 * vg.Inch
)

// MatrixFigure writes an SVG with one heat map per panel: row i is
// "after task i", column j is task j, each cell coloured on a fixed 0 to
// 100 points scale and labelled with its score in points; cells no run
// measured are grey and unlabelled. The output depends only on the
// panels: the same panels give the same bytes (fonts are referred to by
// name, not embedded, so nothing is read from the system or network).
func MatrixFigure(w io.Writer, panels []Panel) error {
	plots := make([]*plot.Plot, len(panels))
	for k, pn := range panels {
		p, err := heatMap(pn)
		if err != nil {
			return fmt.Errorf("%s: %w", pn.Title, err)
		}
		plots[k] = p
	}
	return tile(w, plots, nil, 0)
}

// CurvesFigure writes an SVG with one plot per panel: for each task, its
// score in points after each step of the stream (x = 0 is the untrained
// model), over the cells measured. A last tile holds the legend.
func CurvesFigure(w io.Writer, panels []Panel, taskNames []string) error {
	plots := make([]*plot.Plot, 0, len(panels)+1)
	t := 0
	for _, pn := range panels {
		p, err := curves(pn)
		if err != nil {
			return fmt.Errorf("%s: %w", pn.Title, err)
		}
		plots = append(plots, p)
		t = max(t, pn.R.T())
	}
	return tile(w, plots, curvesLegend(t, taskNames), vg.Length(t+1)*legendLine)
}

// matrixGrid shows R as a heat map grid: column c is task c+1, row r is
// after task r+1, values in points.
type matrixGrid metrics.Matrix

func (g matrixGrid) Dims() (c, r int)   { return len(g), len(g) }
func (g matrixGrid) Z(c, r int) float64 { return 100 * g[r][c] }
func (g matrixGrid) X(c int) float64    { return float64(c + 1) }
func (g matrixGrid) Y(r int) float64    { return float64(r + 1) }

func heatMap(pn Panel) (*plot.Plot, error) {
	t := pn.R.T()
	if t == 0 {
		return nil, fmt.Errorf("empty accuracy matrix")
	}
	p := newPlot(pn.Title)
	p.X.Label.Text = "task"
	p.Y.Label.Text = "after task"
	p.Y.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}}
	p.X.Tick.Marker = integerTicks(1, t)
	p.Y.Tick.Marker = integerTicks(1, t)

	// Colours on a fixed scale, so that panels compare: blue is high.
	// An even count: palette.Reverse leaves an odd count's middle nil.
	pal := palette.Reverse(moreland.SmoothBlueRed()).Palette(100)
	h := plotter.NewHeatMap(matrixGrid(pn.R), pal)
	h.Min, h.Max = 0, 100
	h.NaN = color.Gray{Y: 0xdd}
	p.Add(h)

	// Each measured cell's score.
	var (
		xys    plotter.XYs
		labels []string
	)
	for i := range pn.R {
		for j, x := range pn.R[i] {
			if math.IsNaN(x) {
				continue
			}
			xys = append(xys, plotter.XY{X: float64(j + 1), Y: float64(i + 1)})
			labels = append(labels, strconv.FormatFloat(100*x, 'f', 0, 64))
		}
	}
	if len(xys) > 0 {
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
		if err != nil {
			return nil, err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].Font.Variant = "Sans"
			l.TextStyle[i].XAlign = draw.XCenter
			l.TextStyle[i].YAlign = draw.YCenter
		}
		p.Add(l)
	}
	p.X.Min, p.X.Max = 0.5, float64(t)+0.5
	p.Y.Min, p.Y.Max = 0.5, float64(t)+0.5
	return p, nil
}

func curves(pn Panel) (*plot.Plot, error) {
	t := pn.R.T()
	p := newPlot(pn.Title)
	p.X.Label.Text = "after task (0: untrained)"
	p.Y.Label.Text = "score (points)"
	p.X.Tick.Marker = integerTicks(0, t)
	p.X.Min, p.X.Max = 0, float64(t)
	p.Y.Min, p.Y.Max = 0, 100
	p.Add(plotter.NewGrid())

	for j := 0; j < t; j++ {
		var xys plotter.XYs
		if pn.Untrained != nil && !math.IsNaN(pn.Untrained[j]) {
			xys = append(xys, plotter.XY{X: 0, Y: 100 * pn.Untrained[j]})
		}
		for i := range pn.R {
			if x := pn.R[i][j]; !math.IsNaN(x) {
				xys = append(xys, plotter.XY{X: float64(i + 1), Y: 100 * x})
			}
		}
		if len(xys) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		styleTask(j, line, points)
		p.Add(line, points)
	}
	return p, nil
}

// styleTask gives task j's line and points their colour, dashes and
// shape.
func styleTask(j int, line *plotter.Line, points *plotter.Scatter) {
	line.Color = plotutil.Color(j)
	line.Dashes = plotutil.Dashes(j)
	points.Color = plotutil.Color(j)
	points.Shape = plotutil.Shape(j)
}

// curvesLegend is a tile with no axes that names each task's line.
func curvesLegend(t int, taskNames []string) *plot.Plot {
	p := newPlot("")
	p.HideAxes()
	p.Legend.Top = true
	p.Legend.Left = true
	for j := 0; j < t; j++ {
		line, points, err := plotter.NewLinePoints(plotter.XYs{{X: 0, Y: 0}})
		if err != nil {
			continue // one finite point cannot fail
		}
		styleTask(j, line, points)
		name := strconv.Itoa(j + 1)
		if j < len(taskNames) && taskNames[j] != "" {
			name += " " + taskNames[j]
		}
		p.Legend.Add(name, line, points)
	}
	return p
}

// newPlot returns a plot with the given title, in sans-serif type.
func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	for _, s := range []*text.Style{
		&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle,
		&p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle,
	} {
		s.Font.Variant = "Sans"
	}
	return p
}

// integerTicks labels each whole number from lo to hi.
func integerTicks(lo, hi int) plot.ConstantTicks {
	var ticks []plot.Tick
	for i := lo; i <= hi; i++ {
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: strconv.Itoa(i)})
	}
	return ticks
}

// newCanvas makes the canvas figures are drawn on; a test may draw PNG
// instead to look at them.
var newCanvas = func(w, h vg.Length) vg.CanvasWriterTo { return vgsvg.New(w, h) }

// tile draws the plots side by side, panelColumns a row, as one SVG;
// legend, when not nil, is drawn in a strip of legendHeight below them.
func tile(w io.Writer, plots []*plot.Plot, legend *plot.Plot, legendHeight vg.Length) error {
	if len(plots) == 0 {
		return fmt.Errorf("no panels to draw")
	}
	cols := min(len(plots), panelColumns)
	rows := (len(plots) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
		for c := range grid[r] {
			if k := r*cols + c; k < len(plots) {
				grid[r][c] = plots[k]
			}
		}
	}

	c := newCanvas(vg.Length(cols)*panelWidth, vg.Length(rows)*panelHeight+legendHeight)
	dc := draw.New(c)
	top := dc
	top.Min.Y += legendHeight
	tiles := draw.Tiles{
		Rows: rows, Cols: cols,
		PadX: vg.Millimeter, PadY: vg.Millimeter,
		PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter,
		PadLeft: 2 * vg.Millimeter, PadRight: 2 * vg.Millimeter,
	}
	canvases := plot.Align(grid, tiles, top)
	for r := range grid {
		for col, p := range grid[r] {
			if p != nil {
				p.Draw(canvases[r][col])
			}
		}
	}
	if legend != nil {
		bottom := dc
		bottom.Max.Y = dc.Min.Y + legendHeight
		legend.Draw(bottom)
	}

	// Write through a buffer: the canvas writes in pieces.
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return err
	}
	_, err := w.Write(fontFallback(buf.Bytes()))
	return err
}

// fontFallback lets a viewer without the Liberation fonts (gonum/plot
// measures text with its embedded copy; the SVG only names them) fall
// back to a metrically similar sans-serif face instead of its default
// serif one.
func fontFallback(svg []byte) []byte {
	return bytes.ReplaceAll(svg, []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
}
