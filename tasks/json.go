package tasks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// readJSON reads a classify file that holds one JSON array of objects,
// one example each. Entries are named by their 0-based index in the
// array, as jq's .[i] does.
func readJSON(path string, o FileOptions) ([]record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: file is empty", path)
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(data, &entries); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			line := 1 + bytes.Count(data[:min(int(syntax.Offset), len(data))], []byte("\n"))
			return nil, fmt.Errorf("%s:%d: invalid JSON: %v", path, line, err)
		}
		return nil, fmt.Errorf("%s: want a JSON array of objects: %v", path, err)
	}
	var recs []record
	for i, e := range entries {
		at := fmt.Sprintf("%s: entry %d", path, i)
		rec, ok, err := jsonRecord(e, o, at)
		if err != nil {
			return nil, err
		}
		if ok {
			recs = append(recs, rec)
		}
	}
	return recs, nil
}

// readJSONL reads a classify file with one JSON object a line. Empty
// lines are not examples.
func readJSONL(path string, o FileOptions) ([]record, error) {
	l, err := openLines(path)
	if err != nil {
		return nil, err
	}
	defer l.Close()

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
		if !json.Valid([]byte(line)) {
			var v any
			err := json.Unmarshal([]byte(line), &v)
			return nil, fmt.Errorf("%s: invalid JSON: %v", l.at(), err)
		}
		rec, ok, err := jsonRecord([]byte(line), o, l.at())
		if err != nil {
			return nil, err
		}
		if ok {
			recs = append(recs, rec)
		}
	}
	return recs, nil
}

// jsonRecord reads one JSON object. ok is false when the object is
// invalid and skipped (see FileOptions.SkipInvalid).
func jsonRecord(raw []byte, o FileOptions, at string) (rec record, ok bool, err error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return record{}, false, fmt.Errorf("%s: want a JSON object, got %s", at, brief(raw))
	}

	// The label first: an entry with neither text nor label is
	// reported for its label.
	lraw, has := obj[o.LabelField]
	var why string
	switch {
	case !has:
		why = fmt.Sprintf("no %q field", o.LabelField)
	case isNull(lraw):
		why = fmt.Sprintf("%q is null", o.LabelField)
	}
	if why != "" {
		return record{}, false, invalid(o, at, why)
	}
	label, err := jsonLabel(lraw)
	if err != nil {
		return record{}, false, fmt.Errorf("%s: %q: %v", at, o.LabelField, err)
	}

	// Then the text.
	traw, has := obj[o.TextField]
	switch {
	case !has:
		why = fmt.Sprintf("no %q field", o.TextField)
	case isNull(traw):
		why = fmt.Sprintf("%q is null", o.TextField)
	}
	if why != "" {
		return record{}, false, invalid(o, at, why)
	}
	var text string
	if err := json.Unmarshal(traw, &text); err != nil {
		return record{}, false, fmt.Errorf("%s: %q is not a string: %s",
			at, o.TextField, brief(traw))
	}
	words := SplitWords(text)
	switch {
	case len(words) == 0:
		why = fmt.Sprintf("%q is empty", o.TextField)
	case label == "":
		why = fmt.Sprintf("%q is empty", o.LabelField)
	}
	if why != "" {
		return record{}, false, invalid(o, at, why)
	}
	return record{words: words, label: label, at: at}, true, nil
}

// jsonLabel renders a JSON string or number as a label: a string as
// it is (trimmed), a number with an integer value in decimal ("1" for
// 1 and 1.0), any other number as written.
func jsonLabel(raw json.RawMessage) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v), nil
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return strconv.FormatInt(i, 10), nil
		}
		f, err := v.Float64()
		if err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return strconv.FormatInt(int64(f), 10), nil
		}
		return v.String(), nil
	}
	return "", fmt.Errorf("want a string or a number, got %s", brief(raw))
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// brief shortens raw JSON for an error message.
func brief(raw []byte) string {
	r := []rune(string(bytes.TrimSpace(raw)))
	if len(r) > 40 {
		return string(r[:40]) + "..."
	}
	return string(r)
}
