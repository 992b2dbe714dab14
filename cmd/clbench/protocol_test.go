package main

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/clbench/clbench/bench"
	"github.com/clbench/clbench/results"
	"github.com/clbench/clbench/tasks"
)

// flagDefaults is `clbench run` as its flags default, on stream, with
// the flags named in changed set by hand (the others keep their
// defaults).
func flagDefaults(t *testing.T, stream string, changed ...string) *runOptions {
	t.Helper()
	set := map[string]bool{}
	for _, f := range changed {
		set[f] = true
	}
	return &runOptions{stream: stream, strategies: "finetune", seeds: 1, out: t.TempDir(),
		modelSize: "tiny", backend: "go", epochs: bench.DefaultTrainConfig.Epochs,
		batchSize: bench.DefaultTrainConfig.BatchSize, lr: bench.DefaultTrainConfig.LearningRate,
		format: "table", jobs: 1, logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		changed: func(f string) bool { return set[f] }}
}

// protocolOf is what a suite file says of the protocol.
type protocolOf struct {
	model         string
	epochs, iters int
	batchSize     int
	lr            float64
}

func protocol(sf *bench.SuiteFile) protocolOf {
	return protocolOf{sf.Model, sf.Epochs, sf.Iterations, sf.BatchSize, sf.LR}
}

// The protocol of a run: a flag when given, else the suite file, else
// the stream's own (split MNIST: mlp400, 2000 iterations of 128, lr
// 0.001; permuted MNIST: mlp1000, 5000 iterations, lr 0.0001, as
// tasks.StreamInfo.Protocol says after van de Ven and Tolias 2019),
// else the flags' defaults (tiny, DefaultTrainConfig's epochs, batch
// and lr, for the text streams, which have no protocol of their own).
func TestRunProtocolDefaults(t *testing.T) {
	def := bench.DefaultTrainConfig
	splitMNIST := protocolOf{"mlp400", 0, 2000, 128, 0.001}

	// withSuite is a suite of split-mnist-task with extra lines, the
	// flags named in changed set by hand.
	withSuite := func(extra string, changed ...string) *runOptions {
		o := flagDefaults(t, "", changed...)
		o.suiteFile = writeSuite(t,
			"streams:\n  - name: split-mnist-task\nstrategies: [finetune]\n"+extra)
		return o
	}
	cases := map[string]struct {
		o    *runOptions
		want protocolOf
	}{
		"split MNIST": {flagDefaults(t, "split-mnist-class"), splitMNIST},
		"permuted MNIST": {flagDefaults(t, "permuted-mnist-domain"),
			protocolOf{"mlp1000", 0, 5000, 128, 0.0001}},
		"a text stream": {flagDefaults(t, "synthetic"),
			protocolOf{"tiny", def.Epochs, 0, def.BatchSize, def.LearningRate}},
		"--epochs over the stream's iterations": {flagDefaults(t, "split-mnist-class", "epochs"),
			protocolOf{"mlp400", def.Epochs, 0, 128, 0.001}},
		"flags over the stream's protocol": {
			func() *runOptions {
				o := flagDefaults(t, "split-mnist-class", "model", "iterations", "batch-size", "lr")
				o.modelSize, o.iterations, o.batchSize, o.lr = "mlp1000", 7, 16, 0.01
				return o
			}(),
			protocolOf{"mlp1000", 0, 7, 16, 0.01}},
		"the suite's iterations": {withSuite("iterations: 500\n"),
			protocolOf{"mlp400", 0, 500, 128, 0.001}},
		"the suite's epochs": {withSuite("epochs: 2\nlr: 0.01\n"),
			protocolOf{"mlp400", 2, 0, 128, 0.01}},
		"--iterations over the suite's epochs": {
			func() *runOptions {
				o := withSuite("epochs: 2\n", "iterations")
				o.iterations = 9
				return o
			}(),
			protocolOf{"mlp400", 0, 9, 128, 0.001}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			sf, err := c.o.describe()
			if err != nil {
				t.Fatal(err)
			}
			if got := protocol(sf); got != c.want {
				t.Errorf("protocol %+v, want %+v", got, c.want)
			}
		})
	}
}

// suite() turns the stream's protocol into the run's configuration:
// split MNIST without a flag trains mlp400 for 2000 iterations a task
// (no epochs) on batches of 128 at lr 0.001.
func TestSuiteTakesTheStreamsProtocol(t *testing.T) {
	t.Setenv(tasks.DataEnv, t.TempDir()) // MNIST from the Go module cache
	o := flagDefaults(t, "split-mnist-class")
	o.maxTrain, o.maxTest = 50, 20
	s, err := o.suite()
	if err != nil {
		t.Fatal(err)
	}
	mlp400, _ := bench.ModelSize("mlp400")
	if s.Model != mlp400 {
		t.Errorf("model %+v, want %+v", s.Model, mlp400)
	}
	tc := s.Train
	if tc.Iterations != 2000 || tc.Epochs != 0 || tc.BatchSize != 128 || tc.LearningRate != 0.001 {
		t.Errorf("train config %+v, want 2000 iterations, 0 epochs, batch 128, lr 0.001", tc)
	}
}

