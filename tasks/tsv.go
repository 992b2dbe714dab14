package tasks

import (
	"fmt"
	"strconv"
	"strings"
)

// readTSV reads a classify file of delimited columns, one example a
// line. With a header, the columns are found by name and every row
// must have as many columns as the header; without one, by index, and
// a row may have more columns than it needs. Empty lines are not rows.
func readTSV(path string, o FileOptions) ([]record, error) {
	l, err := openLines(path)
	if err != nil {
		return nil, err
	}
	defer l.Close()

	// Find the text and label columns.
	var textCol, labelCol, want int
	if o.NoHeader {
		if textCol, err = columnIndex(o.TextColumn); err != nil {
			return nil, fmt.Errorf("%s: text column: %w", path, err)
		}
		if labelCol, err = columnIndex(o.LabelColumn); err != nil {
			return nil, fmt.Errorf("%s: label column: %w", path, err)
		}
		want = max(textCol, labelCol) + 1
	} else {
		// The header is the first line that is not blank.
		var header string
		for strings.TrimSpace(header) == "" {
			var ok bool
			if header, ok, err = l.next(); err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("%s: no examples", path)
			}
		}
		names := strings.Split(header, o.Delimiter)
		for i := range names {
			names[i] = strings.TrimSpace(names[i])
		}
		if textCol, err = columnByName(names, o.TextColumn); err != nil {
			return nil, fmt.Errorf("%s: text column: %w", l.at(), err)
		}
		if labelCol, err = columnByName(names, o.LabelColumn); err != nil {
			return nil, fmt.Errorf("%s: label column: %w", l.at(), err)
		}
		want = len(names)
	}

	// Read one example a row.
	var recs []record
	for {
		line, ok, err := l.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		cols := strings.Split(line, o.Delimiter)
		switch {
		case len(cols) > want && !o.NoHeader:
			return nil, fmt.Errorf("%s: row has %s, want %d",
				l.at(), plural(len(cols), "column"), want)
		case len(cols) < want:
			at := "at least "
			if !o.NoHeader {
				at = ""
			}
			why := fmt.Sprintf("row has %s, want %s%d", plural(len(cols), "column"), at, want)
			if err := invalid(o, l.at(), why); err != nil {
				return nil, err
			}
			continue
		}
		words := SplitWords(cols[textCol])
		label := strings.TrimSpace(cols[labelCol])
		var why string
		switch {
		case len(words) == 0:
			why = "text is empty"
		case label == "":
			why = "label is empty"
		}
		if why != "" {
			if err := invalid(o, l.at(), why); err != nil {
				return nil, err
			}
			continue
		}
		recs = append(recs, record{words: words, label: label, at: l.at()})
	}
	return recs, nil
}

// columnIndex parses a 0-based column index.
func columnIndex(s string) (int, error) {
	i, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || i < 0 {
		return 0, fmt.Errorf("%q is not a column index (0, 1, ...); "+
			"a file without a header names its columns by index", s)
	}
	return i, nil
}

// columnByName returns the index of the column called name.
func columnByName(names []string, name string) (int, error) {
	for i, n := range names {
		if n == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("no column %q in the header (columns: %s)",
		name, strings.Join(names, ", "))
}
