package tasks

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestDataDir(t *testing.T) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	tests := []struct {
		name, flag, env, want string
	}{
		{"flag wins", "/from/flag", "/from/env", "/from/flag"},
		{"then the environment", "", "/from/env", "/from/env"},
		{"then the user cache", "", "", filepath.Join(cache, "clbench")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(DataEnv, tt.env)
			if got := DataDir(tt.flag); got != tt.want {
				t.Errorf("DataDir(%q) with %s=%q = %q, want %q", tt.flag, DataEnv, tt.env, got, tt.want)
			}
		})
	}
}

func TestStreamsList(t *testing.T) {
	infos := Streams()
	var names []string
	for _, s := range infos {
		names = append(names, s.Name)
		if s.Version == "" || s.Description == "" || len(s.Tasks) == 0 || len(s.Specs) != len(s.Tasks) {
			t.Errorf("stream %s is incomplete: %+v", s.Name, s)
		}
	}
	want := []string{"amazon-domains", "ner-domains",
		"permuted-mnist-class", "permuted-mnist-domain", "permuted-mnist-task",
		"sentiment-ner-domain",
		"split-mnist-class", "split-mnist-domain", "split-mnist-task",
		"synthetic", "uci-domains"}
	if !slices.Equal(names, want) {
		t.Errorf("Streams() = %q, want %q (sorted by name)", names, want)
	}
	for _, s := range infos {
		if s.Name == "synthetic" && s.NeedsData {
			t.Error("synthetic says it needs data")
		}
		if s.Name != "synthetic" && !s.NeedsData {
			t.Errorf("%s says it needs no data", s.Name)
		}
	}
}

func TestStreamCapsReadable(t *testing.T) {
	// The caps of the flagship's version 2 (builtin.go): 5,000 training
	// examples of SST-2 and CoNLL-2003, the whole SST-2 dev set, and
	// all of electronics (about 1,600 / 400).
	want := map[string][2]int{"sst2": {5000, 872}, "conll2003": {5000, 1000}, "electronics": {1600, 400}}
	for _, s := range Streams() {
		if s.Name != "sentiment-ner-domain" {
			continue
		}
		for _, spec := range s.Specs {
			if got := [2]int{spec.MaxTrain, spec.MaxTest}; got != want[spec.Name] {
				t.Errorf("%s caps = %v, want %v", spec.Name, got, want[spec.Name])
			}
		}
	}
}

func TestLoadUnknownStream(t *testing.T) {
	_, err := Load("no-such-stream", Options{})
	checkErr(t, err, `unknown stream "no-such-stream" (built-in: amazon-domains, ner-domains`)
}

func TestLoadMissingData(t *testing.T) {
	dir := t.TempDir()
	_, err := Load("sentiment-ner-domain", Options{DataDir: dir})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not match fs.ErrNotExist", err)
	}
	// It names the file, the folder, and how to set the folder.
	for _, want := range []string{"sst2/train.tsv", dir, "--data", DataEnv} {
		checkErr(t, err, want)
	}
}

func TestLoadBadOptions(t *testing.T) {
	_, err := Load("synthetic", Options{Shots: -1})
	checkErr(t, err, "shots is -1")
}

// logRecorder is a slog.Handler that keeps the messages of warnings.
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logRecorder) WithGroup(string) slog.Handler            { return h }
func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Level >= slog.LevelWarn {
		var b strings.Builder
		b.WriteString(r.Message)
		r.Attrs(func(a slog.Attr) bool {
			b.WriteString(" " + a.String())
			return true
		})
		h.msgs = append(h.msgs, b.String())
	}
	return nil
}

// fakeUCI writes a uci-sentences folder with n labelled entries and
// one null entry per domain.
func fakeUCI(t *testing.T, n int) string {
	dir := t.TempDir()
	for _, d := range []string{"amazon", "imdb", "yelp"} {
		var b strings.Builder
		b.WriteString("[")
		for i := range n {
			b.WriteString(`{"text":"` + d + ` sentence ` + string(rune('a'+i%26)) + `","class":` +
				string(rune('0'+i%2)) + `},`)
		}
		b.WriteString(`{"text":"","class":null}]`)
		writeFile(t, dir, "uci-sentences/"+d+".json", b.String())
	}
	return dir
}

func TestLoadUCIFromDataDir(t *testing.T) {
	rec := &logRecorder{}
	s, err := Load("uci-domains", Options{DataDir: fakeUCI(t, 10), Logger: slog.New(rec)})
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range s.Tasks {
		// 10 entries held out at 0.2: 8 and 2.
		if len(task.Train) != 8 || len(task.Test) != 2 {
			t.Errorf("%s: %d train and %d test, want 8 and 2", task.Name, len(task.Train), len(task.Test))
		}
		want := task.Name + `.json: entry 10: "class" is null`
		if len(task.Skipped) != 1 || !strings.Contains(task.Skipped[0], want) {
			t.Errorf("%s: skipped %q, want one skip of entry 10", task.Name, task.Skipped)
		}
	}
	if len(rec.msgs) != 3 {
		t.Errorf("logged %d warnings, want 3 (one per file): %q", len(rec.msgs), rec.msgs)
	}
}

