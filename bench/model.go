package bench

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // graph code reads best unqualified
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/nn"

	"github.com/clbench/clbench/tasks"
)

// Head describes a task's output layer.
type Head struct {
	Task    string
	Kind    tasks.Kind
	Classes int
	// Scope holds the layer's parameters: HeadPath(task) for a head of
	// the task's own, SharedHeadPath(name) for tasks that share one
	// (tasks.Task.Head).
	Scope string
	// Active is tasks.Task.ActiveClasses: when positive, only the
	// first classes of a shared head can be predicted (see
	// Session.ActiveClasses).
	Active int
}

// Model is the encoder and one head per task, with its parameters in a
// GoMLX store. Every parameter is initialised in Go from the run's seed
// and the parameter's path, so the same seed gives the same model
// whatever order parameters are created in.
type Model struct {
	Config ModelConfig
	Heads  []Head

	store  *model.Store
	seed   int64
	params []*model.Variable
	byPath map[string]*model.Variable
	// baseParams counts the weights of the encoder and the heads as
	// built, before any strategy adds its own.
	baseParams int64
}

// NewModel builds the encoder (or, for ModelConfig.IsMLP, the fully
// connected network) and the heads of the stream's tasks.
func NewModel(cfg ModelConfig, stream *tasks.Stream, seed int64) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{
		Config: cfg,
		store:  model.NewStore(),
		seed:   seed,
		byPath: map[string]*model.Variable{},
	}
	if err := checkInputs(cfg, stream); err != nil {
		return nil, err
	}
	d := cfg.Width
	if cfg.IsMLP() {
		in := stream.Tasks[0].ImageSize
		for l := 0; l < cfg.Layers; l++ {
			scope := MLPLayerPath(l)
			m.AddParam(scope+"/weights", Uniform(1/math.Sqrt(float64(in))), in, d)
			m.AddParam(scope+"/bias", Uniform(1/math.Sqrt(float64(in))), d)
			in = d
		}
	} else {
		m.AddParam("/embed/tokens", Normal(0.02), cfg.Buckets, d)
		m.AddParam("/embed/positions", Normal(0.02), cfg.MaxLen, d)
		for l := 0; l < cfg.Layers; l++ {
			m.AddBlockParams(fmt.Sprintf("/block%d", l))
		}
		m.AddParam("/final_norm/gain", Constant(1), d)
		m.AddParam("/final_norm/offset", Constant(0), d)
	}
	shared := map[string]int{} // shared head name -> its classes
	for i, t := range stream.Tasks {
		classes := t.NumClasses()
		if classes < 1 {
			return nil, fmt.Errorf("task %q has no labels", t.Name)
		}
		h := Head{Task: t.Name, Kind: t.Kind, Classes: classes, Scope: HeadPath(i), Active: t.ActiveClasses}
		if t.Head != "" {
			h.Scope = SharedHeadPath(t.Head)
			if c, ok := shared[t.Head]; ok && c != classes {
				return nil, fmt.Errorf("task %q has %d classes, but the head %q it shares has %d",
					t.Name, classes, t.Head, c)
			}
			shared[t.Head] = classes
		}
		if h.Active > classes {
			return nil, fmt.Errorf("task %q: %d active classes of %d", t.Name, h.Active, classes)
		}
		m.Heads = append(m.Heads, h)
		if cfg.IsMLP() {
			limit := 1 / math.Sqrt(float64(d))
			m.AddParam(h.Scope+"/weights", Uniform(limit), d, classes)
			m.AddParam(h.Scope+"/bias", Uniform(limit), classes)
		} else {
			m.AddParam(h.Scope+"/weights", Glorot(d, classes), d, classes)
			m.AddParam(h.Scope+"/bias", Constant(0), classes)
		}
	}
	m.baseParams = m.NumParams()
	return m, nil
}

// CheckModelFits refuses a model that cannot read the stream's
// examples (images for the Transformer, text for the mlp, or images of
// several sizes); the error names the sizes that fit. A suite checks
// this before anything trains.
func CheckModelFits(cfg ModelConfig, stream *tasks.Stream) error { return checkInputs(cfg, stream) }

