package bench

// This file measures why a run forgot (RunSpec.Diagnostics): after
// every task, each earlier task's probe examples go through the model
// once more, and what the pass records is set against the same pass at
// the end of that task.

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/clbench/clbench/metrics"
	"github.com/clbench/clbench/tasks"
)

// The diagnostics' fixed choices.
const (
	// ProbeSize is how many test examples of each task make its probe
	// set: drawn once per run (the generator "probe/task<j>" of the
	// seed), the same for every strategy.
	ProbeSize = 64
	// KeyTokensPerLabel, KeyTokensMinCount and KeyTokensMinZ choose a
	// task's key tokens: tasks.KeyTokensAbove over its training split
	// (at most 20 words per label, each seen 5 times, in a classify
	// task more frequent in its label at the 5% level), the union over
	// its labels. A tag task's key tokens are its entities' words.
	KeyTokensPerLabel = 20
	KeyTokensMinCount = 5
	KeyTokensMinZ     = 1.96
	// klSmoothing mixes a uniform share into attention rows before
	// their KL divergence: a float32 softmax can round a weight to 0,
	// which would make the divergence infinite.
	klSmoothing = 1e-9
)

// The diagnostics' names (Diagnostic.Name).
const (
	// DiagParamDistance and DiagParamDistanceRel are ||theta_i -
	// theta_j||_2 and that over ||theta_j||_2 (metrics.ParamDistance),
	// per parameter group (ParamGroup) and "all", over the parameters
	// that existed at the end of task j, other tasks' heads left out.
	DiagParamDistance    = "param_distance"
	DiagParamDistanceRel = "param_distance_rel"
	// DiagAttentionKL is the mean KL divergence of each query's
	// attention over the real keys after task i from the same at the
	// end of task j (metrics.MeanKL), per block and head ("block0/head1")
	// and "all" (the mean over blocks and heads).
	DiagAttentionKL = "attention_kl"
	// DiagKeyMass is the share of attention on task j's key tokens
	// (metrics.MassOn over queries), measured after every task i >= j,
	// per block and head and "all".
	DiagKeyMass = "key_token_mass"
	// DiagCKA is the linear CKA between the encoder's pooled outputs
	// after task i and at the end of task j (metrics.LinearCKA).
	DiagCKA = "cka"
	// DiagInactive is the share of feed-forward units that responded on
	// some probe example at the end of task j and respond on none after
	// task i (metrics.InactiveShare; a unit responds when its ReLU
	// output is above 0), per layer ("layer0") and "all".
	DiagInactive = "inactive_units"
	// DiagGeneral is, for a run from a pre-trained base, the
	// masked-token accuracy on the base's held-out text (Task 0) before
	// any training (AfterTask 0) and after every task: the general
	// knowledge the run keeps. It is measured whether or not the other
	// diagnostics are.
	DiagGeneral = "general_masked_accuracy"
)

// Diagnostic is one number of a run's diagnostics: after training task
// AfterTask, about task Task (both 1-based), Name for Group. Value is
// undefined where the quantity is (for example the key-token mass of a
// task without words).
type Diagnostic struct {
	AfterTask int
	Task      int
	Name      string
	Group     string
	Value     metrics.Value
}

// probePass is what one pass over a task's probe set recorded.
type probePass struct {
	pooled [][]float64 // [examples][width]
	// attention[b][h] holds, for block b and head h, one row per real
	// query of every example: its weights over the real keys.
	attention [][][][]float64
	// keys[b][h] marks, row for row, which of those keys are key tokens.
	keys [][][][]bool
	// hidden[l] is each example's largest ReLU output of every unit of
	// feed-forward layer l over its real positions: [examples][units].
	hidden [][][]float64
}

// taskEnd is what the diagnostics keep of the end of a task.
type taskEnd struct {
	pass   *probePass
	params map[string][]float32
}

// diagnoser measures a run's diagnostics.
type diagnoser struct {
	s      *Session
	probes [][]int           // per task, the probe's test examples
	keys   []map[string]bool // per task, its key tokens (lower case)
	ends   map[int]*taskEnd  // per task trained and measured
}

