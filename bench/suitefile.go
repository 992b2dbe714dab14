package bench

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/clbench/clbench/internal/yamlerr"
)

// SuiteFile is a suite as written in YAML: which streams (and few-shot
// variants), strategies (with parameters), seeds, model, protocol and
// backend. It expands into runs in a fixed order; see Suite.Runs.
//
//	name: flagship
//	streams:
//	  - name: sentiment-ner-domain   # a built-in stream, or
//	  - file: streams/mine.yaml      # a stream file (relative to this file)
//	    shots: [0, 64, 256]          # 0 = the full stream (default [0])
//	strategies:
//	  - finetune
//	  - name: ewc
//	    params: {lambda: "1000"}
//	  - name: concept-graph          # a file parameter is relative to this file
//	    params: {file: ties.yaml}    # and recorded by its base name (and content)
//	seeds: 3                         # seeds 1..3, or a list: [1, 7, 42]
//	model: tiny                      # default: the streams' own (tiny for text)
//	backend: go
//	epochs: 2                        # or iterations: 2000 (steps per task)
//	batch_size: 32
//	lr: 0.001
//	max_train: 0                     # 0: each stream's own caps; -1: none
//	max_test: 0
//	data: ../datasets                # optional data folder (relative to this file)
//	diagnostics: true                # measure why tasks were forgotten (see Diagnostic)
//	pretrain: fdu-mtl                # start from an encoder pre-trained on this corpus (see Base)
type SuiteFile struct {
	Name       string          `yaml:"name"`
	Streams    []SuiteStream   `yaml:"streams"`
	Strategies []SuiteStrategy `yaml:"strategies"`
	Seeds      SuiteSeeds      `yaml:"seeds"`
	Model      string          `yaml:"model"`
	Backend    string          `yaml:"backend"`
	Epochs     int             `yaml:"epochs"`
	Iterations int             `yaml:"iterations"`
	BatchSize  int             `yaml:"batch_size"`
	LR         float64         `yaml:"lr"`
	MaxTrain   int             `yaml:"max_train"`
	MaxTest    int             `yaml:"max_test"`
	Data       string          `yaml:"data"`
	// Diagnostics asks every run for its forgetting diagnostics.
	Diagnostics bool `yaml:"diagnostics"`
	// Pretrain names the corpus (tasks.Corpora) of the masked-token
	// pre-training every run starts from; empty for a random start.
	Pretrain string `yaml:"pretrain"`

	// Path is the file the suite was read from.
	Path string `yaml:"-"`
}

// SuiteStream is one stream of a suite with its few-shot variants.
type SuiteStream struct {
	Name  string `yaml:"name"`
	File  string `yaml:"file"`
	Shots []int  `yaml:"shots"`
	// Line is the stream's line in its suite file; 0 when it was not
	// read from one.
	Line int `yaml:"-"`
}

// SuiteStrategy is a strategy name with parameters. In YAML it is
// either a plain name or a mapping with name and params.
type SuiteStrategy struct {
	Name   string            `yaml:"name"`
	Params map[string]string `yaml:"params"`
	// Line is the strategy's line in its suite file; 0 when it was not
	// read from one.
	Line int `yaml:"-"`
}

// UnmarshalYAML accepts a plain name as well as a mapping.
func (s *SuiteStrategy) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		s.Name = n.Value
		return nil
	}
	type plain SuiteStrategy
	var p plain
	if err := decodeStrict(n, &p); err != nil {
		return err
	}
	*s = SuiteStrategy(p)
	return nil
}

// SuiteSeeds is a count N (seeds 1..N) or an explicit list.
type SuiteSeeds []int64

// UnmarshalYAML accepts a count or a list.
func (s *SuiteSeeds) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var count int
		if err := n.Decode(&count); err != nil || count < 1 {
			return fmt.Errorf("line %d: seeds must be a positive count or a list, got %q", n.Line, n.Value)
		}
		*s = make(SuiteSeeds, count)
		for i := range *s {
			(*s)[i] = int64(i + 1)
		}
		return nil
	}
	var list []int64
	if err := n.Decode(&list); err != nil {
		return fmt.Errorf("line %d: seeds: %w", n.Line, err)
	}
	*s = list
	return nil
}

func decodeStrict(n *yaml.Node, v any) error {
	if err := knownKeys(n, v); err != nil {
		return err
	}
	return n.Decode(v)
}

// knownKeys checks that every key of the mapping n is a yaml key of the
// struct v points to; the error names the key's own line and the keys
// there are.
func knownKeys(n *yaml.Node, v any) error {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var known []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			known = append(known, name)
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i]
		if !slices.Contains(known, key.Value) {
			return fmt.Errorf("line %d: unknown key %q (known keys: %s)", key.Line, key.Value,
				strings.Join(known, ", "))
		}
	}
	return nil
}

