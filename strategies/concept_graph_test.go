package strategies

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/internal/toy"
	"github.com/clbench/clbench/tasks"
)

// writeTies writes a ties file in a temporary folder.
func writeTies(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ties.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConceptGraphTiePenaltyByHand(t *testing.T) {
	backend, _, err := bench.NewBackend("")
	if err != nil {
		t.Fatal(err)
	}
	// Head of width 2, 3 classes; classes 0 and 2 tied.
	// Class 0: w[:,0] = (1, 3), target (0, 3), b 1 vs 0: 1 + 0 + 1 = 2.
	// Class 1: untied, its distance (|2-5|^2 + |4-0|^2 + 1) ignored.
	// Class 2: w[:,2] = (0.5, -1), target (0.5, 1), b 2 vs 0: 0 + 4 + 4 = 8.
	// Penalty = tie/2 * (2 + 8) = 3/2 * 10 = 15.
	w := tensors.FromFlatDataAndDimensions([]float32{1, 2, 0.5, 3, 4, -1}, 2, 3)
	b := tensors.FromFlatDataAndDimensions([]float32{1, 1, 2}, 3)
	tw := tensors.FromFlatDataAndDimensions([]float32{0, 5, 0.5, 3, 0, 1}, 2, 3)
	tb := tensors.FromFlatDataAndDimensions([]float32{0, 0, 0}, 3)
	tied := tensors.FromFlatDataAndDimensions([]float32{1, 0, 1}, 3)
	out, err := ExecOnceN(backend, func(in []*Node) []*Node {
		return []*Node{tiePenalty(in[0], in[1], in[2], in[3], in[4], 3)}
	}, w, b, tw, tb, tied)
	if err != nil {
		t.Fatal(err)
	}
	if got := tensors.MustCopyFlatData[float32](out[0])[0]; got != 15 {
		t.Errorf("penalty = %g, want 15", got)
	}
}

// headProbe records, when task 2 of the toy stream starts, the old
// heads and the new head as concept-graph left it, and when it ends,
// how far the tied row has moved from its start.
type headProbe struct {
	*conceptGraph
	t     *testing.T
	moved float64
	start []float32 // head 2's weights after BeforeTask(2)
}

func headValues(t *testing.T, s *bench.Session, task int, name string) []float32 {
	t.Helper()
	v, err := s.Model.Param(conceptHeadParam(task, name)).Value()
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[float32](v)
}

func (p *headProbe) BeforeTask(s *bench.Session, task int) error {
	if task != 2 {
		return p.conceptGraph.BeforeTask(s, task)
	}
	before := headValues(p.t, s, 2, "weights")
	if err := p.conceptGraph.BeforeTask(s, task); err != nil {
		return err
	}
	w0, b0 := headValues(p.t, s, 0, "weights"), headValues(p.t, s, 0, "bias")
	w1, b1 := headValues(p.t, s, 1, "weights"), headValues(p.t, s, 1, "bias")
	w2, b2 := headValues(p.t, s, 2, "weights"), headValues(p.t, s, 2, "bias")
	// The file: awful "yes" (class 1) <- splendid "yes" (class 1 of 2)
	// and names "B-person" (class 1 of 3); awful "no" untouched.
	for r := 0; r < s.Model.Config.Width; r++ {
		want := float32((float64(w0[r*2+1]) + float64(w1[r*3+1])) / 2)
		if math.Float32bits(w2[r*2+1]) != math.Float32bits(want) {
			p.t.Errorf("row %d of the yes column: %g, want the mean %g", r, w2[r*2+1], want)
		}
		if math.Float32bits(w2[r*2]) != math.Float32bits(before[r*2]) {
			p.t.Errorf("row %d of the untied no column changed", r)
		}
	}
	if want := float32((float64(b0[1]) + float64(b1[1])) / 2); b2[1] != want {
		p.t.Errorf("bias of yes = %g, want the mean %g", b2[1], want)
	}
	p.start = w2
	return nil
}

func (p *headProbe) AfterTask(s *bench.Session, task int) error {
	if task == 2 {
		w := headValues(p.t, s, 2, "weights")
		for r := 0; r < s.Model.Config.Width; r++ {
			d := float64(w[r*2+1] - p.start[r*2+1])
			p.moved += d * d
		}
	}
	return p.conceptGraph.AfterTask(s, task)
}

// The new head's tied row starts bit for bit at the mean of the mapped
// old rows, whatever the tie; with a strong tie it then moves less
// during training than with none.
func TestConceptGraphHeadStartsAtMeanAndStaysTied(t *testing.T) {
	path := writeTies(t, "awful:\n  yes: [splendid:yes, names:B-person]\n")
	moved := map[string]float64{}
	for _, tie := range []string{"0", "100"} {
		s, _, err := Default.New("concept-graph", map[string]string{"file": path, "tie": tie})
		if err != nil {
			t.Fatal(err)
		}
		probe := &headProbe{conceptGraph: s.(*conceptGraph), t: t}
		runWith(t, probe, 1)
		if probe.start == nil {
			t.Fatalf("tie %s: task 2 never started", tie)
		}
		moved[tie] = probe.moved
	}
	t.Logf("squared distance moved by the tied row: %v", moved)
	if !(moved["100"] < moved["0"]/4) {
		t.Errorf("tied row moved %g with tie 100 and %g with tie 0; want far less with the tie",
			moved["100"], moved["0"])
	}
}

// Every kind of bad file is an error that names the file and the line.
func TestConceptGraphBadFile(t *testing.T) {
	cases := []struct {
		name, text string
		line       int
		want       string
	}{
		{"unknown task", "awful:\n  yes: [splendid:yes]\nterrible:\n  no: [splendid:no]\n", 3,
			"not in stream"},
		{"unknown task without ties", "awful: {}\nconll2003: {}\n", 2,
			`task "conll2003" is not in stream`},
		{"unknown label", "awful:\n  maybe: [splendid:yes]\n", 2, `no label "maybe"`},
		{"unknown source task", "awful:\n  yes:\n    - splendid:yes\n    - nice:yes\n", 4, `task "nice"`},
		{"unknown source label", "awful:\n  yes: [names:B-place]\n", 2, `no label "B-place"`},
		{"later source", "names:\n  B-person: [awful:yes]\n", 2, "not a label of a task before"},
		{"own task", "awful:\n  yes: [awful:no]\n", 2, "not a label of a task before"},
		{"not task:label", "awful:\n  yes: [splendid]\n", 2, "is not task:label"},
		{"labels not a mapping", "awful: [splendid:yes]\n", 1, "want a mapping"},
		{"task twice", "awful:\n  yes: [splendid:yes]\nawful:\n  no: [splendid:no]\n", 3, "listed twice"},
		{"yaml syntax", "awful:\n  yes: [splendid:yes\n  no: x\n", 0, "yaml"},
	}
	stream := toy.Stream(8)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeTies(t, c.text)
			f, err := readConceptFile(path)
			if err == nil {
				_, err = f.resolve(stream)
			}
			if err == nil {
				t.Fatal("no error")
			}
			at := path + ":"
			if c.line > 0 {
				at = fmt.Sprintf("%s:%d:", path, c.line)
			}
			if !strings.HasPrefix(err.Error(), at) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to start %q and say %q", err, at, c.want)
			}
			if c.line == 0 && !strings.Contains(err.Error(), "line ") {
				t.Errorf("error %q does not give the line", err)
			}
		})
	}
}

