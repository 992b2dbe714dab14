package bench

// This file is the optional pre-training stage: masked-token prediction
// on unlabelled text gives a base encoder that a stream can start from
// (the usual pre-train then fine-tune setting), and a held-out part
// of the same text scores how much of that general knowledge a run
// keeps after every task.

import (
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/clbench/clbench/tasks"
)

// PretrainConfig is the masked-token pre-training of a base encoder.
// Each example is one line of the corpus (its first MaxLen-1 words
// after the [CLS] token); MaskRate of its words (at least one) are
// chosen, and of those 80% become tasks.MaskID, 10% a random word and
// 10% stay, as BERT does (Devlin et al. 2019). The model predicts the
// chosen words' ids through the transposed embedding table plus a bias
// (tied output embeddings), with dense Adam.
type PretrainConfig struct {
	Corpus       string  `json:"corpus"`
	Epochs       int     `json:"epochs"`
	BatchSize    int     `json:"batch_size"`
	LearningRate float64 `json:"learning_rate"`
	MaskRate     float64 `json:"mask_rate"`
	Seed         int64   `json:"seed"`
}

// DefaultPretrain pre-trains on FDU-MTL's unlabelled reviews: about
// 7,500 lines, 5 epochs.
var DefaultPretrain = PretrainConfig{Corpus: tasks.CorpusFDU, Epochs: 5, BatchSize: 32,
	LearningRate: 1e-3, MaskRate: 0.15, Seed: 1}

// pretrainVersion changes when pre-training computes something else
// from the same configuration; it is part of a base's id.
const pretrainVersion = 1

// Validate reports a configuration that cannot pre-train.
func (c PretrainConfig) Validate() error {
	switch {
	case c.Epochs < 1:
		return fmt.Errorf("pre-training: epochs %d, want at least 1", c.Epochs)
	case c.BatchSize < 1:
		return fmt.Errorf("pre-training: batch size %d, want at least 1", c.BatchSize)
	case !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0):
		return fmt.Errorf("pre-training: learning rate %g, want a positive number", c.LearningRate)
	case !(c.MaskRate > 0 && c.MaskRate < 1):
		return fmt.Errorf("pre-training: mask rate %g, want in (0, 1)", c.MaskRate)
	}
	return nil
}

// Base is a pre-trained encoder: its parameters, what made it, and the
// held-out text its general knowledge is scored on.
type Base struct {
	ID      string
	Model   ModelConfig
	Config  PretrainConfig
	Corpus  string // the corpus' digest
	Backend string
	Build   string
	Params  map[string][]float32
	Dims    map[string][]int
	// HeldOut is the held-out text, masked once and for all: what
	// GeneralAccuracy scores.
	HeldOut []maskedExample
	// Accuracy is the base's own masked-token accuracy on HeldOut.
	Accuracy float64
	// Seconds is how long pre-training took.
	Seconds float64
}

// maskedExample is one line ready for the masked-token loss: its token
// ids with the chosen words replaced, the chosen positions and their
// original ids.
type maskedExample struct {
	Tokens    []int32
	Positions []int32
	Labels    []int32
}

// mlmBias is the store path of the output bias of masked-token
// prediction; the output weights are the token table's.
const mlmBias = "/mlm/bias"

