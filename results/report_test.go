package results

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// reportOptions are the options of the golden report.
var reportOptions = ReportOptions{
	Path: "LEADERBOARD.md", ImageDir: "leaderboard/img",
	Command:   "clbench leaderboard --report LEADERBOARD.md leaderboard/results",
	Generator: "clbench test",
}

func TestBuildReport(t *testing.T) {
	s, err := Read(writeAllFixtures(t))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := BuildReport(s, reportOptions)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "LEADERBOARD.md.golden", rep.Markdown)

	// One heat map and one curves figure per stream, version and shots,
	// each linked from the Markdown.
	var names []string
	for n := range rep.Figures {
		names = append(names, n)
	}
	slices.Sort(names)
	want := []string{
		"amazon-domains-1-64shots-curves.svg", "amazon-domains-1-64shots-matrix.svg",
		"sentiment-ner-domain-1-64shots-curves.svg", "sentiment-ner-domain-1-64shots-matrix.svg",
		"sentiment-ner-domain-1-full-curves.svg", "sentiment-ner-domain-1-full-matrix.svg",
	}
	if !slices.Equal(names, want) {
		t.Fatalf("figures %v, want %v", names, want)
	}
	for _, n := range names {
		if !bytes.Contains(rep.Markdown, []byte("](leaderboard/img/"+n+")")) {
			t.Errorf("the report does not link %s", n)
		}
		checkSVG(t, n, rep.Figures[n])
	}

	// The heat map of the full stream labels finetune's mean R[2][1]:
	// (0.5 + 0.6 + 0.7) / 3 = 0.6, printed as 60.
	m := rep.Figures["sentiment-ner-domain-1-full-matrix.svg"]
	if !bytes.Contains(m, []byte(">60</text>")) {
		t.Error("the full stream's heat map has no cell labelled 60")
	}
}

// With a baseline, each board's table is followed by the comparison
// with it, or by a line saying the board has none.
func TestReportAgainstBaseline(t *testing.T) {
	s, err := Read(writeAllFixtures(t))
	if err != nil {
		t.Fatal(err)
	}
	o := reportOptions
	o.Baseline = "finetune"
	rep, err := BuildReport(s, o)
	if err != nil {
		t.Fatal(err)
	}
	md := string(rep.Markdown)
	_, full, _ := strings.Cut(md, "## sentiment-ner-domain@1, full stream")
	full, _, _ = strings.Cut(full, "\n## ")
	_, against, ok := strings.Cut(full, "Against `finetune`")
	// ewc's forgetting, 0.15 and 0.05 (see the fixtures), against
	// finetune's 0.4, 0.3, 0.2: -20 points, untested with two seeds.
	if !ok || !strings.Contains(against, "| ewc ") || !strings.Contains(against, "~ (-)") {
		t.Errorf("full stream: no comparison of ewc with finetune in:\n%s", full)
	}
	_, amazon, _ := strings.Cut(md, "## amazon-domains@1, 64 shots")
	amazon, _, _ = strings.Cut(amazon, "\n## ")
	if !strings.Contains(amazon, "No other strategy is compared with `finetune`") {
		t.Errorf("amazon-domains: no line saying nothing is compared in:\n%s", amazon)
	}
}

// The same results give the same bytes, figures included.
func TestReportIsDeterministic(t *testing.T) {
	s, err := Read(writeAllFixtures(t))
	if err != nil {
		t.Fatal(err)
	}
	a, err := BuildReport(s, reportOptions)
	if err != nil {
		t.Fatal(err)
	}
	b, err := BuildReport(s, reportOptions)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Markdown, b.Markdown) {
		t.Error("two renders of the Markdown differ")
	}
	for n, fig := range a.Figures {
		if !bytes.Equal(fig, b.Figures[n]) {
			t.Errorf("two renders of %s differ", n)
		}
	}
}

// checkSVG checks that fig is well-formed XML with an svg root, and
// refers to no font file or address (fonts are named only).
func checkSVG(t *testing.T, name string, fig []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(fig))
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("%s: not well-formed XML: %v", name, err)
			return
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("%s: root element %q, want svg", name, root)
	}
	if bytes.Contains(fig, []byte("@font-face")) || bytes.Contains(fig, []byte("url(")) {
		t.Errorf("%s: embeds or fetches a font", name)
	}
}