// A run of split MNIST with --iterations 3 records the stream's model,
// batch size and learning rate, and the flag's 3 iterations. Its model
// reads the 784 pixels and has one head of the 10 digits that the
// class-incremental tasks share: 784*400 + 400 + 400*400 + 400 +
// 400*10 + 10 = 478,410 weights.
func TestRunRecordsTheStreamsProtocol(t *testing.T) {
	t.Setenv(tasks.DataEnv, t.TempDir()) // MNIST from the Go module cache
	dir := t.TempDir()
	code, _, stderr := clbench(t, "run", "--stream", "split-mnist-class", "--strategy", "finetune",
		"--iterations", "3", "--max-train", "50", "--max-test", "20", "--out", dir, "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	set, err := results.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(set.Runs))
	}
	r := set.Runs[0]
	var m bench.ModelConfig
	var tc bench.TrainConfig
	if err := json.Unmarshal([]byte(r.ModelConfig), &m); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(r.TrainConfig), &tc); err != nil {
		t.Fatal(err)
	}
	if m.Name != "mlp400" || !m.IsMLP() || m.Layers != 2 || m.Width != 400 {
		t.Errorf("recorded model %+v, want mlp400", m)
	}
	if tc.Iterations != 3 || tc.Epochs != 0 || tc.BatchSize != 128 || tc.LearningRate != 0.001 {
		t.Errorf("recorded protocol %+v, want 3 iterations, 0 epochs, batch 128, lr 0.001", tc)
	}
	if r.BaseParams != 478410 {
		t.Errorf("%d weights, want 478410", r.BaseParams)
	}
}

// Protocol input the run refuses with a usage error (exit 2), saying
// why: both --epochs and --iterations, or --iterations 0 (on the
// command line, capped small should a refusal regress); streams
// trained differently by default in one suite (naming both), and a
// suite file with both epochs and iterations (naming the line of
// iterations) or with iterations 0 (through describe, which fails
// before any data is loaded).
func TestRunRefusesBadProtocols(t *testing.T) {
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"--epochs and --iterations": {[]string{"--epochs", "1", "--iterations", "3"},
			"give --epochs or --iterations, not both"},
		"--iterations 0": {[]string{"--iterations", "0"}, "--iterations must be at least 1"},
	} {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"run", "--stream", "synthetic", "--model", "micro",
				"--max-train", "32", "--max-test", "16", "--out", t.TempDir(), "-q"}, c.args...)
			code, _, stderr := clbench(t, args...)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, c.want)
			}
		})
	}

	for name, c := range map[string]struct {
		suite string
		want  []string
	}{
		"text and split MNIST": {
			"streams:\n  - name: sentiment-ner-domain\n  - name: split-mnist-task\nstrategies: [finetune]\n",
			[]string{"streams sentiment-ner-domain (tiny, 2 epochs, batch 32, lr 0.001) and " +
				"split-mnist-task (mlp400, 2000 iterations, batch 128, lr 0.001) are trained differently",
				"separate suites"}},
		"split and permuted MNIST": {
			"streams:\n  - name: split-mnist-class\n  - name: permuted-mnist-class\n" +
				"strategies: [finetune]\n",
			[]string{"streams split-mnist-class (mlp400, 2000 iterations, batch 128, lr 0.001) and " +
				"permuted-mnist-class (mlp1000, 5000 iterations, batch 128, lr 0.0001) are trained differently"}},
		"epochs and iterations in a suite": {
			"streams:\n  - name: synthetic\nstrategies: [finetune]\nepochs: 2\niterations: 100\n",
			[]string{"line 5: give epochs or iterations, not both"}},
		"iterations 0 in a suite": {
			"streams:\n  - name: synthetic\nstrategies: [finetune]\niterations: 0\n",
			[]string{"line 4: iterations must be a positive number"}},
	} {
		t.Run(name, func(t *testing.T) {
			o := flagDefaults(t, "")
			o.suiteFile = writeSuite(t, c.suite)
			_, err := o.describe()
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 2 {
				t.Fatalf("err = %v, want a usage error (exit 2)", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}

	// Streams of one protocol share a suite.
	o := flagDefaults(t, "")
	o.suiteFile = writeSuite(t, "streams:\n  - name: split-mnist-task\n"+
		"  - name: split-mnist-class\nstrategies: [finetune]\n")
	if _, err := o.describe(); err != nil {
		t.Errorf("split-mnist-task and split-mnist-class in one suite: %v", err)
	}
}
