package strategies

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified
	"github.com/gomlx/gomlx/core/tensors"
	"gopkg.in/yaml.v3"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/internal/yamlerr"
	"github.com/clbench/clbench/tasks"
)

func init() {
	MustRegister(Info{
		Name:   "concept-graph",
		Family: Fuse,
		Summary: "a user file maps each new label to old ones; the new head's rows start " +
			"from, and are tied by a penalty to, the mean of the mapped old rows",
		Params: []Param{
			{Name: "file", Default: "none", File: true,
				Doc: "YAML file of ties, task -> label -> [task:label, ...] of earlier tasks; " +
					"none: no ties, the same as finetune"},
			{Name: "tie", Default: "1.0",
				Doc: "strength of the penalty tie/2 * ||new row - mean of mapped old rows||^2"},
		},
		New: newConceptGraph,
	})
}

// conceptGraph carries what a user knows about how a new task's labels
// relate to earlier ones into the new task's head, as the
// knowledge-graph remedies of catastrophic forgetting propose: a user-supplied file
// maps each new label to related old labels. When task k starts, the
// head row of each mapped label (its column of HeadPath(k)+"/weights"
// and its bias) is set to the mean of the mapped old rows, and while
// task k trains the loss adds
//
//	tie/2 * sum over mapped labels ||new row - mean of mapped old rows||^2
//
// against a copy of the old rows taken when the task starts (old heads
// do not train during task k, so the copy is what they are).
//
// # File format
//
// The file is YAML: a mapping from task names of the stream to
// mappings from their labels to lists of "task:label" strings naming
// labels of earlier tasks (a single string is a list of one). Labels are
// as the tasks package names them (`clbench list streams`; SST-2's and
// FDU-MTL's are "0" and "1", CoNLL tags "O", "B-person", ...). Tasks and
// labels that the file does not name get no tie; an empty mapping says
// so explicitly. For the flagship stream (strategies/testdata has this
// file):
//
//	electronics:
//	  "1": [sst2:1]   # a positive review starts from SST-2's positive
//	  "0": [sst2:0]
//	conll2003: {}     # entity tags relate to no sentiment label
//
// A task or label that the stream does not have, a tie to a task that
// is not earlier, and a value that is not task:label are errors that
// name the file and line. Without a file (file=none) there are no ties
// and the strategy is finetune.
type conceptGraph struct {
	file *conceptFile // nil: no ties
	tie  float64
	// ties[k] are task k's ties, resolved against the stream by the
	// first BeforeTask.
	ties     map[int][]headTie
	resolved bool
}

// conceptFile is a parsed ties file, before it is checked against a
// stream.
type conceptFile struct {
	path  string
	hash  string       // hex SHA-256 of the file's bytes
	tasks []conceptRef // the task names of the file, label left empty
	ties  []conceptTie
}

// conceptTie ties label of task to sources, as the file says at line.
type conceptTie struct {
	line        int
	task, label string
	sources     []conceptRef
}

// conceptRef is one task:label of a file, at line.
type conceptRef struct {
	line        int
	task, label string
}

// headTie is a tie resolved to head rows: class of the task's head,
// and the (task, class) rows of older heads it starts from.
type headTie struct {
	class   int
	sources [][2]int
}

func newConceptGraph(cfg Config) (bench.Strategy, error) {
	tie, err := cfg.Float("tie")
	if err != nil {
		return nil, err
	}
	if !(tie >= 0) {
		return nil, fmt.Errorf("tie must be at least 0, got %g", tie)
	}
	c := &conceptGraph{tie: tie}
	if path := cfg["file"]; path != "none" && path != "" {
		if c.file, err = readConceptFile(path); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *conceptGraph) Name() string { return "concept-graph" }

// CheckStream checks the ties file against the stream before a suite
// starts: a task or label it names that the stream lacks is an error
// naming the file and line.
func (c *conceptGraph) CheckStream(stream *tasks.Stream) error {
	if c.file == nil {
		return nil
	}
	_, err := c.file.resolve(stream)
	return err
}

// Config records the ties file's content hash with the run, so that a
// run with an edited file is a different run, not one already done.
func (c *conceptGraph) Config() map[string]any {
	if c.file == nil {
		return nil
	}
	return map[string]any{"file_sha256": c.file.hash}
}

// readConceptFile parses a ties file; see conceptGraph for its format.
func readConceptFile(path string) (*conceptFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, yamlerr.Plain(err))
	}
	sum := sha256.Sum256(data)
	f := &conceptFile{path: path, hash: hex.EncodeToString(sum[:])}
	if len(doc.Content) == 0 {
		return f, nil // an empty file: no ties
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, f.errorf(root.Line, "want a mapping from task names to their labels' ties")
	}
	taskLine := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, labels := root.Content[i], root.Content[i+1]
		if first, dup := taskLine[key.Value]; dup {
			return nil, f.errorf(key.Line, "task %q is listed twice (first at line %d)", key.Value, first)
		}
		taskLine[key.Value] = key.Line
		f.tasks = append(f.tasks, conceptRef{line: key.Line, task: key.Value})
		if err := f.addTask(key, labels); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// addTask reads one task's mapping from labels to their sources.
