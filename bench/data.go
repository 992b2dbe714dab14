package bench

import (
	"math/rand/v2"
	"sort"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/clbench/clbench/tasks"
)

// DataSplit selects a task's training or test examples.
type DataSplit int

const (
	TrainSplit DataSplit = iota
	TestSplit
)

// encodedSplit holds a split's examples as token ids, tokenized once per
// run. ids[i] starts with the [CLS] id; labels[i] is the class of a
// classify example; tags[i][p] the tag of word p of a tag example. An
// image split holds pixels[i] instead, and ids[i] is nil.
type encodedSplit struct {
	ids    [][]int32
	labels []int32
	tags   [][]int32
	pixels [][]byte
}

func encodeSplit(tok tasks.Tokenizer, maxLen int, kind tasks.Kind, examples []tasks.Example) encodedSplit {
	e := encodedSplit{ids: make([][]int32, len(examples))}
	if len(examples) > 0 && len(examples[0].Pixels) > 0 {
		e.labels = make([]int32, len(examples))
		e.pixels = make([][]byte, len(examples))
		for i, ex := range examples {
			e.labels[i], e.pixels[i] = int32(ex.Label), ex.Pixels
		}
		return e
	}
	if kind == tasks.Tag {
		e.tags = make([][]int32, len(examples))
	} else {
		e.labels = make([]int32, len(examples))
	}
	for i, ex := range examples {
		ids := append([]int32{tasks.ClsID}, tok.Encode(ex.Words, maxLen-1)...)
		e.ids[i] = ids
		if kind == tasks.Tag {
			tags := make([]int32, len(ex.Tags))
			for p, t := range ex.Tags {
				tags[p] = int32(t)
			}
			e.tags[i] = tags
		} else {
			e.labels[i] = int32(ex.Label)
		}
	}
	return e
}

// lengths returns each example's length in tokens.
func (e *encodedSplit) lengths() []int {
	n := make([]int, len(e.ids))
	for i, ids := range e.ids {
		n[i] = len(ids)
	}
	return n
}

// Batch is a set of examples of one task that are trained or scored
// together.
type Batch struct {
	Task     int
	Split    DataSplit
	Examples []int // indices into the split
	// Weight scales the batch's loss in the step's total. A batch of
	// weight 0 is still built into the graph (its loss is in
	// StepPart.Loss), which A-GEM uses for its reference gradient.
	Weight float64
	// Targets, when set, is fed to the training graph as StepPart.Targets
	// (for example the stored logits that DER++ replays).
	Targets *tensors.Tensor
}

// batchTensors builds the token and label tensors of b, padded to
// `rows` rows (at least len(b.Examples)) and to a length bucket. Label
// -1 marks positions that carry no loss and no score.
func batchTensors(e *encodedSplit, kind tasks.Kind, b Batch, rows, maxLen int) (tok, lab *tensors.Tensor) {
	if e.pixels != nil {
		return imageTensors(e, b, rows)
	}
	longest := 1
	for _, i := range b.Examples {
		longest = max(longest, len(e.ids[i]))
	}
	length := lengthBucket(longest, maxLen)
	ids := make([]int32, rows*length)
	for r, i := range b.Examples {
		copy(ids[r*length:], e.ids[i])
	}
	tok = tensors.FromFlatDataAndDimensions(ids, rows, length)
	if kind == tasks.Tag {
		labels := make([]int32, rows*length)
		for k := range labels {
			labels[k] = -1
		}
		for r, i := range b.Examples {
			n := min(len(e.tags[i]), length-1)
			for p := 0; p < n; p++ {
				labels[r*length+1+p] = e.tags[i][p]
			}
		}
		lab = tensors.FromFlatDataAndDimensions(labels, rows, length)
		return tok, lab
	}
	labels := make([]int32, rows)
	for k := range labels {
		labels[k] = -1
	}
	for r, i := range b.Examples {
		labels[r] = e.labels[i]
	}
	return tok, tensors.FromFlatDataAndDimensions(labels, rows)
}

// imageTensors builds an image batch: pixels [rows, size] as float32
// grey levels / 255 (rows past the examples all 0), labels [rows] (-1
// past the examples).
func imageTensors(e *encodedSplit, b Batch, rows int) (px, lab *tensors.Tensor) {
	size := len(e.pixels[0])
	values := make([]float32, rows*size)
	labels := make([]int32, rows)
	for k := range labels {
		labels[k] = -1
	}
	for r, i := range b.Examples {
		row := values[r*size : (r+1)*size]
		for p, v := range e.pixels[i] {
			row[p] = float32(v) / 255
		}
		labels[r] = e.labels[i]
	}
	return tensors.FromFlatDataAndDimensions(values, rows, size),
		tensors.FromFlatDataAndDimensions(labels, rows)
}

// lengthBucket rounds n up to a power of two (at least 8, at most
// maxLen), so that a few compiled graphs serve every batch.
func lengthBucket(n, maxLen int) int {
	l := 8
	for l < n {
		l *= 2
	}
	return min(l, maxLen)
}

// poolBatches is how many batches' worth of shuffled examples are
// grouped by length bucket together before being cut into batches, so
// that a batch holds examples of one length bucket and pads little
// (SST-2's phrases: about a third of the padded tokens of random
// batches). Within a bucket the order stays random.
const poolBatches = 32

// epochBatches shuffles the training examples of the given tasks, groups
// them by length bucket (see lengthBucket) within pools of poolBatches
// batches, cuts them into batches of one task each, and shuffles the
// batches. lengths[t][i] is the token length of example i of task t.
func epochBatches(r *rand.Rand, lengths map[int][]int, order []int, batchSize, maxLen int) []Batch {
	var batches []Batch
	for _, t := range order {
		idx := r.Perm(len(lengths[t]))
		for start := 0; start < len(idx); start += poolBatches * batchSize {
			pool := idx[start:min(start+poolBatches*batchSize, len(idx))]
			bucket := func(i int) int { return lengthBucket(lengths[t][pool[i]], maxLen) }
			sort.SliceStable(pool, func(a, b int) bool { return bucket(a) < bucket(b) })
			for b := 0; b < len(pool); b += batchSize {
				batches = append(batches, Batch{Task: t, Split: TrainSplit,
					Examples: pool[b:min(b+batchSize, len(pool))], Weight: 1})
			}
		}
	}
	r.Shuffle(len(batches), func(i, j int) { batches[i], batches[j] = batches[j], batches[i] })
	return batches
}
