package tasks

import (
	"fmt"
	"strings"
)

// readCoNLL reads a tag file: one word and its tag a line, separated
// by a tab (or, on lines without a tab, by spaces; the tag is the
// last field), with an empty line after each sentence. Lines that
// start with -DOCSTART- end a sentence and are otherwise skipped.
// Every tag must be BIO: "O", "B-X" or "I-X".
func readCoNLL(path string, o FileOptions) ([]record, error) {
	l, err := openLines(path)
	if err != nil {
		return nil, err
	}
	defer l.Close()

	var (
		recs  []record
		words []string
		tags  []string
		at    []int // line of each word
	)
	flush := func() {
		if len(words) == 0 {
			return
		}
		lines := at
		recs = append(recs, record{
			words: words,
			tags:  tags,
			at:    fmt.Sprintf("%s:%d", path, lines[0]),
			tagAt: func(i int) string { return fmt.Sprintf("%s:%d", path, lines[i]) },
		})
		words, tags, at = nil, nil, nil
	}
	for {
		line, ok, err := l.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "-DOCSTART-") {
			flush()
			continue
		}

		// Split the word from its tag.
		var fields []string
		if strings.Contains(trimmed, "\t") {
			fields = strings.Split(trimmed, "\t")
		} else {
			fields = strings.Fields(trimmed)
		}
		if len(fields) < 2 {
			return nil, fmt.Errorf("%s: line has 1 field, want a word and a tag", l.at())
		}
		word := strings.TrimSpace(fields[0])
		tag := strings.TrimSpace(fields[len(fields)-1])
		switch {
		case word == "":
			return nil, fmt.Errorf("%s: word is empty", l.at())
		case !isBIO(tag):
			return nil, fmt.Errorf("%s: tag %q is not BIO (want O, B-type or I-type)",
				l.at(), tag)
		}
		words = append(words, word)
		tags = append(tags, tag)
		at = append(at, l.n)
	}
	flush()
	return recs, nil
}
