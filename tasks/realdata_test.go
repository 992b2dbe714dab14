package tasks

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// realData returns the folder of the real datasets: $CLBENCH_DATA, or
// the project's shared cache ../shared/datasets from the repository
// root. It skips t when the folder is absent.
func realData(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(DataEnv)
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "datasets")
	}
	if _, err := os.Stat(filepath.Join(dir, "sst2", "train.tsv")); err != nil {
		t.Skipf("real datasets not found in %s (set %s to the data folder to run this test): %v",
			dir, DataEnv, err)
	}
	return dir
}

// The label sets of the real data: the binary classify tasks use the
// files' labels 0 and 1; the tag tasks O and B-/I- of each entity type
// seen in training (types counted in the files with cut -f2 | sort -u).
var (
	binaryLabels = []string{"0", "1"}
	conllTypes   = []string{"location", "misc", "organisation", "person"}
	// Entity types per CrossNER domain.
	crossnerTypes = map[string][]string{
		"conll2003": conllTypes,
		"politics": {"country", "election", "event", "location", "misc", "organisation",
			"person", "politicalparty", "politician"},
		"science": {"academicjournal", "astronomicalobject", "award", "chemicalcompound",
			"chemicalelement", "country", "discipline", "enzyme", "event", "location",
			"misc", "organisation", "person", "protein", "scientist", "theory", "university"},
		"music": {"album", "award", "band", "country", "event", "location", "misc",
			"musicalartist", "musicalinstrument", "musicgenre", "organisation", "person", "song"},
		"literature": {"award", "book", "country", "event", "literarygenre", "location",
			"magazine", "misc", "organisation", "person", "poem", "writer"},
		"ai": {"algorithm", "conference", "country", "field", "location", "metrics", "misc",
			"organisation", "person", "product", "programlang", "researcher", "task", "university"},
	}
)

// bioLabels returns O, then B- and I- of each type, sorted.
func bioLabels(types []string) []string {
	labels := []string{}
	for _, typ := range types {
		labels = append(labels, "B-"+typ, "I-"+typ)
	}
	slices.Sort(labels)
	return append([]string{"O"}, labels...)
}

type wantTask struct {
	name        string
	train, test int
	labels      []string
	skipped     int
}

func TestRealStreams(t *testing.T) {
	dir := realData(t)
	crossner := func(d string, train, test int) wantTask {
		return wantTask{d, train, test, bioLabels(crossnerTypes[d]), 0}
	}
	// Counts: the files' sizes (README and wc), then the default
	// caps; electronics has 1,598 training reviews, under its cap.
	tests := []struct {
		stream string
		o      Options
		tasks  []wantTask
	}{
		{"sentiment-ner-domain", Options{}, []wantTask{
			{"sst2", 5000, 872, binaryLabels, 0},
			crossner("conll2003", 5000, 1000),
			{"electronics", 1598, 400, binaryLabels, 0},
		}},
		{"amazon-domains", Options{}, []wantTask{
			{"books", 1600, 400, binaryLabels, 0},
			{"dvd", 1600, 400, binaryLabels, 0},
			{"electronics", 1598, 400, binaryLabels, 0},
			{"kitchen_housewares", 1600, 400, binaryLabels, 0},
		}},
		// Test files of 651, 543, 465, 416 and 431 sentences, capped
		// at 500.
		{"ner-domains", Options{}, []wantTask{
			crossner("conll2003", 8000, 1000),
			crossner("politics", 200, 500),
			crossner("science", 200, 500),
			crossner("music", 100, 465),
			crossner("literature", 100, 416),
			crossner("ai", 100, 431),
		}},
		// 1,001 entries, one null skipped, 1,000 split 800/200.
		{"uci-domains", Options{}, []wantTask{
			{"amazon", 800, 200, binaryLabels, 1},
			{"imdb", 800, 200, binaryLabels, 1},
			{"yelp", 800, 200, binaryLabels, 1},
		}},
		// Without caps, the whole files: SST-2 60,614 / 872,
		// CoNLL-2003 14,041 / 3,453 sentences.
		{"sentiment-ner-domain", Options{MaxTrain: -1, MaxTest: -1}, []wantTask{
			{"sst2", 60614, 872, binaryLabels, 0},
			crossner("conll2003", 14041, 3453),
			{"electronics", 1598, 400, binaryLabels, 0},
		}},
		// Few-shot: every task after the first keeps 64.
		{"sentiment-ner-domain", Options{Shots: 64, Seed: 1}, []wantTask{
			{"sst2", 5000, 872, binaryLabels, 0},
			crossner("conll2003", 64, 1000),
			{"electronics", 64, 400, binaryLabels, 0},
		}},
	}
	for _, tt := range tests {
		name := tt.stream
		switch {
		case tt.o.Shots > 0:
			name += fmt.Sprintf(" %d shots", tt.o.Shots)
		case tt.o.MaxTrain < 0:
			name += " without caps"
		}
		t.Run(name, func(t *testing.T) {
			rec := &logRecorder{}
			o := tt.o
			o.DataDir, o.Logger = dir, slog.New(rec)
			s, err := Load(tt.stream, o)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Tasks) != len(tt.tasks) {
				t.Fatalf("%d tasks, want %d", len(s.Tasks), len(tt.tasks))
			}
			skips := 0
			for i, w := range tt.tasks {
				task := s.Tasks[i]
				if task.Name != w.name || len(task.Train) != w.train || len(task.Test) != w.test {
					t.Errorf("task %d: %s with %d train, %d test; want %s with %d, %d",
						i, task.Name, len(task.Train), len(task.Test), w.name, w.train, w.test)
				}
				if !slices.Equal(task.Labels, w.labels) {
					t.Errorf("%s: labels %q, want %q", task.Name, task.Labels, w.labels)
				}
				if len(task.Skipped) != w.skipped {
					t.Errorf("%s: skipped %q, want %d", task.Name, task.Skipped, w.skipped)
				}
				for _, msg := range task.Skipped {
					if !strings.Contains(msg, task.Name+`.json: entry 1000: "class" is null`) {
						t.Errorf("%s: skip message %q does not name the file and entry", task.Name, msg)
					}
				}
				skips += w.skipped
			}
			if len(rec.msgs) != skips {
				t.Errorf("logged %d warnings, want %d: %q", len(rec.msgs), skips, rec.msgs)
			}
		})
	}
}

// TestRealCapsAreFixed checks that a cap is part of the stream: the
// same task in two streams under the same caps (the flagship's
// CoNLL-2003 at 5,000, ner-domains' at 8,000 lowered to 5,000), or
// loaded with two run seeds, keeps the same examples.
func TestRealCapsAreFixed(t *testing.T) {
	dir := realData(t)
	a, err := Load("sentiment-ner-domain", Options{DataDir: dir, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load("ner-domains", Options{DataDir: dir, Seed: 2, MaxTrain: flagshipConllMaxTrain})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Tasks[1], b.Tasks[0]) {
		t.Error("conll2003 differs between sentiment-ner-domain and ner-domains")
	}
	c, err := Load("sentiment-ner-domain", Options{DataDir: dir, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest != c.Digest {
		t.Error("sentiment-ner-domain loaded with run seeds 1 and 3 has two digests")
	}
}