// BaseID names the base that cfg would pre-train for model on the
// corpus of the given digest, on backend: the same inputs give the same
// id on every machine.
func BaseID(m ModelConfig, cfg PretrainConfig, corpusDigest, backend string) string {
	m.Base = ""
	mj, _ := json.Marshal(m)
	cj, _ := json.Marshal(cfg)
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%d", mj, cj, corpusDigest, backend, pretrainVersion)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// BaseCacheDir is where pre-trained bases are kept:
// $CLBENCH_CACHE/bases, else the user cache's clbench/bases.
func BaseCacheDir() string {
	if dir := os.Getenv("CLBENCH_CACHE"); dir != "" {
		return filepath.Join(dir, "bases")
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "clbench", "bases")
}

// LoadOrPretrain returns the base of (m, cfg, corpus, backend) from
// dir, pre-training and saving it there first when it is not there.
func LoadOrPretrain(ctx context.Context, dir string, backend compute.Backend, backendConfig string,
	m ModelConfig, cfg PretrainConfig, corpus *tasks.Corpus, logger *slog.Logger) (*Base, error) {
	id := BaseID(m, cfg, corpus.Digest, backendConfig)
	path := filepath.Join(dir, id+".base")
	b, err := LoadBase(path)
	if err == nil && b.ID != id {
		return nil, fmt.Errorf("%s holds base %s, not %s; delete it to pre-train again", path, b.ID, id)
	}
	if err == nil {
		return b, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if logger != nil {
		logger.Info("pre-training a base encoder", "corpus", corpus.Name, "lines", len(corpus.Train),
			"epochs", cfg.Epochs, "id", id, "cache", path)
	}
	b, err = Pretrain(ctx, backend, backendConfig, m, cfg, corpus, logger)
	if err != nil {
		return nil, err
	}
	if err := b.Save(path); err != nil {
		return nil, err
	}
	if logger != nil {
		logger.Info("base pre-trained", "id", id, "seconds", round1(b.Seconds),
			"held_out_masked_accuracy", b.Accuracy)
	}
	return b, nil
}

// LoadBase reads a base saved by Save.
func LoadBase(path string) (*Base, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var b Base
	if err := gob.NewDecoder(f).Decode(&b); err != nil {
		return nil, fmt.Errorf("%s: not a base encoder (%w); delete it to pre-train again", path, err)
	}
	return &b, nil
}

// Save writes b to path atomically.
func (b *Base) Save(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := gob.NewEncoder(tmp).Encode(b); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Pretrain trains a base encoder of size m on the corpus, logging each
// epoch's mean loss to logger (which may be nil).
func Pretrain(ctx context.Context, backend compute.Backend, backendConfig string, m ModelConfig,
	cfg PretrainConfig, corpus *tasks.Corpus, logger *slog.Logger) (b *Base, err error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pre-training: panic: %v", r)
		}
	}()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if m.IsMLP() {
		return nil, errors.New("pre-training: the mlp reads images; only the Transformer pre-trains")
	}
	start := time.Now()
	stub := &tasks.Stream{Name: "pretrain", Tasks: []*tasks.Task{{Name: "mlm", Kind: tasks.Classify,
		Labels: []string{"any"}}}}
	enc, err := NewModel(m, stub, cfg.Seed)
	if err != nil {
		return nil, err
	}
	s := &Session{Model: enc, Stream: stub, Seed: cfg.Seed, Backend: backend, stage: 0,
		execs: map[string]*model.Exec{}}
	enc.AddParam(mlmBias, Constant(0), m.Buckets)
	if err := s.SetBuffer("/mlm/adam/step", tensors.FromScalar(float32(0))); err != nil {
		return nil, err
	}
	for _, v := range enc.Params() {
		for _, moment := range []string{"/m1", "/m2"} {
			if err := s.SetBuffer("/mlm/adam"+v.Path()+moment, tensors.FromShape(v.Shape())); err != nil {
				return nil, err
			}
		}
	}
	k := maxMasked(cfg.MaskRate, m)

	tok := tasks.Tokenizer{Buckets: m.Buckets}
	encode := func(lines [][]string) [][]int32 {
		out := make([][]int32, len(lines))
		for i, words := range lines {
			out[i] = append([]int32{tasks.ClsID}, tok.Encode(words, m.MaxLen-1)...)
		}
		return out
	}
	train := encode(corpus.Train)
	maskRng := rand.New(rand.NewPCG(uint64(cfg.Seed), 1))
	batchRng := rand.New(rand.NewPCG(uint64(cfg.Seed), 2))

	step, err := newPretrainStep(s, cfg)
	if err != nil {
		return nil, err
	}
	defer step.Finalize()
	for epoch := 0; epoch < cfg.Epochs; epoch++ {
		var sum float64
		var steps int
		order := batchRng.Perm(len(train))
		for at := 0; at < len(order); at += cfg.BatchSize {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("pre-training stopped in epoch %d: %w", epoch+1, err)
			}
			var batch []maskedExample
			for _, i := range order[at:min(at+cfg.BatchSize, len(order))] {
				batch = append(batch, maskLine(maskRng, train[i], cfg.MaskRate, m))
			}
			tokens, positions, labels := maskedTensors(batch, m, k)
			out, err := step.Call(tokens, positions, labels)
			if err != nil {
				return nil, err
			}
			loss := float64(tensors.MustCopyFlatData[float32](out[0])[0])
			out[0].FinalizeAll()
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return nil, fmt.Errorf("pre-training: epoch %d: %w (%g)", epoch+1, ErrNonFinite, loss)
			}
			sum, steps = sum+loss, steps+1
		}
		logger.Info("pre-training", "epoch", epoch+1, "of", cfg.Epochs, "mean_loss", sum/float64(max(steps, 1)),
			"elapsed", time.Since(start).Round(time.Second))
	}

	b = &Base{Model: m, Config: cfg, Corpus: corpus.Digest, Backend: backendConfig, Build: Build(),
		Params: map[string][]float32{}, Dims: map[string][]int{}}
	b.ID = BaseID(m, cfg, corpus.Digest, backendConfig)
	for _, v := range enc.Params() {
		if ParamGroup(v.Path()) == "head" {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return nil, err
		}
		b.Params[v.Path()] = tensors.MustCopyFlatData[float32](t)
		b.Dims[v.Path()] = v.Shape().Dimensions
	}
	heldRng := rand.New(rand.NewPCG(uint64(cfg.Seed), 3))
	for _, ids := range encode(corpus.HeldOut) {
		b.HeldOut = append(b.HeldOut, maskLine(heldRng, ids, cfg.MaskRate, m))
	}
	if b.Accuracy, err = s.maskedAccuracy(b.HeldOut, 0, k); err != nil {
		return nil, err
	}
	b.Seconds = time.Since(start).Seconds()
	return b, nil
}

