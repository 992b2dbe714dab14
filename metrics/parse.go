package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ParseMatrixCSV reads an accuracy matrix written as T lines of T
// comma-separated numbers, line i holding the scores after training
// through task i. A cell above the diagonal may be empty (not measured,
// NaN); so may any cell written as NaN. Blank lines are skipped. Errors
// name the file (name) and the line.
func ParseMatrixCSV(r io.Reader, name string) (Matrix, error) {
	var (
		m     Matrix
		lines []int // the file line of each row, for errors
	)
	err := eachLine(r, name, func(line int, text string) error {
		fields := strings.Split(text, ",")
		if len(m) > 0 && len(fields) != len(m[0]) {
			return fmt.Errorf("%s:%d: %d cells, want %d as on line %d",
				name, line, len(fields), len(m[0]), lines[0])
		}
		i := len(m)
		row := make([]float64, len(fields))
		for j, f := range fields {
			x, err := parseCell(f, j > i)
			if err != nil {
				return fmt.Errorf("%s:%d: cell %d: %w", name, line, j+1, err)
			}
			row[j] = x
		}
		m = append(m, row)
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		return nil, err
	}

	// The matrix must be square.
	if len(m) == 0 {
		return nil, fmt.Errorf("%s: no rows", name)
	}
	if len(m) != len(m[0]) {
		return nil, fmt.Errorf("%s:%d: %d rows of %d cells, want a square matrix",
			name, lines[len(lines)-1], len(m), len(m[0]))
	}
	return m, nil
}

// ParseVectorCSV reads one line of t comma-separated numbers, such as the
// untrained model's score on each task or a reference run's diagonal. A
// cell written as NaN is not measured. With t <= 0 any length is taken.
// Errors name the file (name) and the line.
func ParseVectorCSV(r io.Reader, name string, t int) ([]float64, error) {
	var v []float64
	err := eachLine(r, name, func(line int, text string) error {
		if v != nil {
			return fmt.Errorf("%s:%d: more than one line", name, line)
		}
		fields := strings.Split(text, ",")
		if t > 0 && len(fields) != t {
			return fmt.Errorf("%s:%d: %d cells, want %d", name, line, len(fields), t)
		}
		v = make([]float64, len(fields))
		for j, f := range fields {
			x, err := parseCell(f, false)
			if err != nil {
				return fmt.Errorf("%s:%d: cell %d: %w", name, line, j+1, err)
			}
			v[j] = x
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("%s: no line", name)
	}
	return v, nil
}

// eachLine calls fn with each non-blank line of r, trimmed, and its
// 1-based line number. A read error names the file.
func eachLine(r io.Reader, name string, fn func(line int, text string) error) error {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if n == 1 {
			text = strings.TrimPrefix(text, "\ufeff") // a byte-order mark
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		if err := fn(n, text); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// parseCell reads one number; an empty cell is NaN where mayBeEmpty.
func parseCell(f string, mayBeEmpty bool) (float64, error) {
	f = strings.TrimSpace(f)
	if f == "" {
		if mayBeEmpty {
			return math.NaN(), nil
		}
		return 0, fmt.Errorf("empty, but only cells above the diagonal may be empty")
	}
	x, err := strconv.ParseFloat(f, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", f)
	}
	if math.IsInf(x, 0) {
		return 0, fmt.Errorf("%q is infinite", f)
	}
	if x < 0 || x > 1 {
		return 0, fmt.Errorf("%s is outside [0, 1]: scores are fractions (accuracy, F1), not percentages", f)
	}
	return x, nil
}
