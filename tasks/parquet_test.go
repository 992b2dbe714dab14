package tasks

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// writeParquet writes rows to name in dir and returns its path.
func writeParquet[T any](t *testing.T, dir, name string, rows []T) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := parquet.Write(f, rows); err != nil {
		t.Fatal(err)
	}
	return path
}

type reviewRow struct {
	Text  *string `parquet:"text,optional"`
	Label *int64  `parquet:"label,optional"`
}

type namedRow struct {
	Review string `parquet:"review"`
	Stars  string `parquet:"stars"`
}

type nerRow struct {
	Tokens []string `parquet:"tokens,list"`
	Tags   []string `parquet:"tags,list"`
}

func ptr[T any](v T) *T { return &v }

func TestReadParquetClassify(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name       string
		path       string
		opts       FileOptions
		want       []Example
		wantLabels []string
		wantErr    string
	}{
		{
			name: "integer labels",
			path: writeParquet(t, dir, "int.parquet", []reviewRow{
				{ptr("Great phone!"), ptr[int64](1)},
				{ptr("broken"), ptr[int64](0)},
			}),
			opts:       FileOptions{Format: FormatParquet, Kind: Classify},
			want:       []Example{cls(1, "Great", "phone", "!"), cls(0, "broken")},
			wantLabels: []string{"0", "1"},
		},
		{
			name: "string labels in named columns",
			path: writeParquet(t, dir, "named.parquet", []namedRow{
				{"fine", "five"}, {"meh", "two"},
			}),
			opts: FileOptions{Format: FormatParquet, Kind: Classify,
				TextColumn: "review", LabelColumn: "stars"},
			want:       []Example{cls(0, "fine"), cls(1, "meh")},
			wantLabels: []string{"five", "two"},
		},
		{
			name: "null label",
			path: writeParquet(t, dir, "null.parquet", []reviewRow{
				{ptr("good"), ptr[int64](1)},
				{ptr("lost"), nil},
			}),
			opts:    FileOptions{Format: FormatParquet, Kind: Classify},
			wantErr: `null.parquet: row 2: "label" is null`,
		},
		{
			name: "null text",
			path: writeParquet(t, dir, "nulltext.parquet", []reviewRow{
				{nil, ptr[int64](1)},
			}),
			opts:    FileOptions{Format: FormatParquet, Kind: Classify},
			wantErr: `nulltext.parquet: row 1: "text" is null`,
		},
		{
			name:    "missing column",
			path:    writeParquet(t, dir, "cols.parquet", []namedRow{{"a", "b"}}),
			opts:    FileOptions{Format: FormatParquet, Kind: Classify},
			wantErr: `cols.parquet: no column "text" (columns: review, stars)`,
		},
		{
			name:    "not a parquet file",
			path:    writeFile(t, dir, "bad.parquet", "sentence\tlabel\n"),
			opts:    FileOptions{Format: FormatParquet, Kind: Classify},
			wantErr: "bad.parquet: ",
		},
		{
			name:    "empty file",
			path:    writeFile(t, dir, "empty.parquet", ""),
			opts:    FileOptions{Format: FormatParquet, Kind: Classify},
			wantErr: "empty.parquet: file is empty",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex, labels, err := ReadFile(tt.path, tt.opts, nil)
			checkErr(t, err, tt.wantErr)
			if tt.wantErr != "" {
				return
			}
			if !reflect.DeepEqual(ex, tt.want) {
				t.Errorf("examples:\n got %+v\nwant %+v", ex, tt.want)
			}
			if !slices.Equal(labels, tt.wantLabels) {
				t.Errorf("labels = %q, want %q", labels, tt.wantLabels)
			}
		})
	}
}

func TestReadParquetSkipInvalid(t *testing.T) {
	path := writeParquet(t, t.TempDir(), "skip.parquet", []reviewRow{
		{ptr("good"), ptr[int64](1)},
		{ptr("lost"), nil},
		{ptr("bad"), ptr[int64](0)},
	})
	var warnings []string
	o := FileOptions{Format: FormatParquet, Kind: Classify, SkipInvalid: true,
		Warn: func(m string) { warnings = append(warnings, m) }}
	ex, _, err := ReadFile(path, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Rows 1 and 3 kept, row 2 reported.
	if len(ex) != 2 || len(warnings) != 1 {
		t.Fatalf("%d examples and warnings %q, want 2 examples and 1 warning", len(ex), warnings)
	}
	if want := `skip.parquet: row 2: "label" is null`; !strings.Contains(warnings[0], want) {
		t.Errorf("warning %q, want it to contain %q", warnings[0], want)
	}
}

func TestReadParquetTag(t *testing.T) {
	dir := t.TempDir()
	train := writeParquet(t, dir, "train.parquet", []nerRow{
		{[]string{"Peter", "Blackburn", "spoke"}, []string{"B-person", "I-person", "O"}},
		{[]string{"in", "Brussels"}, []string{"O", "B-location"}},
	})
	o := FileOptions{Format: FormatParquet, Kind: Tag}
	ex, labels, err := ReadFile(train, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Labels: O, then B- and I- of location and person, sorted.
	wantLabels := []string{"O", "B-location", "B-person", "I-location", "I-person"}
	want := []Example{
		tagged("Peter/2", "Blackburn/4", "spoke/0"),
		tagged("in/0", "Brussels/1"),
	}
	if !slices.Equal(labels, wantLabels) {
		t.Errorf("labels = %q, want %q", labels, wantLabels)
	}
	if !reflect.DeepEqual(ex, want) {
		t.Errorf("examples:\n got %+v\nwant %+v", ex, want)
	}

	tests := []struct {
		name    string
		rows    []nerRow
		wantErr string
	}{
		{"tag not BIO", []nerRow{{[]string{"a"}, []string{"PER"}}},
			`row 1, tag 0: tag "PER" is not BIO`},
		{"lengths differ", []nerRow{{[]string{"a", "b"}, []string{"O"}}},
			"row 1: 2 words but 1 tag"},
		{"unseen type in test", []nerRow{
			{[]string{"a"}, []string{"O"}},
			{[]string{"b", "c"}, []string{"O", "B-misc"}},
		},
			`row 2, tag 1: tag "B-misc" was never seen in training`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeParquet(t, dir, "test.parquet", tt.rows)
			_, _, err := ReadFile(path, o, labels)
			checkErr(t, err, "test.parquet: "+tt.wantErr)
		})
	}
}
