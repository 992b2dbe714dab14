package tasks

import (
	"testing"
)

// TestSyntheticIsLearnableAndNotTrivial checks the design goals of the
// synthetic stream with models far simpler than a Transformer: a
// bag-of-words perceptron and a word-to-tag lookup learn each task
// from its training split, while guessing (the most frequent label, or
// O everywhere) stays far from perfect.
func TestSyntheticIsLearnableAndNotTrivial(t *testing.T) {
	s, err := Load("synthetic", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range s.Tasks {
		t.Run(task.Name, func(t *testing.T) {
			if task.Kind == Classify {
				learned, guess := classifyBaselines(task)
				t.Logf("perceptron accuracy %.3f, majority %.3f", learned, guess)
				// Chance is 1/2 for two balanced labels; allow for
				// imbalance from drawing each label with p = 1/2.
				if learned < 0.95 || guess > 0.6 {
					t.Errorf("perceptron accuracy %.3f (want >= 0.95), majority %.3f (want <= 0.6)",
						learned, guess)
				}
				return
			}
			learned, guess := tagBaselines(task)
			t.Logf("lookup tagger F1 %.3f, all-O F1 %.3f", learned, guess)
			if learned < 0.9 || guess != 0 {
				t.Errorf("lookup tagger F1 %.3f (want >= 0.9), all-O F1 %.3f (want 0)", learned, guess)
			}
		})
	}
}

// classifyBaselines returns the test accuracy of a bag-of-words
// perceptron trained for 10 epochs, and of always guessing the most
// frequent training label.
func classifyBaselines(task *Task) (learned, majority float64) {
	k := len(task.Labels)
	w := map[string][]float64{}
	score := func(e Example) int {
		best, arg := 0.0, 0
		for c := range k {
			sum := 0.0
			for _, word := range e.Words {
				if v, ok := w[word]; ok {
					sum += v[c]
				}
			}
			if c == 0 || sum > best {
				best, arg = sum, c
			}
		}
		return arg
	}
	for range 10 {
		for _, e := range task.Train {
			if p := score(e); p != e.Label {
				for _, word := range e.Words {
					if w[word] == nil {
						w[word] = make([]float64, k)
					}
					w[word][e.Label]++
					w[word][p]--
				}
			}
		}
	}
	counts := make([]int, k)
	for _, e := range task.Train {
		counts[e.Label]++
	}
	most := 0
	for c := range counts {
		if counts[c] > counts[most] {
			most = c
		}
	}
	var gold, pred, guess []int
	for _, e := range task.Test {
		gold = append(gold, e.Label)
		pred = append(pred, score(e))
		guess = append(guess, most)
	}
	return Accuracy(gold, pred), Accuracy(gold, guess)
}

// tagBaselines returns the test F1 of tagging each word with its most
// frequent training tag (O for unseen words), and of tagging
// everything O.
func tagBaselines(task *Task) (learned, allO float64) {
	counts := map[string]map[int]int{}
	for _, e := range task.Train {
		for i, word := range e.Words {
			if counts[word] == nil {
				counts[word] = map[int]int{}
			}
			counts[word][e.Tags[i]]++
		}
	}
	var gold, pred, none [][]string
	for _, e := range task.Test {
		g := task.LabelNames(e.Tags)
		p := make([]string, len(e.Words))
		o := make([]string, len(e.Words))
		for i, word := range e.Words {
			best, arg := 0, 0
			for tag, n := range counts[word] {
				if n > best || (n == best && tag < arg) {
					best, arg = n, tag
				}
			}
			p[i] = task.Labels[arg]
			o[i] = "O"
		}
		gold, pred, none = append(gold, g), append(pred, p), append(none, o)
	}
	learned, _, _ = EntityF1(gold, pred)
	allO, _, _ = EntityF1(gold, none)
	return learned, allO
}