// The example file for the flagship stream resolves against its tasks
// and labels (as `tasks` loads them from the real data: SST-2 and
// electronics label "0" and "1"; CoNLL tags O and B-/I- of four types).
func TestConceptGraphFlagshipExample(t *testing.T) {
	f, err := readConceptFile("testdata/concept-graph-sentiment-ner-domain.yaml")
	if err != nil {
		t.Fatal(err)
	}
	conll := []string{"O", "B-location", "B-misc", "B-organisation", "B-person",
		"I-location", "I-misc", "I-organisation", "I-person"}
	stream := &tasks.Stream{Name: "sentiment-ner-domain", Tasks: []*tasks.Task{
		{Name: "sst2", Kind: tasks.Classify, Labels: []string{"0", "1"}},
		{Name: "conll2003", Kind: tasks.Tag, Labels: conll},
		{Name: "electronics", Kind: tasks.Classify, Labels: []string{"0", "1"}},
	}}
	ties, err := f.resolve(stream)
	if err != nil {
		t.Fatal(err)
	}
	if len(ties[0]) != 0 || len(ties[1]) != 0 {
		t.Errorf("sst2 and conll2003 have ties %v, %v; want none", ties[0], ties[1])
	}
	got := map[int][2]int{}
	for _, ht := range ties[2] {
		if len(ht.sources) != 1 {
			t.Fatalf("electronics class %d has sources %v, want one", ht.class, ht.sources)
		}
		got[ht.class] = ht.sources[0]
	}
	want := map[int][2]int{0: {0, 0}, 1: {0, 1}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("electronics ties %v, want class c <- (sst2, c): %v", got, want)
	}
}

// Without a file there is nothing to tie: the run is finetune's, bit
// for bit.
func TestConceptGraphWithoutFileIsFinetune(t *testing.T) {
	cg := runStrategy(t, "concept-graph", nil, 1)
	if ft := finetuneRun(t); !sameMatrix(cg, ft) {
		t.Errorf("concept-graph without a file: R = %v, finetune R = %v", cg.R, ft.R)
	}
}