// checkInputs is CheckModelFits.
func checkInputs(cfg ModelConfig, stream *tasks.Stream) error {
	if len(stream.Tasks) == 0 {
		return fmt.Errorf("stream %s has no tasks", stream.Name)
	}
	size := stream.Tasks[0].ImageSize
	for _, t := range stream.Tasks {
		switch {
		case t.ImageSize != size:
			return fmt.Errorf("stream %s: task %q has images of %d pixels, task %q of %d",
				stream.Name, t.Name, t.ImageSize, stream.Tasks[0].Name, size)
		case cfg.IsMLP() && t.ImageSize == 0:
			return fmt.Errorf("model %s reads images, and task %q of stream %s holds text: "+
				"use a Transformer size (%s)", cfg.Name, t.Name, stream.Name, strings.Join(sizesOf(false), ", "))
		case !cfg.IsMLP() && t.ImageSize > 0:
			return fmt.Errorf("model %s reads text, and task %q of stream %s holds images: "+
				"use an mlp size (%s)", cfg.Name, t.Name, stream.Name, strings.Join(sizesOf(true), ", "))
		}
	}
	return nil
}

// MLPLayerPath is the scope of hidden layer l (0-based) of the mlp.
func MLPLayerPath(l int) string { return fmt.Sprintf("/mlp/layer%d", l) }

// SharedHeadPath is the scope of the head that tasks named name share.
func SharedHeadPath(name string) string { return "/head/shared-" + name }

// HeadScope is the scope of the head task (0-based) predicts with.
func (m *Model) HeadScope(task int) string { return m.Heads[task].Scope }

// HeadPath is the scope of task i's head (0-based).
func HeadPath(task int) string { return fmt.Sprintf("/head/task%d", task) }

// Init fills a new parameter's values.
type Init func(r *rand.Rand, values []float32)

// Constant initialises every value to c.
func Constant(c float32) Init {
	return func(_ *rand.Rand, v []float32) {
		for i := range v {
			v[i] = c
		}
	}
}

// Normal draws values from N(0, std^2).
func Normal(std float64) Init {
	return func(r *rand.Rand, v []float32) {
		for i := range v {
			v[i] = float32(r.NormFloat64() * std)
		}
	}
}

// Uniform draws values from U(-limit, limit): PyTorch's default for a
// linear layer's weights and bias with limit 1/sqrt(fan in).
func Uniform(limit float64) Init {
	return func(r *rand.Rand, v []float32) {
		for i := range v {
			v[i] = float32((2*r.Float64() - 1) * limit)
		}
	}
}

// Glorot draws from the uniform Glorot (Xavier) distribution for a
// matrix of fanIn x fanOut.
func Glorot(fanIn, fanOut int) Init {
	limit := math.Sqrt(6 / float64(fanIn+fanOut))
	return func(r *rand.Rand, v []float32) {
		for i := range v {
			v[i] = float32((2*r.Float64() - 1) * limit)
		}
	}
}

// AddParam creates a float32 parameter at path with the given shape, or
// returns the existing one. Its values come from init, drawn from a
// generator seeded by the run's seed and the path.
func (m *Model) AddParam(path string, init Init, dims ...int) *model.Variable {
	if v, ok := m.byPath[path]; ok {
		return v
	}
	h := fnv.New64a()
	h.Write([]byte(path))
	r := rand.New(rand.NewPCG(uint64(m.seed), h.Sum64()))
	size := 1
	for _, d := range dims {
		size *= d
	}
	values := make([]float32, size)
	init(r, values)
	v, err := m.store.CreateVariable(path, tensors.FromFlatDataAndDimensions(values, dims...))
	if err != nil {
		panic(err) // a path reused with another shape: a programming error
	}
	m.params = append(m.params, v)
	m.byPath[path] = v
	return v
}

// Param returns the parameter at path, or nil.
func (m *Model) Param(path string) *model.Variable { return m.byPath[path] }

// Params lists every parameter in creation order.
func (m *Model) Params() []*model.Variable { return m.params }

// Store is the GoMLX store holding the parameters (and optimizer state).
func (m *Model) Store() *model.Store { return m.store }

// NumParams counts the weights of every parameter (not optimizer state).
func (m *Model) NumParams() int64 {
	var n int64
	for _, v := range m.params {
		n += int64(v.Shape().Size())
	}
	return n
}

// BaseParams counts the weights of the model as first built.
func (m *Model) BaseParams() int64 { return m.baseParams }

// ParamGroup names the part of the model a parameter belongs to:
// "embeddings", "attention", "ffn" (the mlp's hidden layers too),
// "norm", "head" or "other" (for parameters that strategies add
// outside these scopes).
func ParamGroup(path string) string {
	switch {
	case strings.HasPrefix(path, "/embed/"):
		return "embeddings"
	case strings.HasPrefix(path, "/head/"):
		return "head"
	case strings.Contains(path, "/attn/"):
		return "attention"
	case strings.Contains(path, "/ffn/"), strings.HasPrefix(path, "/mlp/"):
		return "ffn"
	case strings.Contains(path, "_norm/"):
		return "norm"
	}
	return "other"
}

