package tasks

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
)

// Format names how a data file is laid out.
type Format string

// The formats ReadFile reads; see the package documentation for each.
const (
	FormatTSV     Format = "tsv"
	FormatCoNLL   Format = "conll"
	FormatJSON    Format = "json"
	FormatJSONL   Format = "jsonl"
	FormatParquet Format = "parquet"
)

// ParseFormat returns the Format named s, or an error.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatTSV, FormatCoNLL, FormatJSON, FormatJSONL, FormatParquet:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q (want tsv, conll, json, jsonl or parquet)", s)
}

// FileOptions say how to read one data file. The zero value of each
// field is its default.
type FileOptions struct {
	Format Format
	// Kind is the task's kind: classify files give one label per
	// example, tag files (conll, parquet) one tag per word.
	Kind Kind

	// NoHeader says that a tsv file has no header line (the default
	// is a header).
	NoHeader bool
	// TextColumn and LabelColumn pick the tsv columns: by name when
	// the file has a header, by 0-based index when it has none; and
	// parquet columns by name. Defaults: "sentence" and "label" for
	// tsv with a header (GLUE), "1" and "0" without one (FDU-MTL),
	// "text" and "label" for parquet.
	TextColumn, LabelColumn string
	// Delimiter separates tsv columns (default a tab). There is no
	// quoting.
	Delimiter string

	// TextField and LabelField name the json and jsonl fields
	// (defaults "text" and "class").
	TextField, LabelField string

	// TokensColumn and TagsColumn name the list<string> columns of a
	// parquet tag file (defaults "tokens" and "tags").
	TokensColumn, TagsColumn string

	// SkipInvalid skips an example whose text or label is missing,
	// null or empty, instead of failing. Each skip is reported to
	// Warn; a skip is never silent.
	SkipInvalid bool
	// Warn receives one message per skipped example, naming the file
	// and the line, entry or row. When nil, skips are logged with
	// slog.Default at level Warn.
	Warn func(msg string)
}

// withDefaults returns o with its empty fields set to their defaults.
func (o FileOptions) withDefaults() FileOptions {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	switch {
	case o.Format == FormatTSV && o.NoHeader:
		def(&o.TextColumn, "1")
		def(&o.LabelColumn, "0")
	case o.Format == FormatTSV:
		def(&o.TextColumn, "sentence")
		def(&o.LabelColumn, "label")
	default:
		def(&o.TextColumn, "text")
		def(&o.LabelColumn, "label")
	}
	def(&o.Delimiter, "\t")
	def(&o.TextField, "text")
	def(&o.LabelField, "class")
	def(&o.TokensColumn, "tokens")
	def(&o.TagsColumn, "tags")
	if o.Warn == nil {
		o.Warn = func(msg string) { slog.Default().Warn(msg) }
	}
	return o
}

// ReadFile reads one split of a task from path. When labels is nil,
// the file is a training split: its label set is derived from it (see
// "Labels" in the package documentation) and returned. Otherwise every
// label or tag in the file must be in labels (an unseen one is an
// error naming the file and the line), and labels is returned as it
// is.
func ReadFile(path string, o FileOptions, labels []string) ([]Example, []string, error) {
	recs, err := readRecords(path, o)
	if err != nil {
		return nil, nil, err
	}
	if labels == nil {
		labels = deriveLabels(o.Kind, recs)
	}
	ex, err := index(o.Kind, recs, labels)
	if err != nil {
		return nil, nil, err
	}
	return ex, labels, nil
}

// ReadTSV is ReadFile for a tsv file, whatever o.Format says.
func ReadTSV(path string, o FileOptions, labels []string) ([]Example, []string, error) {
	o.Format = FormatTSV
	return ReadFile(path, o, labels)
}

// ReadCoNLL is ReadFile for a conll file, whatever o.Format and
// o.Kind say.
func ReadCoNLL(path string, o FileOptions, labels []string) ([]Example, []string, error) {
	o.Format, o.Kind = FormatCoNLL, Tag
	return ReadFile(path, o, labels)
}

// ReadJSON is ReadFile for a json file, whatever o.Format says.
func ReadJSON(path string, o FileOptions, labels []string) ([]Example, []string, error) {
	o.Format = FormatJSON
	return ReadFile(path, o, labels)
}

// ReadJSONL is ReadFile for a jsonl file, whatever o.Format says.
func ReadJSONL(path string, o FileOptions, labels []string) ([]Example, []string, error) {
	o.Format = FormatJSONL
	return ReadFile(path, o, labels)
}

// ReadParquet is ReadFile for a parquet file, whatever o.Format says.
func ReadParquet(path string, o FileOptions, labels []string) ([]Example, []string, error) {
	o.Format = FormatParquet
	return ReadFile(path, o, labels)
}

// record is one example as read, before its labels become ids.
type record struct {
	words []string
	label string   // classify
	tags  []string // tag; len(tags) == len(words)
	// at places the record in its file for error messages:
	// "file:line", "file: entry 3" or "file: row 3".
	at string
	// tagAt, when set, places each tag (conll: one line per word).
	tagAt func(i int) string
}