func TestLoadSynthetic(t *testing.T) {
	s, err := Load("synthetic", Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantLabels := map[string][]string{
		"movie-sentiment":   {"negative", "positive"},
		"people-places":     {"O", "B-location", "B-person", "I-location", "I-person"},
		"product-sentiment": {"negative", "positive"},
	}
	if s.Name != "synthetic" || s.Version != "1" || len(s.Tasks) != 3 {
		t.Fatalf("loaded %s v%s with %d tasks, want synthetic v1 with 3", s.Name, s.Version, len(s.Tasks))
	}
	for _, task := range s.Tasks {
		if len(task.Train) != syntheticTrain || len(task.Test) != syntheticTest {
			t.Errorf("%s: %d train, %d test, want %d and %d",
				task.Name, len(task.Train), len(task.Test), syntheticTrain, syntheticTest)
		}
		if !slices.Equal(task.Labels, wantLabels[task.Name]) {
			t.Errorf("%s: labels %q, want %q", task.Name, task.Labels, wantLabels[task.Name])
		}
		for _, e := range append(task.Train, task.Test...) {
			if len(e.Words) < syntheticMinLen || len(e.Words) > syntheticMaxLen {
				t.Fatalf("%s: sentence of %d words %q, want %d to %d",
					task.Name, len(e.Words), e.Words, syntheticMinLen, syntheticMaxLen)
			}
		}
	}
	// Pinned: the synthetic stream's content is part of version 1.
	// If this changes, the generator changed; bump its version.
	const wantDigest = "8f4fc6bab87e"
	if !strings.HasPrefix(s.Digest, wantDigest) || len(s.Digest) != 64 {
		t.Errorf("digest %s, want 64 hex digits starting %s", s.Digest, wantDigest)
	}
}

func TestLoadOptions(t *testing.T) {
	load := func(o Options) *Stream {
		t.Helper()
		s, err := Load("synthetic", o)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := load(Options{})
	tests := []struct {
		name       string
		o          Options
		wantTrain  []int // per task
		wantTest   int
		sameDigest bool
	}{
		{"no options", Options{}, []int{512, 512, 512}, 128, true},
		{"seed alone changes nothing", Options{Seed: 9}, []int{512, 512, 512}, 128, true},
		{"no caps", Options{MaxTrain: -1, MaxTest: -1}, []int{512, 512, 512}, 128, true},
		{"caps replaced", Options{MaxTrain: 100, MaxTest: 20}, []int{100, 100, 100}, 20, false},
		{"few-shot spares the first task", Options{Shots: 16, Seed: 1}, []int{512, 16, 16}, 128, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := load(tt.o)
			for i, task := range s.Tasks {
				if len(task.Train) != tt.wantTrain[i] || len(task.Test) != tt.wantTest {
					t.Errorf("%s: %d train, %d test, want %d and %d",
						task.Name, len(task.Train), len(task.Test), tt.wantTrain[i], tt.wantTest)
				}
			}
			if (s.Digest == base.Digest) != tt.sameDigest {
				t.Errorf("digest same as default = %v, want %v", s.Digest == base.Digest, tt.sameDigest)
			}
			if again := load(tt.o); again.Digest != s.Digest {
				t.Error("loading twice with the same options gave different digests")
			}
		})
	}

	// Few-shot sampling depends on the seed; caps do not.
	if load(Options{Shots: 16, Seed: 1}).Digest == load(Options{Shots: 16, Seed: 2}).Digest {
		t.Error("few-shot samples of seeds 1 and 2 are the same")
	}
	if load(Options{MaxTrain: 100, Seed: 1}).Digest != load(Options{MaxTrain: 100, Seed: 2}).Digest {
		t.Error("a cap drew different examples for different run seeds")
	}

	// Few-shot keeps both labels of a classify task.
	for _, task := range load(Options{Shots: 2, Seed: 3}).Tasks[1:] {
		if task.Kind != Classify {
			continue
		}
		if task.Train[0].Label == task.Train[1].Label {
			t.Errorf("%s: 2 shots of one label", task.Name)
		}
	}
}

func TestDigestSeesContent(t *testing.T) {
	mk := func() []*Task {
		return []*Task{{Name: "a", Kind: Classify, Labels: []string{"0", "1"},
			Train: []Example{cls(0, "x", "y")}, Test: []Example{cls(1, "z")}}}
	}
	base := digest(mk())
	edits := []struct {
		name string
		edit func(ts []*Task)
	}{
		{"task name", func(ts []*Task) { ts[0].Name = "b" }},
		{"kind", func(ts []*Task) { ts[0].Kind = Tag }},
		{"label name", func(ts []*Task) { ts[0].Labels[1] = "2" }},
		{"a word", func(ts []*Task) { ts[0].Train[0].Words[1] = "Y" }},
		{"word boundary", func(ts []*Task) { ts[0].Train[0].Words = []string{"xy"} }},
		{"a label id", func(ts []*Task) { ts[0].Test[0].Label = 0 }},
		{"example moved between splits", func(ts []*Task) {
			ts[0].Test = append(ts[0].Test, ts[0].Train[0])
			ts[0].Train = nil
		}},
	}
	for _, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			ts := mk()
			e.edit(ts)
			if digest(ts) == base {
				t.Errorf("changing the %s left the digest unchanged", e.name)
			}
		})
	}
	if digest(mk()) != base {
		t.Error("the same content gave two digests")
	}
}

// TestDocListsStreams keeps the package documentation's table of
// built-in streams in step with Streams.
func TestDocListsStreams(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Streams() {
		if want := s.Name + " v" + s.Version; !strings.Contains(string(doc), want) {
			t.Errorf("doc.go does not list %q", want)
		}
	}
}
