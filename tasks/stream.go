package tasks

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
)

// Options say how to load a stream.
type Options struct {
	// DataDir is the data folder of the built-in streams; empty means
	// DataDir(""). Stream files name their data relative to
	// themselves and ignore it.
	DataDir string
	// Shots, when positive, keeps that many training examples of every
	// task after the first (the few-shot variant of a stream); 0 keeps
	// them all.
	Shots int
	// Seed draws the few-shot examples. Caps do not use it: they are
	// part of the stream's definition.
	Seed int64
	// MaxTrain and MaxTest cap every task's splits: 0 keeps each
	// task's default cap, a negative value removes the caps, a
	// positive one replaces them.
	MaxTrain, MaxTest int
	// Logger receives a warning for each skipped example; nil means
	// slog.Default(). Skips are also kept in Task.Skipped.
	Logger *slog.Logger
}

// TaskSpec defines one task of a stream: its data, how to read it and
// its default caps.
type TaskSpec struct {
	Name string
	// FileOptions say how to read Train and Test; their Kind is the
	// task's kind. Warn is set by the loader.
	FileOptions
	// Train and Test are the files of the two splits, relative to the
	// data folder (built-in streams) or to the stream file's folder.
	// Both are empty for a generated task.
	Train, Test string
	// TestFraction is the share of Train held out as the test split
	// when Test is empty (default 0.2), drawn with the stream's data
	// seed.
	TestFraction float64
	// MaxTrain and MaxTest are the default caps (0: no cap). A cap
	// keeps a random subset drawn with the stream's data seed, so
	// every run of a stream version sees the same examples.
	MaxTrain, MaxTest int

	// generate makes a generated task's splits instead of files.
	generate func(r *rng) (train, test []record)
}

// StreamInfo describes a built-in stream.
type StreamInfo struct {
	Name, Version, Description string
	// Tasks names the tasks in order.
	Tasks []string
	// NeedsData is true when the stream reads files from the data
	// folder (false for generated streams).
	NeedsData bool
	// DataSeed draws the caps and held-out test splits.
	DataSeed int64
	// Specs defines each task, with its files and default caps.
	Specs []TaskSpec
	// Protocol is how the stream is trained unless a run says
	// otherwise; zero for the text streams, which share the bench's
	// defaults.
	Protocol Protocol
}

// Protocol is a stream's own training protocol, where it comes from a
// publication whose numbers the stream reproduces. Zero fields leave
// the bench's defaults.
type Protocol struct {
	// Model names a model size of the bench (for example "mlp400").
	Model string
	// Iterations is the number of training steps per task (instead of
	// epochs), BatchSize the examples per step, LearningRate Adam's.
	Iterations   int
	BatchSize    int
	LearningRate float64
	// Source says where the protocol comes from.
	Source string
}

// streamDef is a stream before it is loaded.
type streamDef struct {
	info StreamInfo
	// dir is the folder the task files are relative to, and hint
	// says how to change it, for a missing file's error.
	dir, hint string
	// build, when set, makes every task (before caps and few-shot
	// sampling) from the data folder, instead of reading each spec's
	// files: the image streams.
	build func(dataDir string) ([]*Task, error)
}

