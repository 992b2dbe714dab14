package tasks

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// readParquet reads a parquet file, one example a row (rows are
// numbered from 1). A classify file has a string text column and a
// string or integer label column; a tag file has two list<string>
// columns, the words and their tags.
func readParquet(path string, o FileOptions) (recs []record, err error) {
	// The parquet library may panic on a damaged file; that is bad
	// input, not a bug, so it becomes an error.
	defer func() {
		if r := recover(); r != nil {
			recs, err = nil, fmt.Errorf("%s: reading parquet: %v", path, r)
		}
	}()

	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() == 0 {
		return nil, fmt.Errorf("%s: file is empty", path)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}

	// Check that the columns exist before reading any row.
	want := []string{o.TextColumn, o.LabelColumn}
	if o.Kind == Tag {
		want = []string{o.TokensColumn, o.TagsColumn}
	}
	var have []string
	for _, field := range pf.Schema().Fields() {
		have = append(have, field.Name())
	}
	for _, w := range want {
		if !slices.Contains(have, w) {
			return nil, fmt.Errorf("%s: no column %q (columns: %s)",
				path, w, strings.Join(have, ", "))
		}
	}

	r := parquet.NewReader(pf)
	defer r.Close()
	for n := 1; ; n++ {
		row := map[string]any{}
		err := r.Read(&row)
		if errors.Is(err, io.EOF) {
			break
		}
		at := fmt.Sprintf("%s: row %d", path, n)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", at, err)
		}
		var rec record
		var ok bool
		if o.Kind == Tag {
			rec, ok, err = parquetTagRecord(row, o, at)
		} else {
			rec, ok, err = parquetClassRecord(row, o, at)
		}
		if err != nil {
			return nil, err
		}
		if ok {
			recs = append(recs, rec)
		}
	}
	return recs, nil
}

// parquetClassRecord reads the text and label of one classify row.
func parquetClassRecord(row map[string]any, o FileOptions, at string) (record, bool, error) {
	var label string
	switch v := row[o.LabelColumn].(type) {
	case nil:
		return record{}, false, invalid(o, at, fmt.Sprintf("%q is null", o.LabelColumn))
	case string:
		label = strings.TrimSpace(v)
	case []byte:
		label = strings.TrimSpace(string(v))
	case int32:
		label = strconv.FormatInt(int64(v), 10)
	case int64:
		label = strconv.FormatInt(v, 10)
	case int:
		label = strconv.Itoa(v)
	case uint32:
		label = strconv.FormatUint(uint64(v), 10)
	case uint64:
		label = strconv.FormatUint(v, 10)
	default:
		return record{}, false, fmt.Errorf("%s: %q is a %T, want a string or an integer",
			at, o.LabelColumn, v)
	}

	var text string
	switch v := row[o.TextColumn].(type) {
	case nil:
		return record{}, false, invalid(o, at, fmt.Sprintf("%q is null", o.TextColumn))
	case string:
		text = v
	case []byte:
		text = string(v)
	default:
		return record{}, false, fmt.Errorf("%s: %q is a %T, want a string",
			at, o.TextColumn, v)
	}
	words := SplitWords(text)
	var why string
	switch {
	case len(words) == 0:
		why = fmt.Sprintf("%q is empty", o.TextColumn)
	case label == "":
		why = fmt.Sprintf("%q is empty", o.LabelColumn)
	}
	if why != "" {
		return record{}, false, invalid(o, at, why)
	}
	return record{words: words, label: label, at: at}, true, nil
}

// parquetTagRecord reads the words and tags of one tag row.
func parquetTagRecord(row map[string]any, o FileOptions, at string) (record, bool, error) {
	words, err := stringList(row[o.TokensColumn])
	if err != nil {
		return record{}, false, fmt.Errorf("%s: %q: %v", at, o.TokensColumn, err)
	}
	tags, err := stringList(row[o.TagsColumn])
	if err != nil {
		return record{}, false, fmt.Errorf("%s: %q: %v", at, o.TagsColumn, err)
	}
	switch {
	case len(words) != len(tags):
		return record{}, false, fmt.Errorf("%s: %s but %s",
			at, plural(len(words), "word"), plural(len(tags), "tag"))
	case len(words) == 0:
		return record{}, false, invalid(o, at, "no words")
	}
	for i, tag := range tags {
		if !isBIO(tag) {
			return record{}, false, fmt.Errorf("%s, tag %d: tag %q is not BIO "+
				"(want O, B-type or I-type)", at, i, tag)
		}
	}
	return record{
		words: words,
		tags:  tags,
		at:    at,
		tagAt: func(i int) string { return fmt.Sprintf("%s, tag %d", at, i) },
	}, true, nil
}

// stringList converts a parquet list of strings, as the reader gives
// it, to a slice.
func stringList(v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("is a %T, want a list of strings", v)
	}
	out := make([]string, len(list))
	for i, e := range list {
		switch e := e.(type) {
		case string:
			out[i] = strings.TrimSpace(e)
		case []byte:
			out[i] = strings.TrimSpace(string(e))
		default:
			return nil, fmt.Errorf("element %d is a %T, want a string", i, e)
		}
	}
	return out, nil
}
