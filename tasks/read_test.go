package tasks

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// writeFile writes content to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readCase is one loader test: a training file, optionally a test file
// read with the training labels, and what should come out.
type readCase struct {
	name  string
	opts  FileOptions
	train string
	test  string // empty: no test file
	// Either the examples and labels of the training file ...
	want       []Example
	wantLabels []string
	// ... or an error, which must contain wantErr (file name and line
	// included, e.g. "train.tsv:3: ...").
	wantErr string
	// wantWarn, when set, must appear in a skip warning.
	wantWarn string
}

// runReadCases runs cases whose files are called trainName and
// testName.
func runReadCases(t *testing.T, trainName, testName string, cases []readCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var warnings []string
			o := tc.opts
			o.Warn = func(msg string) { warnings = append(warnings, msg) }

			ex, labels, err := ReadFile(writeFile(t, dir, trainName, tc.train), o, nil)
			if err == nil && tc.test != "" {
				_, _, err = ReadFile(writeFile(t, dir, testName, tc.test), o, labels)
			}
			checkErr(t, err, tc.wantErr)
			if tc.wantErr != "" {
				return
			}
			if !reflect.DeepEqual(ex, tc.want) {
				t.Errorf("examples:\n got %+v\nwant %+v", ex, tc.want)
			}
			if !slices.Equal(labels, tc.wantLabels) {
				t.Errorf("labels = %q, want %q", labels, tc.wantLabels)
			}
			if tc.wantWarn == "" && len(warnings) > 0 {
				t.Errorf("unexpected warnings %q", warnings)
			}
			if tc.wantWarn != "" && !slices.ContainsFunc(warnings, func(w string) bool {
				return strings.Contains(w, tc.wantWarn)
			}) {
				t.Errorf("warnings %q, want one containing %q", warnings, tc.wantWarn)
			}
		})
	}
}

// checkErr fails t unless err contains want, or is nil when want is
// empty.
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Fatalf("no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error %q, want one containing %q", err, want)
	}
}

// cls is a classify example.
func cls(label int, words ...string) Example { return Example{Words: words, Label: label} }

// tagged is a tag example from "word/tagid" pairs.
func tagged(pairs ...string) Example {
	var e Example
	for _, p := range pairs {
		i := strings.LastIndex(p, "/")
		e.Words = append(e.Words, p[:i])
		e.Tags = append(e.Tags, int(p[i+1]-'0'))
	}
	return e
}