func newDiagnoser(s *Session) *diagnoser {
	d := &diagnoser{s: s, ends: map[int]*taskEnd{}}
	for j, t := range s.Stream.Tasks {
		n := s.Size(j, TestSplit)
		perm := s.Rand(fmt.Sprintf("probe/task%d", j)).Perm(n)
		probe := perm[:min(ProbeSize, n)]
		slices.Sort(probe)
		d.probes = append(d.probes, probe)
		words := map[string]bool{}
		for _, ws := range tasks.KeyTokensAbove(t, KeyTokensPerLabel, KeyTokensMinCount, KeyTokensMinZ) {
			for _, w := range ws {
				words[strings.ToLower(w)] = true
			}
		}
		d.keys = append(d.keys, words)
	}
	return d
}

// afterTask measures the diagnostics after training task k (0-based):
// task k's key-token mass, and for every earlier task j whose end was
// measured, the drift from that end. It then keeps task k's end.
func (d *diagnoser) afterTask(k int) ([]Diagnostic, error) {
	var out []Diagnostic
	add := func(j int, name, group string, v metrics.Value) {
		out = append(out, Diagnostic{AfterTask: k + 1, Task: j + 1, Name: name, Group: group, Value: v})
	}
	params, err := d.params()
	if err != nil {
		return nil, err
	}
	for j := 0; j <= k; j++ {
		end, measured := d.ends[j]
		if j < k && !measured {
			continue // a task whose end no row measured (joint's early tasks)
		}
		now, err := d.probe(j)
		if err != nil {
			return nil, fmt.Errorf("diagnostics of task %d: %w", j+1, err)
		}
		if err := d.keyMass(now, func(group string, v metrics.Value) { add(j, DiagKeyMass, group, v) }); err != nil {
			return nil, fmt.Errorf("diagnostics of task %d: %w", j+1, err)
		}
		if j == k {
			d.ends[k] = &taskEnd{pass: now, params: params}
			continue
		}
		if err := drift(end, now, d.usedBy(j, params), func(name, group string, v metrics.Value) { add(j, name, group, v) }); err != nil {
			return nil, fmt.Errorf("diagnostics of task %d after task %d: %w", j+1, k+1, err)
		}
	}
	return out, nil
}

// usedBy leaves out of params the heads of tasks other than j: task j
// never reads them, and they train with their own tasks.
func (d *diagnoser) usedBy(j int, params map[string][]float32) map[string][]float32 {
	own := d.s.Model.HeadScope(j) + "/"
	out := map[string][]float32{}
	for path, v := range params {
		if ParamGroup(path) == "head" && !strings.HasPrefix(path, own) {
			continue
		}
		out[path] = v
	}
	return out
}

// params copies every model parameter.
func (d *diagnoser) params() (map[string][]float32, error) {
	out := map[string][]float32{}
	for _, v := range d.s.Model.Params() {
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", v.Path(), err)
		}
		out[v.Path()] = tensors.MustCopyFlatData[float32](t)
	}
	return out, nil
}