// readRecords reads every example of path in the layout o.Format.
func readRecords(path string, o FileOptions) ([]record, error) {
	o = o.withDefaults()
	if _, err := ParseKind(string(o.Kind)); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := ParseFormat(string(o.Format)); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := checkKind(path, o.Format, o.Kind); err != nil {
		return nil, err
	}
	var (
		recs []record
		err  error
	)
	switch o.Format {
	case FormatTSV:
		recs, err = readTSV(path, o)
	case FormatCoNLL:
		recs, err = readCoNLL(path, o)
	case FormatJSON:
		recs, err = readJSON(path, o)
	case FormatJSONL:
		recs, err = readJSONL(path, o)
	case FormatParquet:
		recs, err = readParquet(path, o)
	}
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: no examples", path)
	}
	return recs, nil
}

// checkKind returns an error unless format f can hold tasks of kind k.
func checkKind(path string, f Format, k Kind) error {
	switch {
	case k == Tag && f != FormatCoNLL && f != FormatParquet:
		return fmt.Errorf("%s: a %s task cannot read %s files (use conll or parquet)",
			path, k, f)
	case k == Classify && f == FormatCoNLL:
		return fmt.Errorf("%s: a %s task cannot read %s files", path, k, f)
	}
	return nil
}

// invalid handles an example that lacks a usable text or label: an
// error, or with SkipInvalid a reported skip (a nil error).
func invalid(o FileOptions, at, why string) error {
	if !o.SkipInvalid {
		return fmt.Errorf("%s: %s", at, why)
	}
	o.Warn(fmt.Sprintf("%s: %s; example skipped (skip_invalid)", at, why))
	return nil
}

// deriveLabels returns the label set of a training split: for
// classify, its distinct labels sorted; for tag, "O" and then, for
// every entity type X that occurs in a B-X or I-X tag, both B-X and
// I-X, sorted. Tags come in pairs so that a test split may use I-X
// where training only had B-X (CrossNER science has such a tag).
func deriveLabels(k Kind, recs []record) []string {
	seen := map[string]bool{}
	for _, r := range recs {
		if k == Classify {
			seen[r.label] = true
			continue
		}
		for _, tag := range r.tags {
			if p, typ := splitTag(tag); p != 'O' {
				seen["B-"+typ] = true
				seen["I-"+typ] = true
			}
		}
	}
	labels := make([]string, 0, len(seen)+1)
	for l := range seen {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	if k == Tag {
		labels = append([]string{"O"}, labels...)
	}
	return labels
}

// index turns records into examples with label ids from labels. A
// label or tag not in labels is an error that places it in its file.
func index(k Kind, recs []record, labels []string) ([]Example, error) {
	id := make(map[string]int, len(labels))
	for i, l := range labels {
		id[l] = i
	}
	ex := make([]Example, len(recs))
	for n, r := range recs {
		ex[n].Words = r.words
		if k == Classify {
			i, ok := id[r.label]
			if !ok {
				return nil, fmt.Errorf("%s: label %q was never seen in training "+
					"(training labels: %s)", r.at, r.label, listSome(labels, 10))
			}
			ex[n].Label = i
			continue
		}
		ex[n].Tags = make([]int, len(r.tags))
		for j, tag := range r.tags {
			i, ok := id[tag]
			if !ok {
				at := r.at
				if r.tagAt != nil {
					at = r.tagAt(j)
				}
				return nil, fmt.Errorf("%s: tag %q was never seen in training", at, tag)
			}
			ex[n].Tags[j] = i
		}
	}
	return ex, nil
}

// lines reads a text file one line at a time, without line ends
// (LF or CRLF) and without a leading UTF-8 byte-order mark.
type lines struct {
	path string
	f    *os.File
	r    *bufio.Reader
	n    int // number of the line last read, from 1
	any  bool
}

// openLines opens path for reading by lines.
func openLines(path string) (*lines, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return &lines{path: path, f: f, r: bufio.NewReaderSize(f, 1<<16)}, nil
}

// next returns the next line; ok is false at the end of the file. An
// empty file (nothing but a byte-order mark and white space) is an
// error naming the file.
func (l *lines) next() (line string, ok bool, err error) {
	s, err := l.r.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("%s:%d: %w", l.path, l.n+1, err)
	}
	if s == "" && err != nil {
		if !l.any {
			return "", false, fmt.Errorf("%s: file is empty", l.path)
		}
		return "", false, nil
	}
	l.n++
	if l.n == 1 {
		s = strings.TrimPrefix(s, "\uFEFF")
	}
	s = strings.TrimSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\r")
	if strings.TrimSpace(s) != "" {
		l.any = true
	}
	return s, true, nil
}

// at places line n of the file.
func (l *lines) at() string { return fmt.Sprintf("%s:%d", l.path, l.n) }

func (l *lines) Close() error { return l.f.Close() }

// plural returns "1 column" or "2 columns".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// listSome joins the first n items, saying how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}