func TestReadTSV(t *testing.T) {
	sst := FileOptions{Format: FormatTSV, Kind: Classify}
	fdu := FileOptions{Format: FormatTSV, Kind: Classify, NoHeader: true}
	binary := []string{"0", "1"}
	runReadCases(t, "train.tsv", "test.tsv", []readCase{
		{
			name:       "SST-2 layout with header",
			opts:       sst,
			train:      "sentence\tlabel\nit 's good \t1\nbad .\t0\n",
			want:       []Example{cls(1, "it", "'s", "good"), cls(0, "bad", ".")},
			wantLabels: binary,
		},
		{
			name:       "byte-order mark and CRLF",
			opts:       sst,
			train:      "\uFEFFsentence\tlabel\r\ngood\t1\r\nbad\t0\r\n",
			want:       []Example{cls(1, "good"), cls(0, "bad")},
			wantLabels: binary,
		},
		{
			name:       "no final newline, blank lines skipped",
			opts:       sst,
			train:      "sentence\tlabel\n\ngood\t1\n  \nbad\t0",
			want:       []Example{cls(1, "good"), cls(0, "bad")},
			wantLabels: binary,
		},
		{
			name:       "columns found by name in any order",
			opts:       sst,
			train:      "label\tsentence\npos\tgood\nneg\tbad\n",
			want:       []Example{cls(1, "good"), cls(0, "bad")},
			wantLabels: []string{"neg", "pos"},
		},
		{
			name:       "FDU-MTL layout without header",
			opts:       fdu,
			train:      "1\tgreat phone\n0\tit broke\n",
			want:       []Example{cls(1, "great", "phone"), cls(0, "it", "broke")},
			wantLabels: binary,
		},
		{
			name: "columns by index, extra columns allowed",
			opts: FileOptions{Format: FormatTSV, Kind: Classify, NoHeader: true,
				TextColumn: "2", LabelColumn: "0", Delimiter: ","},
			train:      "b,x,fine day\na,y,rain\n",
			want:       []Example{cls(1, "fine", "day"), cls(0, "rain")},
			wantLabels: []string{"a", "b"},
		},
		{
			name:       "labels sorted as strings",
			opts:       fdu,
			train:      "2\tc\n10\ta\n1\tb\n",
			want:       []Example{cls(2, "c"), cls(1, "a"), cls(0, "b")},
			wantLabels: []string{"1", "10", "2"},
		},
		{
			name:       "test split with known labels",
			opts:       sst,
			train:      "sentence\tlabel\ngood\t1\nbad\t0\n",
			test:       "sentence\tlabel\nfine\t1\n",
			want:       []Example{cls(1, "good"), cls(0, "bad")},
			wantLabels: binary,
		},
		{
			name:       "skip_invalid reports the skipped row",
			opts:       FileOptions{Format: FormatTSV, Kind: Classify, SkipInvalid: true},
			train:      "sentence\tlabel\ngood\t1\nno label here\nbad\t0\n",
			want:       []Example{cls(1, "good"), cls(0, "bad")},
			wantLabels: binary,
			wantWarn:   "train.tsv:3: row has 1 column, want 2",
		},
		{
			name:    "row with one column",
			opts:    sst,
			train:   "sentence\tlabel\ngood\t1\nno label here\n",
			wantErr: "train.tsv:3: row has 1 column, want 2",
		},
		{
			name:    "row with too many columns",
			opts:    sst,
			train:   "sentence\tlabel\ngood\t1\textra\n",
			wantErr: "train.tsv:2: row has 3 columns, want 2",
		},
		{
			name:    "too few columns without header",
			opts:    fdu,
			train:   "1\tgood\n0\n",
			wantErr: "train.tsv:2: row has 1 column, want at least 2",
		},
		{
			name:    "empty label",
			opts:    sst,
			train:   "sentence\tlabel\ngood\t \n",
			wantErr: "train.tsv:2: label is empty",
		},
		{
			name:    "empty text",
			opts:    fdu,
			train:   "1\tgood\n0\t\n",
			wantErr: "train.tsv:2: text is empty",
		},
		{
			name:    "unknown column name",
			opts:    FileOptions{Format: FormatTSV, Kind: Classify, TextColumn: "text"},
			train:   "sentence\tlabel\ngood\t1\n",
			wantErr: `train.tsv:1: text column: no column "text" in the header (columns: sentence, label)`,
		},
		{
			name:    "column index that is not a number",
			opts:    FileOptions{Format: FormatTSV, Kind: Classify, NoHeader: true, TextColumn: "text"},
			train:   "1\tgood\n",
			wantErr: `train.tsv: text column: "text" is not a column index`,
		},
		{
			name:    "empty file",
			opts:    sst,
			train:   "",
			wantErr: "train.tsv: file is empty",
		},
		{
			name:    "only a byte-order mark and blank lines",
			opts:    fdu,
			train:   "\uFEFF\r\n\n",
			wantErr: "train.tsv: file is empty",
		},
		{
			name:    "blank lines only, with a header expected",
			opts:    sst,
			train:   "\n \r\n\n",
			wantErr: "train.tsv: file is empty",
		},
		{
			name:       "blank lines before the header",
			opts:       sst,
			train:      "\n\nsentence\tlabel\ngood\t1\n",
			want:       []Example{cls(0, "good")},
			wantLabels: []string{"1"},
		},
		{
			name:    "header only",
			opts:    sst,
			train:   "sentence\tlabel\n",
			wantErr: "train.tsv: no examples",
		},
		{
			name:    "test label never seen in training",
			opts:    sst,
			train:   "sentence\tlabel\ngood\t1\nbad\t0\n",
			test:    "sentence\tlabel\nfine\t1\nodd\t2\n",
			wantErr: `test.tsv:3: label "2" was never seen in training`,
		},
		{
			name:    "tag task cannot read tsv",
			opts:    FileOptions{Format: FormatTSV, Kind: Tag},
			train:   "sentence\tlabel\ngood\t1\n",
			wantErr: "train.tsv: a tag task cannot read tsv files",
		},
	})
}