// maxMasked is how many positions of a line of at most m.MaxLen tokens
// can be chosen: the mask rate of its words, rounded up.
func maxMasked(rate float64, m ModelConfig) int {
	return max(1, int(math.Ceil(rate*float64(m.MaxLen-1))))
}

// maskLine chooses round(rate x words) of a line's words (at least one;
// none for a line without words) and replaces them as BERT does.
func maskLine(r *rand.Rand, ids []int32, rate float64, m ModelConfig) maskedExample {
	words := len(ids) - 1 // ids[0] is [CLS]
	ex := maskedExample{Tokens: append([]int32(nil), ids...)}
	if words < 1 {
		return ex
	}
	k := min(max(1, int(math.Round(rate*float64(words)))), maxMasked(rate, m))
	for _, p := range r.Perm(words)[:k] {
		pos := int32(p + 1)
		ex.Positions = append(ex.Positions, pos)
		ex.Labels = append(ex.Labels, ids[pos])
		switch u := r.Float64(); {
		case u < 0.8:
			ex.Tokens[pos] = tasks.MaskID
		case u < 0.9:
			ex.Tokens[pos] = tasks.NumReserved + int32(r.IntN(m.Buckets-tasks.NumReserved))
		}
	}
	return ex
}

// maskedTensors pads a batch: tokens [n, length], positions and labels
// [n, k] (position 0 and label -1 past an example's own); k is
// maxMasked of the examples' mask rate, so that every batch of a
// pre-training has one width.
func maskedTensors(batch []maskedExample, m ModelConfig, k int) (tokens, positions, labels *tensors.Tensor) {
	longest := 1
	for _, ex := range batch {
		longest = max(longest, len(ex.Tokens))
	}
	length := lengthBucket(longest, m.MaxLen)
	tok := make([]int32, len(batch)*length)
	pos := make([]int32, len(batch)*k)
	lab := make([]int32, len(batch)*k)
	for i, ex := range batch {
		copy(tok[i*length:], ex.Tokens)
		for j := 0; j < k; j++ {
			lab[i*k+j] = -1
		}
		copy(pos[i*k:], ex.Positions)
		copy(lab[i*k:], ex.Labels)
	}
	return tensors.FromFlatDataAndDimensions(tok, len(batch), length),
		tensors.FromFlatDataAndDimensions(pos, len(batch), k),
		tensors.FromFlatDataAndDimensions(lab, len(batch), k)
}

// mlmLogits predicts every chosen position's word: the hidden states at
// positions [n, k] times the token table, plus the bias: [n, k, buckets].
func mlmLogits(f *Forward, tokens, positions *Node) *Node {
	hidden, _ := f.Encode(tokens)
	g := tokens.Graph()
	n, k := positions.Shape().Dimensions[0], positions.Shape().Dimensions[1]
	rows := Iota(g, shapes.Make(positions.DType(), n, k), 0)
	at := Concatenate([]*Node{InsertAxes(rows, -1), InsertAxes(positions, -1)}, -1) // [n, k, 2]
	chosen := Gather(hidden, at)                                                    // [n, k, width]
	logits := Einsum("nkd,vd->nkv", chosen, f.Value(tokenTable))
	return Add(logits, Reshape(f.Value(mlmBias), 1, 1, -1))
}