func TestMeanMatrix(t *testing.T) {
	s, err := Read(writeFixtures(t))
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{snd + "-finetune-1", snd + "-finetune-2", snd + "-finetune-3"}
	r, b, err := s.MeanMatrix(ids)
	if err != nil {
		t.Fatal(err)
	}
	// By hand from the fixtures: R[0][0] = 0.9 in every seed; R[1][0] =
	// (0.5+0.6+0.7)/3 = 0.6; R[1][1] = (0.7+0.8+0.9)/3 = 0.8; R[0][1] is
	// never measured; the untrained row is 0.5 everywhere.
	want := [][]float64{{0.9, math.NaN()}, {0.6, 0.8}}
	for i := range want {
		for j, w := range want[i] {
			g := r[i][j]
			if math.IsNaN(w) != math.IsNaN(g) || (!math.IsNaN(w) && math.Abs(g-w) > 1e-12) {
				t.Errorf("R[%d][%d] = %v, want %v", i, j, g, w)
			}
		}
	}
	if len(b) != 2 || b[0] != 0.5 || b[1] != 0.5 {
		t.Errorf("untrained %v, want [0.5 0.5]", b)
	}
	mixed := []string{snd + "-finetune-1", "amazon-domains-finetune-1-64"}
	if _, _, err := s.MeanMatrix(mixed); err == nil {
		t.Error("runs with 2 and 1 tasks: no error")
	}
}

func TestWriteReport(t *testing.T) {
	s, err := Read(writeAllFixtures(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	img := filepath.Join(dir, "leaderboard", "img")
	o := reportOptions
	o.Path, o.ImageDir = filepath.Join(dir, "LEADERBOARD.md"), img

	// A figure of an earlier report that this one does not make, and a
	// file that is not a figure.
	if err := os.MkdirAll(img, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"gone-1-full-matrix.svg", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(img, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteReport(s, o); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(o.Path)
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := BuildReport(s, o)
	if !bytes.Equal(md, rep.Markdown) {
		t.Error("the written Markdown is not the built one")
	}
	entries, _ := os.ReadDir(img)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if slices.Contains(names, "gone-1-full-matrix.svg") || !slices.Contains(names, "notes.txt") {
		t.Errorf("image folder holds %v: want the stale figure gone and notes.txt kept", names)
	}
	if len(names) != len(rep.Figures)+1 {
		t.Errorf("image folder holds %d files, want %d figures and notes.txt", len(names),
			len(rep.Figures))
	}
	for _, n := range names {
		if strings.HasPrefix(n, ".") {
			t.Errorf("temporary file %s left behind", n)
		}
	}
}

// A board whose runs all record their task sizes prints them beside the
// tasks; when one run does not (written before sizes were recorded),
// the line names the tasks alone rather than guess.
func TestReportPrintsTaskSizes(t *testing.T) {
	build := func(sizes ...string) string {
		t.Helper()
		dir := t.TempDir()
		for i, f := range fixtures[:3] { // finetune, seeds 1-3
			run, cells := runOf(f)
			run.TaskNames, run.TaskSizes = "sst2,conll2003", sizes[i]
			if err := WriteRun(dir, run, cells); err != nil {
				t.Fatal(err)
			}
		}
		s, err := Read(dir)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := BuildReport(s, reportOptions)
		if err != nil {
			t.Fatal(err)
		}
		return string(rep.Markdown)
	}
	all := build("1000/500,800/400", "1000/500,800/400", "1000/500,800/400")
	if want := "Tasks in order (training / test examples): 1 sst2 (1000/500) → 2 conll2003 (800/400)."; !strings.Contains(all, want) {
		t.Errorf("report lacks %q", want)
	}
	oneOld := build("1000/500,800/400", "", "1000/500,800/400")
	if want := "Tasks in order: 1 sst2 → 2 conll2003."; !strings.Contains(oneOld, want) {
		t.Errorf("with a run that records no sizes, report lacks %q", want)
	}
}