func TestReadCoNLL(t *testing.T) {
	conll := FileOptions{Format: FormatCoNLL, Kind: Tag}
	// Labels of a file with the types location and person.
	locPer := []string{"O", "B-location", "B-person", "I-location", "I-person"}
	runReadCases(t, "train.txt", "test.txt", []readCase{
		{
			name: "CrossNER layout with DOCSTART",
			opts: conll,
			train: "-DOCSTART-\tO\n\nPeter\tB-person\nBlackburn\tI-person\n\n" +
				"BRUSSELS\tB-location\n1996-08-22\tO\n",
			want: []Example{
				tagged("Peter/2", "Blackburn/4"),
				tagged("BRUSSELS/1", "1996-08-22/0"),
			},
			wantLabels: locPer,
		},
		{
			name:  "byte-order mark, CRLF, several blank lines",
			opts:  conll,
			train: "\uFEFFPeter\tB-person\r\n\r\n\r\n\r\nParis\tB-location\r\n\r\n",
			want:  []Example{tagged("Peter/2"), tagged("Paris/1")},
			// B-person alone in training still gives I-person.
			wantLabels: locPer,
		},
		{
			name: "space-separated CoNLL-2003 columns, tag last",
			opts: conll,
			train: "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n" +
				"German JJ B-NP B-MISC\n",
			want:       []Example{tagged("EU/2", "rejects/0", "German/1")},
			wantLabels: []string{"O", "B-MISC", "B-ORG", "I-MISC", "I-ORG"},
		},
		{
			name:       "DOCSTART without blank line ends a sentence",
			opts:       conll,
			train:      "a\tO\n-DOCSTART-\tO\nb\tB-person\n",
			want:       []Example{tagged("a/0"), tagged("b/1")},
			wantLabels: []string{"O", "B-person", "I-person"},
		},
		{
			name:       "I-x in test when training had only B-x",
			opts:       conll,
			train:      "H\tB-chemicalelement\n",
			test:       "H\tB-chemicalelement\n2\tI-chemicalelement\n",
			want:       []Example{tagged("H/1")},
			wantLabels: []string{"O", "B-chemicalelement", "I-chemicalelement"},
		},
		{
			name:    "tag that is not BIO",
			opts:    conll,
			train:   "Peter\tB-person\nPaul\tPER\n",
			wantErr: `train.txt:2: tag "PER" is not BIO`,
		},
		{
			name:    "lower-case prefix is not BIO",
			opts:    conll,
			train:   "Peter\tb-person\n",
			wantErr: `train.txt:1: tag "b-person" is not BIO`,
		},
		{
			name:    "prefix without a type",
			opts:    conll,
			train:   "\nPeter\tB-\n",
			wantErr: `train.txt:2: tag "B-" is not BIO`,
		},
		{
			name:    "line without a tag",
			opts:    conll,
			train:   "Peter\tB-person\n\nPaul\n",
			wantErr: "train.txt:3: line has 1 field, want a word and a tag",
		},
		{
			name:    "empty word",
			opts:    conll,
			train:   " \tO\nx\tO\n",
			wantErr: "train.txt:1: line has 1 field",
		},
		{
			name:    "empty file",
			opts:    conll,
			train:   "",
			wantErr: "train.txt: file is empty",
		},
		{
			name:    "only DOCSTART",
			opts:    conll,
			train:   "-DOCSTART-\tO\n\n",
			wantErr: "train.txt: no examples",
		},
		{
			name:    "test entity type never seen in training",
			opts:    conll,
			train:   "Peter\tB-person\n",
			test:    "Peter\tB-person\n\nParis\tO\nFrance\tB-location\n",
			wantErr: `test.txt:4: tag "B-location" was never seen in training`,
		},
		{
			name:    "classify task cannot read conll",
			opts:    FileOptions{Format: FormatCoNLL, Kind: Classify},
			train:   "Peter\tB-person\n",
			wantErr: "train.txt: a classify task cannot read conll files",
		},
	})
}

