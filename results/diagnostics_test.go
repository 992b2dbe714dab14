package results

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestSpearman(t *testing.T) {
	// Worked by hand: reversed order is -1; with a tie, x ranks (1.5,
	// 1.5, 3) against y's (1, 2, 3): deviations (-.5, -.5, 1) and (-1,
	// 0, 1), covariance 1.5, variances 1.5 and 2, rho = 1.5/sqrt(3).
	tests := []struct {
		x, y []float64
		want float64
		ok   bool
	}{
		{[]float64{1, 2, 3}, []float64{3, 2, 1}, -1, true},
		{[]float64{10, 20, 30, 40}, []float64{1, 4, 9, 16}, 1, true}, // monotone, not linear
		{[]float64{1, 1, 2}, []float64{1, 2, 3}, 1.5 / math.Sqrt(3), true},
		{[]float64{1, 2}, []float64{2, 1}, 0, false}, // too few
	}
	for _, tt := range tests {
		got := Spearman(tt.x, tt.y)
		if got.Defined != tt.ok || (tt.ok && math.Abs(got.X-tt.want) > 1e-12) {
			t.Errorf("Spearman(%v, %v) = %v, want %v (defined %v)", tt.x, tt.y, got, tt.want, tt.ok)
		}
	}
}

func TestDiagnosticsSummary(t *testing.T) {
	// The two-task run of diagnosticsOf: after task 2 about task 1, KL
	// 0.5, CKA 0.75, distance 0.125, inactive undefined; key-token mass
	// 0.8 at the end of task 1 and 0.2 after task 2 (drop 0.6); general
	// text 0.5 untrained and 0.25 after task 2 (drop 0.25).
	set, _ := readWithDiagnostics(t)
	des := Diagnostics(set, Leaderboard(set))
	if len(des) != 1 {
		t.Fatalf("%d entries with diagnostics, want 1", len(des))
	}
	d := des[0]
	for name, c := range map[string]struct{ got, want float64 }{
		"attention KL": {d.AttentionKL.Mean, 0.5}, "CKA": {d.CKA.Mean, 0.75},
		"distance": {d.Distance.Mean, 0.125}, "mass at end": {d.KeyMassEnd.Mean, 0.8},
		"mass after": {d.KeyMassLast.Mean, 0.2}, "mass drop": {d.KeyMassDrop.Mean, 0.6},
		"general drop": {d.GeneralDrop.Mean, 0.25},
	} {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", name, c.got, c.want)
		}
	}
	if d.Inactive.HasMean() {
		t.Errorf("inactive units %v, want undefined (no unit responded before)", d.Inactive)
	}
	var buf bytes.Buffer
	if err := RenderDiagnostics(&buf, des, true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| sentiment-ner-domain@1 | finetune | 1 | 40.0 | 0.5 | 0.8 → 0.2 | 0.75 | 0.125 | n/a | 25.0 |",
		"attention KL: rho = n/a (needs 3 strategies with both values, not all tied) over 1 strategies"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("rendering has no %q:\n%s", want, buf.String())
		}
	}
}

func TestReportShowsDiagnostics(t *testing.T) {
	// A results set with one run's diagnostics: the report has the
	// section, its table row and a figure of forgetting against the
	// diagnostics, linked from the page; without diagnostics, none.
	dir := writeFixtures(t)
	run, _ := runOf(fixtures[0])
	if err := WriteDiagnostics(dir, run.RunID, diagnosticsOf(run.RunID)); err != nil {
		t.Fatal(err)
	}
	set, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := BuildReport(set, ReportOptions{Path: "LEADERBOARD.md", ImageDir: "img"})
	if err != nil {
		t.Fatal(err)
	}
	md := string(rep.Markdown)
	const fig = "sentiment-ner-domain-1-full-diagnostics.svg"
	if !strings.Contains(md, "## Why tasks were forgotten") || !strings.Contains(md, "](img/"+fig+")") {
		t.Errorf("the report has no diagnostics section linking %s", fig)
	}
	if svg := rep.Figures[fig]; !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("finetune")) {
		t.Errorf("figure %s is not an SVG naming finetune", fig)
	}

	plain, err := Read(writeFixtures(t))
	if err != nil {
		t.Fatal(err)
	}
	rep, err = BuildReport(plain, ReportOptions{Path: "LEADERBOARD.md", ImageDir: "img"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(rep.Markdown), "Why tasks were forgotten") {
		t.Errorf("a report without diagnostics has their section")
	}
}