// checkSuiteKeys checks the keys of a suite file's mappings (the file,
// its streams and its strategies) before it is decoded.
func checkSuiteKeys(doc *yaml.Node) error {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil
	}
	if err := knownKeys(doc.Content[0], &SuiteFile{}); err != nil {
		return err
	}
	for _, list := range []struct {
		key string
		v   any
	}{{"streams", &SuiteStream{}}, {"strategies", &SuiteStrategy{}}} {
		if seq := topValue(doc, list.key); seq != nil && seq.Kind == yaml.SequenceNode {
			for _, item := range seq.Content {
				if err := knownKeys(item, list.v); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// ReadSuiteFile reads and checks a suite file. Errors name the file and,
// where YAML gives one, the line.
func ReadSuiteFile(path string) (*SuiteFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", path, yamlerr.Plain(err))
	}
	if root.Kind == 0 {
		return nil, fmt.Errorf("%s: empty suite file (want name, streams, strategies, ...)", path)
	}
	if err := checkSuiteKeys(&root); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	var sf SuiteFile
	if err := dec.Decode(&sf); err != nil {
		return nil, fmt.Errorf("%s: %w", path, yamlerr.Plain(err))
	}
	if seq := topValue(&root, "strategies"); seq != nil && seq.Kind == yaml.SequenceNode {
		for i := range sf.Strategies {
			if i < len(seq.Content) {
				sf.Strategies[i].Line = seq.Content[i].Line
			}
		}
	}
	sf.Path = path
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...))
	}
	// A value written as 0 is not "the default": say so rather than run
	// something else than the file says.
	if topValue(&root, "epochs") != nil && topValue(&root, "iterations") != nil {
		return nil, fail("line %d: give epochs or iterations, not both", topValue(&root, "iterations").Line)
	}
	for _, key := range []string{"epochs", "iterations", "batch_size", "lr"} {
		if v := topValue(&root, key); v != nil {
			var x float64
			if err := v.Decode(&x); err == nil && (!(x > 0) || math.IsInf(x, 0)) {
				return nil, fail("line %d: %s must be a positive number, got %s (leave it out for the default)",
					v.Line, key, v.Value)
			}
		}
	}
	for _, key := range []string{"max_train", "max_test"} {
		if v := topValue(&root, key); v != nil {
			var x int
			if err := v.Decode(&x); err == nil && x < -1 {
				return nil, fail("line %d: %s must be a number of examples, 0 (each stream's own "+
					"caps) or -1 (no cap), got %d", v.Line, key, x)
			}
		}
	}
	if len(sf.Streams) == 0 {
		return nil, fail("no streams")
	}
	if len(sf.Strategies) == 0 {
		return nil, fail("no strategies")
	}
	if v := topValue(&root, "seeds"); v != nil && len(sf.Seeds) == 0 {
		// Written but empty ([] or nothing): not the default seed 1.
		return nil, fail("line %d: seeds lists no seeds; give a count (seeds: 3) or a list "+
			"(seeds: [1, 7, 42]), or leave seeds out for seed 1", v.Line)
	}
	if len(sf.Seeds) == 0 {
		sf.Seeds = SuiteSeeds{1}
	}
	lineOf := func(key string, i int) int {
		if seq := topValue(&root, key); seq != nil && seq.Kind == yaml.SequenceNode && i < len(seq.Content) {
			return seq.Content[i].Line
		}
		return 0
	}
	dir := filepath.Dir(path)
	for i := range sf.Streams {
		st := &sf.Streams[i]
		st.Line = lineOf("streams", i)
		if (st.Name == "") == (st.File == "") {
			return nil, fail("line %d: stream %d: give exactly one of name and file", lineOf("streams", i), i+1)
		}
		if st.File != "" && !filepath.IsAbs(st.File) {
			st.File = filepath.Join(dir, st.File)
		}
		if len(st.Shots) == 0 {
			if streams := topValue(&root, "streams"); streams != nil && i < len(streams.Content) {
				if v := mappingValue(streams.Content[i], "shots"); v != nil {
					// Written but empty: not the default full stream.
					return nil, fail("line %d: stream %d's shots lists none; give them (shots: [0, 64]) "+
						"or leave shots out for the full stream", v.Line, i+1)
				}
			}
			st.Shots = []int{0}
		}
		for _, n := range st.Shots {
			if n < 0 {
				return nil, fail("line %d: stream %d: shots must not be negative, got %d", lineOf("streams", i), i+1, n)
			}
		}
	}
	// Repeats would be the same runs twice: an error, not a silent skip.
	seenStream := map[string]int{}
	for i, st := range sf.Streams {
		key := st.Name + "\x00" + st.File
		if j, ok := seenStream[key]; ok {
			return nil, fail("line %d: stream %d repeats stream %d (line %d); list its shots once instead",
				lineOf("streams", i), i+1, j+1, lineOf("streams", j))
		}
		seenStream[key] = i
		seenShots := map[int]bool{}
		for _, n := range st.Shots {
			if seenShots[n] {
				return nil, fail("line %d: stream %d lists shots %d twice", lineOf("streams", i), i+1, n)
			}
			seenShots[n] = true
		}
	}
	seenStrategy := map[string]int{}
	for i, s := range sf.Strategies {
		if s.Name == "" {
			return nil, fail("line %d: strategy %d has no name", lineOf("strategies", i), i+1)
		}
		key := s.Name + "\x00" + canonicalJSON(s.Params)
		if j, ok := seenStrategy[key]; ok {
			return nil, fail("line %d: strategy %d repeats strategy %d (line %d), %s with the same parameters",
				lineOf("strategies", i), i+1, j+1, lineOf("strategies", j), s.Name)
		}
		seenStrategy[key] = i
	}
	seenSeed := map[int64]bool{}
	for _, seed := range sf.Seeds {
		if seenSeed[seed] {
			return nil, fail("line %d: seed %d is listed twice", topValue(&root, "seeds").Line, seed)
		}
		seenSeed[seed] = true
	}
	if sf.Data != "" && !filepath.IsAbs(sf.Data) {
		sf.Data = filepath.Join(dir, sf.Data)
	}
	return &sf, nil
}