// newPretrainStep builds one masked-token update of every parameter the
// loss reaches, with dense Adam.
func newPretrainStep(s *Session, cfg PretrainConfig) (*model.Exec, error) {
	return model.NewExec(s.Backend, s.Model.Store(),
		func(_ *model.Scope, tokens, positions, labels *Node) *Node {
			g := tokens.Graph()
			f := &Forward{G: g, Model: s.Model, Task: 0}
			loss := CrossEntropy(mlmLogits(f, tokens, positions), labels)
			var vars []*model.Variable
			var nodes []*Node
			for _, v := range s.Model.Params() {
				if v.InUseByGraph(g) {
					vars = append(vars, v)
					nodes = append(nodes, v.NodeValue(g))
				}
			}
			grads := Gradient(loss, nodes...)
			stepVar := s.Model.Store().GetVariable("/mlm/adam/step")
			if stepVar == nil {
				panic(errors.New("pre-training: Adam's step counter is missing"))
			}
			t := AddScalar(stepVar.NodeValue(g), 1)
			stepVar.SetNodeValue(t)
			c1 := OneMinus(Pow(Scalar(g, dtypes.Float32, adamBeta1), t))
			c2 := OneMinus(Pow(Scalar(g, dtypes.Float32, adamBeta2), t))
			for i, v := range vars {
				m1v := s.Model.Store().GetVariable("/mlm/adam" + v.Path() + "/m1")
				m2v := s.Model.Store().GetVariable("/mlm/adam" + v.Path() + "/m2")
				m1 := Add(MulScalar(m1v.NodeValue(g), adamBeta1), MulScalar(grads[i], 1-adamBeta1))
				m2 := Add(MulScalar(m2v.NodeValue(g), adamBeta2), MulScalar(Square(grads[i]), 1-adamBeta2))
				m1v.SetNodeValue(m1)
				m2v.SetNodeValue(m2)
				update := Div(Div(m1, c1), AddScalar(Sqrt(Div(m2, c2)), adamEpsilon))
				v.SetNodeValue(Sub(v.NodeValue(g), MulScalar(update, cfg.LearningRate)))
			}
			return loss
		})
}

// maskedAccuracy is the share of examples' chosen words that the model
// predicts exactly, through the strategy's modules of task (the model
// as it stands after that task) and the pre-training's output bias.
func (s *Session) maskedAccuracy(examples []maskedExample, task, k int) (float64, error) {
	key := fmt.Sprintf("mlm/%d", task)
	exec, ok := s.execs[key]
	if !ok {
		var err error
		exec, err = model.NewExec(s.Backend, s.Model.Store(),
			func(_ *model.Scope, tokens, positions, labels *Node) []*Node {
				f := &Forward{G: tokens.Graph(), Model: s.Model, Task: task, Strategy: s.strategy}
				pred := ConvertDType(ArgMax(mlmLogits(f, tokens, positions), -1), labels.DType())
				valid := GreaterOrEqual(labels, ZerosLike(labels))
				hit := And(valid, Equal(pred, labels))
				count := func(b *Node) *Node { return ReduceAllSum(ConvertDType(b, dtypes.Float32)) }
				return []*Node{count(hit), count(valid)}
			})
		if err != nil {
			return 0, err
		}
		s.execs[key] = exec
	}
	var hits, total float64
	for at := 0; at < len(examples); at += s.evalBatchSize() {
		batch := examples[at:min(at+s.evalBatchSize(), len(examples))]
		tokens, positions, labels := maskedTensors(batch, s.Model.Config, k)
		out, err := exec.Call(tokens, positions, labels)
		if err != nil {
			return 0, err
		}
		hits += float64(tensors.MustCopyFlatData[float32](out[0])[0])
		total += float64(tensors.MustCopyFlatData[float32](out[1])[0])
		for _, t := range out {
			t.FinalizeAll()
		}
	}
	if total == 0 {
		return math.NaN(), nil
	}
	return hits / total, nil
}

// evalBatchSize is the protocol's evaluation batch, 128 when unset.
func (s *Session) evalBatchSize() int {
	if s.Train.EvalBatchSize > 0 {
		return s.Train.EvalBatchSize
	}
	return 128
}

// GeneralAccuracy is the masked-token accuracy on the base's held-out
// text of the model as it stands after task (0-based; the strategy's
// modules of that task), with the base's output bias.
func (s *Session) GeneralAccuracy(b *Base, task int) (float64, error) {
	return s.maskedAccuracy(b.HeldOut, task, maxMasked(b.Config.MaskRate, b.Model))
}

// applyBase sets the encoder's parameters to the base's and keeps its
// output bias as a buffer, for GeneralAccuracy. The base must have been
// pre-trained for this model.
func (s *Session) applyBase(b *Base) error {
	want := s.Model.Config
	want.Base = ""
	if b.Model != want {
		return fmt.Errorf("base %s was pre-trained for model %+v, not %+v", b.ID, b.Model, want)
	}
	for path, values := range b.Params {
		if path == mlmBias {
			dims := b.Dims[path]
			if err := s.SetBuffer(path, tensors.FromFlatDataAndDimensions(values, dims...)); err != nil {
				return err
			}
			continue
		}
		v := s.Model.Param(path)
		if v == nil || v.Shape().Size() != len(values) {
			return fmt.Errorf("base %s has parameter %s, which the model lacks or shapes otherwise", b.ID, path)
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(values, b.Dims[path]...)); err != nil {
			return err
		}
	}
	return nil
}