// Sublayer names the two residual branches of an encoder block.
type Sublayer string

const (
	Attention   Sublayer = "attention"
	FeedForward Sublayer = "ffn"
)

// Forward builds the model's computation inside one graph for one task.
// Strategies that change the encoder (adapters, prefixes, low-rank
// updates, expansions) take part through EncoderHooks.
type Forward struct {
	G     *Graph
	Model *Model
	// Task is the 0-based index of the task whose head is used.
	Task int
	// Strategy is consulted for encoder hooks; it may be nil.
	Strategy Strategy
	// Source, when set, is a scope in the store holding a copy of the
	// parameters (see Session.CopyParams): the pass then reads every
	// parameter from Source+path, as a frozen teacher does.
	Source string
	// Record, when set, collects the pass's inner values for the
	// forgetting diagnostics.
	Record *Record
}

// Record holds inner values of one forward pass, in the order the
// layers ran: every block's attention weights [batch, heads, queries,
// keys] (keys include a prefix's positions, first) and every
// feed-forward layer's ReLU output ([batch, length, ffn] in a block,
// [batch, width] in the mlp).
type Record struct {
	Attention []*Node
	Hidden    []*Node
}

// Encode runs the encoder on token ids [batch, length] (0 = padding) and
// returns the final hidden states [batch, length, width] and the mask of
// real tokens [batch, length]. For the mlp, tokens are pixels [batch,
// size] scaled to [0, 1], hidden is the last hidden layer's output
// [batch, width] and mask is nil.
func (f *Forward) Encode(tokens *Node) (hidden, mask *Node) {
	if f.Model.Config.IsMLP() {
		x := tokens
		for l := 0; l < f.Model.Config.Layers; l++ {
			x = f.Dense(MLPLayerPath(l), x)
			x = Max(x, ZerosLike(x)) // ReLU
			if f.Record != nil {
				f.Record.Hidden = append(f.Record.Hidden, x)
			}
		}
		return x, nil
	}
	g := f.G
	batch, length := tokens.Shape().Dimensions[0], tokens.Shape().Dimensions[1]
	mask = NotEqual(tokens, ScalarZero(g, tokens.DType()))

	emb := Gather(f.Value("/embed/tokens"), InsertAxes(tokens, -1))
	pos := Slice(f.Value("/embed/positions"), AxisRange(0, length))
	x := Add(emb, InsertAxes(pos, 0))

	// Attention may not look at padding: a large negative bias on padded
	// keys, shaped [batch, 1 (heads), 1 (queries), length (keys)].
	keyBias := Where(mask, ZerosLike(ConvertDType(mask, dtypes.Float32)),
		Scalar(g, dtypes.Float32, -1e9))
	keyBias = Reshape(keyBias, batch, 1, 1, length)

	for l := 0; l < f.Model.Config.Layers; l++ {
		x = f.Block(fmt.Sprintf("/block%d", l), l, x, keyBias)
	}
	if hooks := f.hooks(); hooks != nil {
		x = hooks.AfterBlocks(f, x, keyBias)
	}
	return f.Norm("/final_norm", x), mask
}

// Block applies the pre-norm Transformer block whose parameters are under
// scope (as the encoder's /block<l>): x + attention(norm(x)), then
// x + ffn(norm(x)). layer is passed to the hooks; expansion strategies
// build their own blocks with it under scopes of their own.
func (f *Forward) Block(scope string, layer int, x, keyBias *Node) *Node {
	hooks := f.hooks()
	in := f.Norm(scope+"/attn_norm", x)
	h := f.Attention(scope, layer, in, keyBias)
	if hooks != nil {
		h = hooks.AfterSublayer(f, layer, Attention, in, h)
	}
	x = Add(x, h)

	in = f.Norm(scope+"/ffn_norm", x)
	h = f.Dense(scope+"/ffn/in", in)
	h = Max(h, ZerosLike(h)) // ReLU
	if f.Record != nil {
		f.Record.Hidden = append(f.Record.Hidden, h)
	}
	h = f.Dense(scope+"/ffn/out", h)
	if hooks != nil {
		h = hooks.AfterSublayer(f, layer, FeedForward, in, h)
	}
	return Add(x, h)
}