func (f *conceptFile) addTask(key, labels *yaml.Node) error {
	if labels.Kind == yaml.ScalarNode && labels.Tag == "!!null" {
		return nil // "task:" alone: no ties
	}
	if labels.Kind != yaml.MappingNode {
		return f.errorf(labels.Line, "task %q: want a mapping from its labels to task:label lists",
			key.Value)
	}
	labelLine := map[string]int{}
	for j := 0; j+1 < len(labels.Content); j += 2 {
		label, value := labels.Content[j], labels.Content[j+1]
		if first, dup := labelLine[label.Value]; dup {
			return f.errorf(label.Line, "label %q of task %q is listed twice (first at line %d)",
				label.Value, key.Value, first)
		}
		labelLine[label.Value] = label.Line
		tie := conceptTie{line: label.Line, task: key.Value, label: label.Value}
		items := []*yaml.Node{value}
		if value.Kind == yaml.SequenceNode {
			items = value.Content
		}
		for _, it := range items {
			task, lab, ok := strings.Cut(it.Value, ":")
			if it.Kind != yaml.ScalarNode || !ok || task == "" || lab == "" {
				return f.errorf(it.Line, "%q is not task:label", it.Value)
			}
			tie.sources = append(tie.sources, conceptRef{line: it.Line, task: task, label: lab})
		}
		f.ties = append(f.ties, tie)
	}
	return nil
}

func (f *conceptFile) errorf(line int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", f.path, line, fmt.Sprintf(format, args...))
}

// resolve checks the file against a stream and returns the ties of each
// task by index.
func (f *conceptFile) resolve(stream *tasks.Stream) (map[int][]headTie, error) {
	index := map[string]int{}
	var names []string
	for i, t := range stream.Tasks {
		index[t.Name] = i
		names = append(names, t.Name)
	}
	notIn := func(line int, task string) error {
		return f.errorf(line, "task %q is not in stream %s (its tasks: %s)",
			task, stream.Name, strings.Join(names, ", "))
	}
	for _, t := range f.tasks {
		if _, ok := index[t.task]; !ok {
			return nil, notIn(t.line, t.task)
		}
	}
	find := func(line int, task, label string) (int, int, error) {
		k, ok := index[task]
		if !ok {
			return 0, 0, notIn(line, task)
		}
		labels := stream.Tasks[k].Labels
		for c, l := range labels {
			if l == label {
				return k, c, nil
			}
		}
		return 0, 0, f.errorf(line, "task %q has no label %q (its labels: %s)",
			task, label, strings.Join(labels, ", "))
	}

	ties := map[int][]headTie{}
	for _, t := range f.ties {
		k, class, err := find(t.line, t.task, t.label)
		if err != nil {
			return nil, err
		}
		ht := headTie{class: class}
		for _, s := range t.sources {
			j, c, err := find(s.line, s.task, s.label)
			if err != nil {
				return nil, err
			}
			if j >= k {
				return nil, f.errorf(s.line, "%s:%s is not a label of a task before %q",
					s.task, s.label, t.task)
			}
			ht.sources = append(ht.sources, [2]int{j, c})
		}
		if len(ht.sources) > 0 {
			ties[k] = append(ties[k], ht)
		}
	}
	return ties, nil
}

// BeforeTask resolves the file (at the first task) and starts the
// task's mapped head rows from their old rows' mean.
func (c *conceptGraph) BeforeTask(s *bench.Session, task int) error {
	if c.file == nil {
		if task == 0 && s.Logger != nil {
			s.Logger.Warn("concept-graph has no ties file (file=none), so it behaves as finetune; " +
				"give one with --param concept-graph.file=FILE " +
				"(its format: clbench list strategies concept-graph)")
		}
		return nil
	}
	if !c.resolved {
		ties, err := c.file.resolve(s.Stream)
		if err != nil {
			return err
		}
		c.ties, c.resolved = ties, true
	}
	if len(c.ties[task]) == 0 {
		return nil
	}
	return c.initHead(s, task)
}