// load reads, caps and samples every task of d.
func (d *streamDef) load(o Options) (*Stream, error) {
	if o.Shots < 0 {
		return nil, fmt.Errorf("stream %s: shots is %d, want 0 (all) or more",
			d.info.Name, o.Shots)
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Stream{Name: d.info.Name, Version: d.info.Version}
	if d.build != nil {
		built, err := d.build(d.dir)
		if err != nil {
			return nil, fmt.Errorf("stream %s: %w", d.info.Name, err)
		}
		for i, t := range built {
			if err := d.limit(i, t, d.info.Specs[i], o); err != nil {
				return nil, fmt.Errorf("stream %s, task %s: %w", d.info.Name, t.Name, err)
			}
		}
		s.Tasks = built
		s.Digest = digest(s.Tasks)
		return s, nil
	}
	for i, spec := range d.info.Specs {
		t, err := d.loadTask(i, spec, o, log)
		if err != nil {
			return nil, fmt.Errorf("stream %s, task %s: %w", d.info.Name, spec.Name, err)
		}
		s.Tasks = append(s.Tasks, t)
	}
	s.Digest = digest(s.Tasks)
	return s, nil
}

// loadTask loads task i of d.
func (d *streamDef) loadTask(i int, spec TaskSpec, o Options, log *slog.Logger) (*Task, error) {
	t := &Task{Name: spec.Name, Kind: spec.Kind}
	seed := d.info.DataSeed
	fo := spec.FileOptions
	fo.Warn = func(msg string) {
		t.Skipped = append(t.Skipped, msg)
		log.Warn("skipped an invalid example", "stream", d.info.Name,
			"task", spec.Name, "reason", msg)
	}

	// Read (or generate) both splits.
	var trainRecs, testRecs []record
	var err error
	switch {
	case spec.generate != nil:
		trainRecs, testRecs = spec.generate(newRNG(seed, spec.Name, "generate"))
		t.Source = "generated by clbench"
	default:
		trainRecs, testRecs, t.Source, err = d.readSplits(spec, fo)
		if err != nil {
			return nil, err
		}
	}

	// Label ids come from the whole training split, before caps, so
	// that a cap never changes a task's label set.
	t.Labels = deriveLabels(spec.Kind, trainRecs)
	if t.Train, err = index(spec.Kind, trainRecs, t.Labels); err != nil {
		return nil, err
	}
	if t.Test, err = index(spec.Kind, testRecs, t.Labels); err != nil {
		return nil, err
	}

	if err := d.limit(i, t, spec, o); err != nil {
		return nil, err
	}
	return t, nil
}

// limit applies the caps, then few-shot sampling, to task i of d, and
// checks that a tag task can be scored.
func (d *streamDef) limit(i int, t *Task, spec TaskSpec, o Options) error {
	seed := d.info.DataSeed
	maxTrain := capOf(o.MaxTrain, spec.MaxTrain)
	maxTest := capOf(o.MaxTest, spec.MaxTest)
	t.Train = capExamples(t.Train, maxTrain, newRNG(seed, spec.Name, "train"))
	t.Test = capExamples(t.Test, maxTest, newRNG(seed, spec.Name, "test"))
	if o.Shots > 0 && i > 0 {
		if o.Shots >= len(t.Train) {
			return fmt.Errorf("%d shots would keep all of its %s: "+
				"that is the full stream, not a few-shot variant", o.Shots,
				plural(len(t.Train), "training example"))
		}
		t.Train = fewShot(t.Train, o.Shots, spec.Kind, t.Labels,
			newRNG(o.Seed, spec.Name, "shots"))
	}
	if spec.Kind == Tag {
		// Entity F1 is undefined without entities: such a task
		// cannot be scored.
		if len(t.Labels) == 1 {
			return fmt.Errorf("task %s: its training split has no entities (every tag is O)", spec.Name)
		}
		if !hasEntity(t.Test) {
			return fmt.Errorf("task %s: its test split has no entities, so entity F1 is undefined", spec.Name)
		}
	}
	if maxTrain > 0 || maxTest > 0 {
		t.Source += fmt.Sprintf(" (caps: train %s, test %s)", capText(maxTrain), capText(maxTest))
	}
	return nil
}

// readSplits reads a task's train and test files, or holds out a test
// split from the train file when there is no test file.
func (d *streamDef) readSplits(spec TaskSpec, fo FileOptions) (train, test []record,
	source string, err error) {
	trainPath, err := resolve(d.dir, spec.Train, d.hint)
	if err != nil {
		return nil, nil, "", err
	}
	if train, err = readRecords(trainPath, fo); err != nil {
		return nil, nil, "", err
	}
	if spec.Test == "" {
		frac := spec.TestFraction
		if frac == 0 {
			frac = 0.2
		}
		if len(train) < 2 {
			return nil, nil, "", fmt.Errorf("%s: %s, too few to hold out a test split",
				trainPath, plural(len(train), "example"))
		}
		train, test = splitRecords(train, frac, newRNG(d.info.DataSeed, spec.Name, "split"))
		source = fmt.Sprintf("%s (test: %g held out)", spec.Train, frac)
		return train, test, source, nil
	}
	testPath, err := resolve(d.dir, spec.Test, d.hint)
	if err != nil {
		return nil, nil, "", err
	}
	if test, err = readRecords(testPath, fo); err != nil {
		return nil, nil, "", err
	}
	return train, test, spec.Train + ", " + spec.Test, nil
}

// capOf resolves a cap from Options (0: default, negative: none) and
// the task's default.
func capOf(opt, def int) int {
	switch {
	case opt > 0:
		return opt
	case opt < 0:
		return 0
	}
	return def
}

func capText(n int) string {
	if n <= 0 {
		return "none"
	}
	return fmt.Sprint(n)
}

// Streams lists the built-in streams, sorted by name.
func Streams() []StreamInfo {
	defs := builtins()
	infos := make([]StreamInfo, len(defs))
	for i, d := range defs {
		infos[i] = d.info
	}
	return infos
}

// Load loads the built-in stream called name. A name that is not
// built in but ends in .yaml or .yml is read as a stream file (see
// LoadFile).
func Load(name string, o Options) (*Stream, error) {
	for _, d := range builtins() {
		if d.info.Name == name {
			d.dir = DataDir(o.DataDir)
			d.hint = dataHint
			return d.load(o)
		}
	}
	if ext := filepath.Ext(name); ext == ".yaml" || ext == ".yml" {
		return LoadFile(name, o)
	}
	var names []string
	for _, d := range builtins() {
		names = append(names, d.info.Name)
	}
	return nil, fmt.Errorf("unknown stream %q (built-in: %s; or a .yaml stream file)",
		name, strings.Join(names, ", "))
}

// digest is the hex SHA-256 of the tasks' content: each name, kind,
// label and example in order, every string and list prefixed by its
// length so that no two contents encode alike.
func digest(ts []*Task) string {
	h := sha256.New()
	w := bufio.NewWriter(h)
	num := func(n int) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(n))
		w.Write(b[:])
	}
	str := func(s string) {
		num(len(s))
		w.WriteString(s)
	}
	num(len(ts))
	for _, t := range ts {
		str(t.Name)
		str(string(t.Kind))
		num(len(t.Labels))
		for _, l := range t.Labels {
			str(l)
		}
		// Image tasks' fields, written only for them, so that the
		// digests of text streams stay what they were.
		image := t.ImageSize > 0 || t.Head != "" || t.ActiveClasses > 0
		if image {
			num(t.ImageSize)
			str(t.Head)
			num(t.ActiveClasses)
		}
		for _, split := range [][]Example{t.Train, t.Test} {
			num(len(split))
			for _, e := range split {
				num(len(e.Words))
				for _, word := range e.Words {
					str(word)
				}
				num(e.Label)
				num(len(e.Tags))
				for _, tag := range e.Tags {
					num(tag)
				}
				if image {
					num(len(e.Pixels))
					w.Write(e.Pixels)
				}
			}
		}
	}
	w.Flush()
	return hex.EncodeToString(h.Sum(nil))
}

// hasEntity reports whether any example has a tag other than O (id 0).
func hasEntity(ex []Example) bool {
	for _, e := range ex {
		for _, t := range e.Tags {
			if t != 0 {
				return true
			}
		}
	}
	return false
}