func TestReadJSON(t *testing.T) {
	uci := FileOptions{Format: FormatJSON, Kind: Classify}
	binary := []string{"0", "1"}
	runReadCases(t, "train.json", "test.json", []readCase{
		{
			name:  "uci-sentences layout",
			opts:  uci,
			train: `[{"text":"Good case, Excellent value.","class":1},{"text":"Bad.","class":0}]`,
			want: []Example{
				cls(1, "Good", "case", ",", "Excellent", "value", "."),
				cls(0, "Bad", "."),
			},
			wantLabels: binary,
		},
		{
			name: "byte-order mark, CRLF, pretty printed",
			opts: uci,
			train: "\uFEFF[\r\n  {\"text\": \"good\", \"class\": 1},\r\n" +
				"  {\"class\": 0, \"text\": \"bad\"}\r\n]\r\n",
			want:       []Example{cls(1, "good"), cls(0, "bad")},
			wantLabels: binary,
		},
		{
			name:       "string labels and integral floats",
			opts:       uci,
			train:      `[{"text":"a","class":"pos"},{"text":"b","class":1.0},{"text":"c","class":-2}]`,
			want:       []Example{cls(2, "a"), cls(1, "b"), cls(0, "c")},
			wantLabels: []string{"-2", "1", "pos"},
		},
		{
			name: "other field names",
			opts: FileOptions{Format: FormatJSON, Kind: Classify,
				TextField: "review", LabelField: "stars"},
			train:      `[{"review":"fine","stars":5,"class":null}]`,
			want:       []Example{cls(0, "fine")},
			wantLabels: []string{"5"},
		},
		{
			name:       "skip_invalid reports the entry",
			opts:       FileOptions{Format: FormatJSON, Kind: Classify, SkipInvalid: true},
			train:      `[{"text":"good","class":1},{"text":"bad","class":0},{"text":"","class":null}]`,
			want:       []Example{cls(1, "good"), cls(0, "bad")},
			wantLabels: binary,
			wantWarn:   `train.json: entry 2: "class" is null`,
		},
		{
			name:    "null label",
			opts:    uci,
			train:   `[{"text":"good","class":1},{"text":"","class":null}]`,
			wantErr: `train.json: entry 1: "class" is null`,
		},
		{
			name:    "missing label",
			opts:    uci,
			train:   `[{"text":"good"}]`,
			wantErr: `train.json: entry 0: no "class" field`,
		},
		{
			name:    "missing text",
			opts:    uci,
			train:   `[{"class":1}]`,
			wantErr: `train.json: entry 0: no "text" field`,
		},
		{
			name:    "empty text",
			opts:    uci,
			train:   `[{"text":" ... ","class":1},{"text":"  ","class":1}]`,
			wantErr: `train.json: entry 1: "text" is empty`,
		},
		{
			name:    "text that is not a string",
			opts:    uci,
			train:   `[{"text":5,"class":1}]`,
			wantErr: `train.json: entry 0: "text" is not a string`,
		},
		{
			name:    "label that is a boolean",
			opts:    uci,
			train:   `[{"text":"a","class":true}]`,
			wantErr: `train.json: entry 0: "class": want a string or a number`,
		},
		{
			name:    "entry that is not an object",
			opts:    uci,
			train:   `[{"text":"a","class":1}, 3]`,
			wantErr: "train.json: entry 1: want a JSON object, got 3",
		},
		{
			name:    "not an array",
			opts:    uci,
			train:   `{"text":"a","class":1}`,
			wantErr: "train.json: want a JSON array of objects",
		},
		{
			name:    "syntax error names the line",
			opts:    uci,
			train:   "[\n{\"text\":\"a\",\"class\":1},\n{\"text\":\"b\" \"class\":0}\n]",
			wantErr: "train.json:3: invalid JSON",
		},
		{
			name:    "empty file",
			opts:    uci,
			train:   "\uFEFF \n",
			wantErr: "train.json: file is empty",
		},
		{
			name:    "empty array",
			opts:    uci,
			train:   "[]",
			wantErr: "train.json: no examples",
		},
		{
			name:    "test label never seen in training",
			opts:    uci,
			train:   `[{"text":"good","class":1}]`,
			test:    `[{"text":"good","class":1},{"text":"bad","class":0}]`,
			wantErr: `test.json: entry 1: label "0" was never seen in training`,
		},
	})
}

