package tasks

import (
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadFileExample(t *testing.T) {
	rec := &logRecorder{}
	path := filepath.Join("testdata", "example-stream.yaml")
	s, err := LoadFile(path, Options{Logger: slog.New(rec)})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "example" || s.Version != "1" || len(s.Digest) != 64 {
		t.Errorf("stream %q version %q digest %q, want example, 1, 64 hex digits",
			s.Name, s.Version, s.Digest)
	}
	tests := []struct {
		task        string
		kind        Kind
		train, test int
		labels      []string
		skipped     int
	}{
		// 8 reviews capped at max_train 6; 2 test reviews.
		{"reviews", Classify, 6, 2, []string{"0", "1"}, 0},
		{"products", Classify, 4, 2, []string{"0", "1"}, 0},
		// 2 sentences after the DOCSTART; types location and person.
		{"entities", Tag, 2, 1,
			[]string{"O", "B-location", "B-person", "I-location", "I-person"}, 0},
		// 9 entries, 1 null skipped, 8 split at 0.25: 6 and 2.
		{"sentences", Classify, 6, 2, []string{"0", "1"}, 1},
	}
	if len(s.Tasks) != len(tests) {
		t.Fatalf("%d tasks, want %d", len(s.Tasks), len(tests))
	}
	for i, tt := range tests {
		task := s.Tasks[i]
		if task.Name != tt.task || task.Kind != tt.kind || len(task.Train) != tt.train ||
			len(task.Test) != tt.test || !slices.Equal(task.Labels, tt.labels) ||
			len(task.Skipped) != tt.skipped {
			t.Errorf("task %d: %s %s, %d train, %d test, labels %q, %d skipped;\n"+
				"want %s %s, %d, %d, %q, %d", i, task.Name, task.Kind, len(task.Train),
				len(task.Test), task.Labels, len(task.Skipped),
				tt.task, tt.kind, tt.train, tt.test, tt.labels, tt.skipped)
		}
	}
	if len(rec.msgs) != 1 || !strings.Contains(rec.msgs[0], "sentences.json: entry 6") {
		t.Errorf("warnings %q, want one for sentences.json entry 6", rec.msgs)
	}

	// Load takes a stream file's path too.
	again, err := Load(path, Options{Logger: slog.New(&logRecorder{})})
	if err != nil || again.Digest != s.Digest {
		t.Errorf("Load(%s) = digest %v, error %v; want the same stream", path, again, err)
	}
}

func TestLoadFileErrors(t *testing.T) {
	// A valid task, to build broken files around. Its train file is
	// written next to each stream file.
	const task = "  - name: a\n    kind: classify\n    format: tsv\n    train: a.tsv\n"
	tests := []struct {
		name    string
		yaml    string
		wantErr string // after "stream.yaml"
	}{
		{"empty file", "", ": file is empty"},
		{"not YAML", "name: [x\n", ": yaml: line 1"},
		{"not a mapping", "- a\n- b\n", ":1: want a stream"},
		{"unknown top-level key", "name: s\nstreams: 1\ntasks:\n" + task,
			`:2: unknown key "streams" in a stream`},
		{"key given twice", "name: s\nname: t\ntasks:\n" + task, `:2: key "name" is given twice`},
		{"missing name", "version: \"2\"\ntasks:\n" + task, `:1: missing key "name"`},
		{"empty name", "name: \"\"\ntasks:\n" + task, `:1: "name" is empty`},
		{"a built-in's name", "name: synthetic\ntasks:\n" + task,
			`:1: "synthetic" is a built-in stream's name`},
		{"missing tasks", "name: s\n", `:1: missing key "tasks"`},
		{"empty task list", "name: s\ntasks: []\n", `:2: "tasks" must be a list of one or more tasks`},
		{"task not a mapping", "name: s\ntasks:\n  - a\n", ":3: want a task"},
		{"unknown task key", "name: s\ntasks:\n" + task + "    labels: [a, b]\n",
			`:7: unknown key "labels" in a task`},
		{"task without kind", "name: s\ntasks:\n  - name: a\n    format: tsv\n    train: a.tsv\n",
			`:3: missing key "kind"`},
		{"task without format", "name: s\ntasks:\n  - name: a\n    kind: tag\n    train: a.tsv\n",
			`:3: missing key "format"`},
		{"task without train", "name: s\ntasks:\n  - name: a\n    kind: tag\n    format: conll\n",
			`:3: missing key "train"`},
		{"task without name", "name: s\ntasks:\n  - kind: tag\n    format: conll\n    train: a\n",
			`:3: missing key "name"`},
		{"unknown kind", "name: s\ntasks:\n  - name: a\n    kind: regress\n" +
			"    format: tsv\n    train: a.tsv\n",
			`:4: unknown task kind "regress"`},
		{"unknown format", "name: s\ntasks:\n  - name: a\n    kind: classify\n" +
			"    format: csv\n    train: a.tsv\n",
			`:5: unknown format "csv"`},
		{"format that cannot hold the kind", "name: s\ntasks:\n  - name: a\n    kind: tag\n" +
			"    format: tsv\n    train: a.tsv\n",
			`:5: task a: a tag task cannot read tsv files`},
		{"duplicate task names", "name: s\ntasks:\n" + task + task,
			`:7: task name "a" is used twice (first at line 3)`},
		{"key for another format", "name: s\ntasks:\n" + task + "    label_field: y\n",
			`:7: "label_field" does not apply to tsv files`},
		{"header not a boolean", "name: s\ntasks:\n" + task + "    header: maybe\n",
			`:7: "header" must be true or false`},
		{"negative cap", "name: s\ntasks:\n" + task + "    max_train: -5\n",
			`:7: "max_train" must be an integer, 0 (no cap) or more`},
		{"cap not a number", "name: s\ntasks:\n" + task + "    max_test: lots\n",
			`:7: "max_test" must be an integer`},
		{"test fraction out of range", "name: s\ntasks:\n" + task + "    test_fraction: 1.5\n",
			`:7: "test_fraction" must be a number between 0 and 1`},
		{"test fraction with a test file",
			"name: s\ntasks:\n" + task + "    test: b.tsv\n    test_fraction: 0.1\n",
			`:8: "test_fraction" applies only when "test" is omitted`},
		{"list where a value belongs", "name: s\ntasks:\n" + task + "    test: [a, b]\n",
			`:7: "test" must be a value`},
		{"data_seed not an integer", "name: s\ndata_seed: x\ntasks:\n" + task,
			`:2: "data_seed" must be an integer`},
		{"missing data file", "name: s\ntasks:\n" + task + "    test: missing.tsv\n",
			"data file missing.tsv not found in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "a.tsv", "sentence\tlabel\ngood\t1\nbad\t0\n")
			path := writeFile(t, dir, "stream.yaml", tt.yaml)
			_, err := LoadFile(path, Options{})
			want := tt.wantErr
			if strings.HasPrefix(want, ":") {
				want = "stream.yaml" + want
			}
			checkErr(t, err, want)
		})
	}
}