// probe runs task j's probe examples through the model as evaluation
// does (task j's head and the strategy's modules for task j) and
// records the pass.
func (d *diagnoser) probe(j int) (*probePass, error) {
	s := d.s
	b := Batch{Task: j, Split: TestSplit, Examples: d.probes[j]}
	tok, lab := s.BatchTensors(b, len(b.Examples))
	lab.FinalizeAll()
	var blocks, layers int
	exec, err := model.NewExec(s.Backend, s.Model.Store(),
		func(_ *model.Scope, tokens *Node) []*Node {
			rec := &Record{}
			f := &Forward{G: tokens.Graph(), Model: s.Model, Task: j, Strategy: s.strategy, Record: rec}
			h, mask := f.Encode(tokens)
			outs := []*Node{f.Pool(h, mask)}
			blocks, layers = len(rec.Attention), len(rec.Hidden)
			outs = append(outs, rec.Attention...)
			return append(outs, rec.Hidden...)
		})
	if err != nil {
		return nil, err
	}
	defer exec.Finalize()
	res, err := exec.Call(tok)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, t := range res {
			t.FinalizeAll()
		}
	}()

	split := s.split(j, TestSplit)
	lengths := make([]int, len(b.Examples)) // real tokens, CLS included
	for r, i := range b.Examples {
		lengths[r] = len(split.ids[i])
	}
	if split.pixels != nil {
		lengths = nil
	}
	p := &probePass{pooled: rows2(res[0])}
	for _, t := range res[1 : 1+blocks] {
		w, keys := d.attentionRows(t, j, b.Examples, lengths)
		p.attention = append(p.attention, w)
		p.keys = append(p.keys, keys)
	}
	for _, t := range res[1+blocks : 1+blocks+layers] {
		p.hidden = append(p.hidden, unitMaxima(t, lengths))
	}
	return p, nil
}

// rows2 reads a [rows, width] tensor as float64 rows.
func rows2(t *tensors.Tensor) [][]float64 {
	dims := t.Shape().Dimensions
	flat := tensors.MustCopyFlatData[float32](t)
	out := make([][]float64, dims[0])
	for r := range out {
		out[r] = make([]float64, dims[1])
		for c := range out[r] {
			out[r][c] = float64(flat[r*dims[1]+c])
		}
	}
	return out
}

// attentionRows splits a block's weights [examples, heads, queries,
// keys] into rows per head: one per real query, over the real keys (a
// prefix's positions, which come first, and the example's tokens),
// with the key tokens of task j marked.
func (d *diagnoser) attentionRows(t *tensors.Tensor, j int, examples, lengths []int) ([][][]float64, [][][]bool) {
	dims := t.Shape().Dimensions
	n, heads, queries, keys := dims[0], dims[1], dims[2], dims[3]
	prefix := keys - queries
	flat := tensors.MustCopyFlatData[float32](t)
	words := d.s.Stream.Tasks[j].Test
	w := make([][][]float64, heads)
	marks := make([][][]bool, heads)
	for e := 0; e < n; e++ {
		length := lengths[e]
		isKey := make([]bool, prefix+length)
		ws := words[examples[e]].Words
		for pos := 1; pos < length; pos++ { // position 0 is the CLS token
			isKey[prefix+pos] = pos-1 < len(ws) && d.keys[j][strings.ToLower(ws[pos-1])]
		}
		for h := 0; h < heads; h++ {
			for q := 0; q < length; q++ {
				base := ((e*heads+h)*queries + q) * keys
				row := make([]float64, prefix+length)
				for k := range row {
					row[k] = float64(flat[base+k])
				}
				w[h] = append(w[h], row)
				marks[h] = append(marks[h], isKey)
			}
		}
	}
	return w, marks
}

// unitMaxima reduces a feed-forward layer's ReLU outputs to each
// example's largest output per unit over its real positions ([examples,
// length, units] with lengths, or [examples, units] as they are).
func unitMaxima(t *tensors.Tensor, lengths []int) [][]float64 {
	dims := t.Shape().Dimensions
	if len(dims) == 2 {
		return rows2(t)
	}
	n, length, units := dims[0], dims[1], dims[2]
	flat := tensors.MustCopyFlatData[float32](t)
	out := make([][]float64, n)
	for e := range out {
		out[e] = make([]float64, units)
		for pos := 0; pos < min(lengths[e], length); pos++ {
			for u := 0; u < units; u++ {
				out[e][u] = math.Max(out[e][u], float64(flat[(e*length+pos)*units+u]))
			}
		}
	}
	return out
}