func TestReadJSONL(t *testing.T) {
	jl := FileOptions{Format: FormatJSONL, Kind: Classify}
	binary := []string{"0", "1"}
	runReadCases(t, "train.jsonl", "test.jsonl", []readCase{
		{
			name:       "one object a line",
			opts:       jl,
			train:      "{\"text\":\"good\",\"class\":1}\n{\"text\":\"bad\",\"class\":0}\n",
			want:       []Example{cls(1, "good"), cls(0, "bad")},
			wantLabels: binary,
		},
		{
			name:       "byte-order mark, CRLF, blank lines",
			opts:       jl,
			train:      "\uFEFF{\"text\":\"good\",\"class\":1}\r\n\r\n{\"text\":\"bad\",\"class\":0}\r\n",
			want:       []Example{cls(1, "good"), cls(0, "bad")},
			wantLabels: binary,
		},
		{
			name: "skip_invalid reports the line",
			opts: FileOptions{Format: FormatJSONL, Kind: Classify, SkipInvalid: true},
			train: "{\"text\":\"good\",\"class\":1}\n{\"text\":\"bad\"}\n" +
				"{\"text\":\"bad\",\"class\":0}\n",
			want:       []Example{cls(1, "good"), cls(0, "bad")},
			wantLabels: binary,
			wantWarn:   `train.jsonl:2: no "class" field`,
		},
		{
			name:    "null label",
			opts:    jl,
			train:   "{\"text\":\"good\",\"class\":1}\n{\"text\":\"x\",\"class\":null}\n",
			wantErr: `train.jsonl:2: "class" is null`,
		},
		{
			name:    "invalid line",
			opts:    jl,
			train:   "{\"text\":\"good\",\"class\":1}\n\n{\"text\":\n",
			wantErr: "train.jsonl:3: invalid JSON",
		},
		{
			name:    "a line that is not an object",
			opts:    jl,
			train:   "[1, 2]\n",
			wantErr: "train.jsonl:1: want a JSON object",
		},
		{
			name:    "empty file",
			opts:    jl,
			train:   "",
			wantErr: "train.jsonl: file is empty",
		},
		{
			name:    "test label never seen in training",
			opts:    jl,
			train:   "{\"text\":\"good\",\"class\":1}\n",
			test:    "{\"text\":\"good\",\"class\":1}\n{\"text\":\"meh\",\"class\":\"mixed\"}\n",
			wantErr: `test.jsonl:2: label "mixed" was never seen in training`,
		},
	})
}

func TestReadFileOptionErrors(t *testing.T) {
	path := writeFile(t, t.TempDir(), "train.tsv", "sentence\tlabel\ngood\t1\n")
	tests := []struct {
		name    string
		opts    FileOptions
		wantErr string
	}{
		{"unknown format", FileOptions{Format: "csv", Kind: Classify},
			`train.tsv: unknown format "csv"`},
		{"unknown kind", FileOptions{Format: FormatTSV, Kind: "regress"},
			`train.tsv: unknown task kind "regress"`},
		{"missing file", FileOptions{Format: FormatTSV, Kind: Classify}, "no-such.tsv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := path
			if tt.name == "missing file" {
				p = filepath.Join(filepath.Dir(path), "no-such.tsv")
			}
			_, _, err := ReadFile(p, tt.opts, nil)
			checkErr(t, err, tt.wantErr)
		})
	}
}

// TestReadersNeverPanic feeds malformed content to every reader: each
// must return examples or an error, never panic.
func TestReadersNeverPanic(t *testing.T) {
	contents := []string{
		"", "\uFEFF", "\n\n\n", "\r\n", "\t", "\t\t\t\n\t", "x", "1\t", "\t1",
		"sentence\tlabel\n\t\n", "\xff\xfe\x00\x01", "-DOCSTART-", "a b c d e",
		"[", "]", "{}", "[{}]", "[null]", "[[]]", `[{"text":null,"class":null}]`,
		`{"text":{"a":1},"class":[1]}`, "null", "\"str\"", "[1e999]",
		`[{"text":"a","class":1e400}]`, "PAR1", "PAR1\x00\x00\x00\x00PAR1",
		strings.Repeat("a\tO\n", 3) + "\xc3\x28\tB-x\n", strings.Repeat("x", 1<<17),
	}
	formats := []FileOptions{
		{Format: FormatTSV, Kind: Classify},
		{Format: FormatTSV, Kind: Classify, NoHeader: true},
		{Format: FormatTSV, Kind: Classify, SkipInvalid: true},
		{Format: FormatCoNLL, Kind: Tag},
		{Format: FormatJSON, Kind: Classify},
		{Format: FormatJSON, Kind: Classify, SkipInvalid: true},
		{Format: FormatJSONL, Kind: Classify},
		{Format: FormatParquet, Kind: Classify},
		{Format: FormatParquet, Kind: Tag},
	}
	dir := t.TempDir()
	for i, c := range contents {
		path := writeFile(t, dir, "f"+string(rune('a'+i%26))+".dat", c)
		for _, o := range formats {
			o.Warn = func(string) {}
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s reader panicked on %q: %v", o.Format, c[:min(len(c), 40)], r)
					}
				}()
				ex, labels, err := ReadFile(path, o, nil)
				if err == nil && (len(ex) == 0 || len(labels) == 0) {
					t.Errorf("%s reader on %q: no error but %d examples, %d labels",
						o.Format, c[:min(len(c), 40)], len(ex), len(labels))
				}
			}()
		}
	}
}