func (c *conceptGraph) AfterTask(*bench.Session, int) error { return nil }

// initHead sets each tied row of task's head to the mean of its
// sources (summed in float64, then rounded to float32) and stores the
// same means, and which rows are tied, as the buffers the penalty reads.
func (c *conceptGraph) initHead(s *bench.Session, task int) error {
	read := func(path string) ([]float32, error) {
		t, err := s.Model.Param(path).Value()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		return tensors.MustCopyFlatData[float32](t), nil
	}
	width := s.Model.Config.Width
	classes := s.Model.Heads[task].Classes
	w, err := read(conceptHeadParam(task, "weights"))
	if err != nil {
		return err
	}
	b, err := read(conceptHeadParam(task, "bias"))
	if err != nil {
		return err
	}
	targetW := make([]float32, len(w))
	targetB := make([]float32, len(b))
	tied := make([]float32, classes)
	for _, ht := range c.ties[task] {
		sumW := make([]float64, width)
		var sumB float64
		for _, src := range ht.sources {
			j, col := src[0], src[1]
			ow, err := read(conceptHeadParam(j, "weights"))
			if err != nil {
				return err
			}
			ob, err := read(conceptHeadParam(j, "bias"))
			if err != nil {
				return err
			}
			cj := s.Model.Heads[j].Classes
			for r := 0; r < width; r++ {
				sumW[r] += float64(ow[r*cj+col])
			}
			sumB += float64(ob[col])
		}
		n := float64(len(ht.sources))
		for r := 0; r < width; r++ {
			w[r*classes+ht.class] = float32(sumW[r] / n)
			targetW[r*classes+ht.class] = w[r*classes+ht.class]
		}
		b[ht.class] = float32(sumB / n)
		targetB[ht.class] = b[ht.class]
		tied[ht.class] = 1
	}

	if err := s.Model.Param(conceptHeadParam(task, "weights")).SetValue(
		tensors.FromFlatDataAndDimensions(w, width, classes)); err != nil {
		return err
	}
	if err := s.Model.Param(conceptHeadParam(task, "bias")).SetValue(
		tensors.FromFlatDataAndDimensions(b, classes)); err != nil {
		return err
	}
	for name, t := range map[string]*tensors.Tensor{
		"weights": tensors.FromFlatDataAndDimensions(targetW, width, classes),
		"bias":    tensors.FromFlatDataAndDimensions(targetB, classes),
		"tied":    tensors.FromFlatDataAndDimensions(tied, classes),
	} {
		if err := s.SetBuffer(conceptBuffer(task, name), t); err != nil {
			return err
		}
	}
	return nil
}

// conceptHeadParam is the path of a head parameter ("weights" or "bias").
func conceptHeadParam(task int, name string) string { return bench.HeadPath(task) + "/" + name }

// conceptBuffer is the path of a buffer of task's ties.
func conceptBuffer(task int, name string) string {
	return fmt.Sprintf("/concept-graph/task%d/%s", task, name)
}

// ExtraLoss adds the tie penalty of the task's head.
func (c *conceptGraph) ExtraLoss(st *bench.Step) *Node {
	if c.tie == 0 || len(c.ties[st.Task]) == 0 {
		return nil
	}
	return tiePenalty(
		st.Value(conceptHeadParam(st.Task, "weights")), st.Value(conceptHeadParam(st.Task, "bias")),
		st.Value(conceptBuffer(st.Task, "weights")), st.Value(conceptBuffer(st.Task, "bias")),
		st.Value(conceptBuffer(st.Task, "tied")), c.tie)
}

// tiePenalty is tie/2 * sum over classes c with tied[c] = 1 of
// ||w[:, c] - targetW[:, c]||^2 + (b[c] - targetB[c])^2, for head
// weights w [width, classes] and bias b [classes].
func tiePenalty(w, b, targetW, targetB, tied *Node, tie float64) *Node {
	perClass := Add(ReduceSum(Square(Sub(w, targetW)), 0), Square(Sub(b, targetB)))
	return MulScalar(ReduceAllSum(Mul(perClass, tied)), tie/2)
}

// CheckModel refuses the mlp: the strategy works on Transformer blocks.
func (*conceptGraph) CheckModel(cfg bench.ModelConfig) error {
	return bench.NeedsTransformer("concept-graph", cfg)
}