// AddBlockParams creates the parameters of a block under scope, shaped
// like the encoder's own (for expansion strategies).
func (m *Model) AddBlockParams(scope string) {
	d, ffn := m.Config.Width, m.Config.FFN
	m.AddParam(scope+"/attn_norm/gain", Constant(1), d)
	m.AddParam(scope+"/attn_norm/offset", Constant(0), d)
	for _, p := range []string{"query", "key", "value", "output"} {
		m.AddParam(scope+"/attn/"+p+"/weights", Glorot(d, d), d, d)
		m.AddParam(scope+"/attn/"+p+"/bias", Constant(0), d)
	}
	m.AddParam(scope+"/ffn_norm/gain", Constant(1), d)
	m.AddParam(scope+"/ffn_norm/offset", Constant(0), d)
	m.AddParam(scope+"/ffn/in/weights", Glorot(d, ffn), d, ffn)
	m.AddParam(scope+"/ffn/in/bias", Constant(0), ffn)
	m.AddParam(scope+"/ffn/out/weights", Glorot(ffn, d), ffn, d)
	m.AddParam(scope+"/ffn/out/bias", Constant(0), d)
}

func (f *Forward) hooks() EncoderHooks {
	h, _ := f.Strategy.(EncoderHooks)
	return h
}

// Pool averages the hidden states of real tokens: [batch, width]. The
// mlp's hidden states [batch, width] are returned as they are.
func (f *Forward) Pool(hidden, mask *Node) *Node {
	if mask == nil {
		return hidden
	}
	m := InsertAxes(ConvertDType(mask, hidden.DType()), -1)
	sum := ReduceSum(Mul(hidden, m), 1)
	count := Max(ReduceSum(m, 1), OnesLike(ReduceSum(m, 1)))
	return Div(sum, count)
}

// Logits applies task's head: [batch, classes] for a classify task (on
// the pooled states), [batch, length, classes] for a tag task.
func (f *Forward) Logits(task int, hidden, mask *Node) *Node {
	x := hidden
	if f.Model.Heads[task].Kind != tasks.Tag {
		x = f.Pool(hidden, mask)
	}
	return f.Dense(f.Model.HeadScope(task), x)
}

// Value returns the graph node of parameter path (read from Source when
// set).
func (f *Forward) Value(path string) *Node {
	if f.Source != "" {
		path = f.Source + path
	}
	v := f.Model.store.GetVariable(path)
	if v == nil {
		panic(fmt.Errorf("model has no parameter %q", path))
	}
	return v.NodeValue(f.G)
}

// Dense applies the linear layer under scope (scope/weights [in, out],
// scope/bias [out]) to x; the Projection hook may change its output.
func (f *Forward) Dense(scope string, x *Node) *Node {
	y := nn.Dense(x, f.Value(scope+"/weights"), f.Value(scope+"/bias"), 0)
	if hooks := f.hooks(); hooks != nil {
		y = hooks.Projection(f, scope, x, y)
	}
	return y
}

// Norm applies the layer norm under scope (scope/gain, scope/offset).
func (f *Forward) Norm(scope string, x *Node) *Node {
	return nn.LayerNorm(x, []int{-1}, 1e-5, f.Value(scope+"/gain"), f.Value(scope+"/offset"), nil)
}

// Attention is the multi-head self-attention of the block under scope,
// on x [batch, length, width].
func (f *Forward) Attention(scope string, layer int, x, keyBias *Node) *Node {
	cfg := f.Model.Config
	batch, length := x.Shape().Dimensions[0], x.Shape().Dimensions[1]
	heads, dh := cfg.Heads, cfg.Width/cfg.Heads
	split := func(n *Node) *Node { // [batch, heads, length, dh]
		return TransposeAllAxes(Reshape(n, batch, length, heads, dh), 0, 2, 1, 3)
	}
	q := split(f.Dense(scope+"/attn/query", x))
	k := split(f.Dense(scope+"/attn/key", x))
	v := split(f.Dense(scope+"/attn/value", x))
	bias := keyBias
	if hooks := f.hooks(); hooks != nil {
		k, v, bias = hooks.KeysValues(f, layer, k, v, bias)
	}
	scores := Einsum("bhqd,bhkd->bhqk", q, k)
	scores = Add(MulScalar(scores, 1/math.Sqrt(float64(dh))), bias)
	weights := Softmax(scores, -1)
	if f.Record != nil {
		f.Record.Attention = append(f.Record.Attention, weights)
	}
	out := Einsum("bhqk,bhkd->bhqd", weights, v)
	out = Reshape(TransposeAllAxes(out, 0, 2, 1, 3), batch, length, cfg.Width)
	return f.Dense(scope+"/attn/output", out)
}