// topValue returns the value of key in the document's top-level
// mapping, or nil.
func topValue(doc *yaml.Node, key string) *yaml.Node {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	return mappingValue(doc.Content[0], key)
}

// mappingValue returns the value of key in mapping m, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// ParseShard parses "i/n" (1 <= i <= n).
func ParseShard(s string) (index, count int, err error) {
	if _, err := fmt.Sscanf(s, "%d/%d", &index, &count); err != nil || count < 1 || index < 1 || index > count ||
		fmt.Sprintf("%d/%d", index, count) != s {
		return 0, 0, fmt.Errorf("shard %q: want i/n with 1 <= i <= n", s)
	}
	return index, count, nil
}

// ShardFromEnv finds the shard a batch system assigned through its
// environment: Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX, 0-based,
// with the count in CLBENCH_SHARD_COUNT since Kubernetes does not export
// it), Slurm job arrays (SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_MIN
// and SLURM_ARRAY_TASK_COUNT). It returns the shard, the source it came
// from, and ok=false when none is set.
func ShardFromEnv(getenv func(string) string) (index, count int, source string, err error) {
	atoi := func(name string) (int, error) {
		var v int
		if _, err := fmt.Sscan(getenv(name), &v); err != nil {
			return 0, fmt.Errorf("%s=%q is not a number", name, getenv(name))
		}
		return v, nil
	}
	switch {
	case getenv("JOB_COMPLETION_INDEX") != "":
		i, err := atoi("JOB_COMPLETION_INDEX")
		if err != nil {
			return 0, 0, "", err
		}
		if getenv("CLBENCH_SHARD_COUNT") == "" {
			return 0, 0, "", errors.New("JOB_COMPLETION_INDEX is set but CLBENCH_SHARD_COUNT is not " +
				"(set it to the Job's completions)")
		}
		n, err := atoi("CLBENCH_SHARD_COUNT")
		if err != nil {
			return 0, 0, "", err
		}
		index, count, source = i+1, n, "Kubernetes JOB_COMPLETION_INDEX"
	case getenv("SLURM_ARRAY_TASK_ID") != "":
		if step := getenv("SLURM_ARRAY_TASK_STEP"); step != "" && step != "1" {
			return 0, 0, "", fmt.Errorf("SLURM_ARRAY_TASK_STEP=%s: give the job array without a step "+
				"(e.g. --array=0-3), so that its tasks number the shards", step)
		}
		id, err := atoi("SLURM_ARRAY_TASK_ID")
		if err != nil {
			return 0, 0, "", err
		}
		lo := 0
		if getenv("SLURM_ARRAY_TASK_MIN") != "" {
			if lo, err = atoi("SLURM_ARRAY_TASK_MIN"); err != nil {
				return 0, 0, "", err
			}
		}
		n, err := atoi("SLURM_ARRAY_TASK_COUNT")
		if err != nil {
			return 0, 0, "", err
		}
		index, count, source = id-lo+1, n, "Slurm SLURM_ARRAY_TASK_ID"
	default:
		return 0, 0, "", nil
	}
	if index < 1 || index > count {
		return 0, 0, "", fmt.Errorf("%s gives shard %d of %d", source, index, count)
	}
	return index, count, source, nil
}