// keyMass reports the share of attention on key tokens per block and
// head, and over all of them.
func (d *diagnoser) keyMass(p *probePass, add func(group string, v metrics.Value)) error {
	if len(p.attention) == 0 {
		return nil // the mlp has no attention
	}
	var all [][]float64
	var allKeys [][]bool
	for b := range p.attention {
		for h := range p.attention[b] {
			v, err := metrics.MassOn(p.attention[b][h], p.keys[b][h])
			if err != nil {
				return err
			}
			add(headGroup(b, h), v)
			all = append(all, p.attention[b][h]...)
			allKeys = append(allKeys, p.keys[b][h]...)
		}
	}
	v, err := metrics.MassOn(all, allKeys)
	if err != nil {
		return err
	}
	add("all", v)
	return nil
}

func headGroup(block, head int) string { return fmt.Sprintf("block%d/head%d", block, head) }

// drift sets the probe pass now against the end of its task, and the
// parameters now against theirs then.
func drift(end *taskEnd, now *probePass, params map[string][]float32,
	add func(name, group string, v metrics.Value)) error {
	// Parameters, per group, over those that existed at the end.
	groups := map[string][2][]float32{}
	for _, path := range slices.Sorted(maps.Keys(end.params)) {
		before, after := end.params[path], params[path]
		if len(after) != len(before) {
			continue
		}
		for _, g := range []string{ParamGroup(path), "all"} {
			pair := groups[g]
			groups[g] = [2][]float32{append(pair[0], before...), append(pair[1], after...)}
		}
	}
	for _, g := range slices.Sorted(maps.Keys(groups)) {
		abs, rel, err := metrics.ParamDistance(groups[g][0], groups[g][1])
		if err != nil {
			return err
		}
		add(DiagParamDistance, g, abs)
		add(DiagParamDistanceRel, g, rel)
	}

	// Representations.
	cka, err := metrics.LinearCKA(end.pass.pooled, now.pooled)
	if err != nil {
		return err
	}
	add(DiagCKA, "", cka)

	// Attention, over the blocks both passes ran (expansion strategies
	// add blocks later).
	var sum float64
	var n int
	for b := 0; b < min(len(end.pass.attention), len(now.attention)); b++ {
		for h := range end.pass.attention[b] {
			kl, err := metrics.MeanKL(smooth(end.pass.attention[b][h]), smooth(now.attention[b][h]))
			if err != nil {
				return fmt.Errorf("block %d head %d: %w", b, h, err)
			}
			add(DiagAttentionKL, headGroup(b, h), kl)
			if kl.Defined {
				sum, n = sum+kl.X, n+1
			}
		}
	}
	if n > 0 {
		add(DiagAttentionKL, "all", metrics.Of(sum/float64(n)))
	}

	// Feed-forward units.
	var before, after [][]float64
	for l := 0; l < min(len(end.pass.hidden), len(now.hidden)); l++ {
		v, err := metrics.InactiveShare(end.pass.hidden[l], now.hidden[l], 0)
		if err != nil {
			return fmt.Errorf("layer %d: %w", l, err)
		}
		add(DiagInactive, fmt.Sprintf("layer%d", l), v)
		if before == nil {
			before, after = cloneRows(end.pass.hidden[l]), cloneRows(now.hidden[l])
			continue
		}
		for e := range before {
			before[e] = append(before[e], end.pass.hidden[l][e]...)
			after[e] = append(after[e], now.hidden[l][e]...)
		}
	}
	if before != nil {
		v, err := metrics.InactiveShare(before, after, 0)
		if err != nil {
			return err
		}
		add(DiagInactive, "all", v)
	}
	return nil
}

// smooth mixes klSmoothing of the uniform distribution into each row,
// renormalised to sum to 1 in float64.
func smooth(rows [][]float64) [][]float64 {
	out := make([][]float64, len(rows))
	for i, row := range rows {
		var sum float64
		r := make([]float64, len(row))
		for c, v := range row {
			r[c] = v + klSmoothing
			sum += r[c]
		}
		for c := range r {
			r[c] /= sum
		}
		out[i] = r
	}
	return out
}

func cloneRows(rows [][]float64) [][]float64 {
	out := make([][]float64, len(rows))
	for i, r := range rows {
		out[i] = append([]float64(nil), r...)
	}
	return out
}