func TestLoadFileMissingDataHint(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "s.yaml",
		"name: s\ntasks:\n  - name: a\n    kind: classify\n    format: tsv\n    train: data/a.tsv\n")
	_, err := LoadFile(path, Options{})
	// Names the file as written, the folder searched, and the rule.
	for _, want := range []string{"data/a.tsv", dir, "relative to its folder"} {
		checkErr(t, err, want)
	}
}

func TestLoadFileParquet(t *testing.T) {
	dir := t.TempDir()
	writeParquet(t, dir, "ner.parquet", []nerRow{
		{[]string{"Ada", "Lovelace", "wrote"}, []string{"B-person", "I-person", "O"}},
		{[]string{"in", "London"}, []string{"O", "B-location"}},
		{[]string{"Turing", "ran"}, []string{"B-person", "O"}},
	})
	path := writeFile(t, dir, "s.yaml", `name: pq
tasks:
  - name: ner
    kind: tag
    format: parquet
    train: ner.parquet
    test: ner.parquet
    tokens_column: tokens
    tags_column: tags
`)
	s, err := LoadFile(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if task := s.Tasks[0]; len(task.Train) != 3 || len(task.Test) != 3 || len(task.Labels) != 5 {
		t.Errorf("ner: %d train, %d test, %d labels, want 3, 3, 5",
			len(task.Train), len(task.Test), len(task.Labels))
	}
}
