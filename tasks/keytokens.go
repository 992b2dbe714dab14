package tasks

import (
	"math"
	"sort"
	"strings"
)

// KeyTokens returns, for each label of t, the words of its training
// split (Example.Words, split as the readers split them) that mark that
// label, lower-cased as Tokenizer.ID lower-cases them (strings.ToLower),
// so that Tokenizer.ID maps each to the token id a model sees. The
// map's keys are indices into t.Labels; a label with no key word is
// absent. At most perLabel words are kept per label (all of them when
// perLabel <= 0). Equal scores are ordered by the word, so the result
// depends only on the task.
//
// Classify: each word w is scored for label i by the log-odds ratio
// with an informative Dirichlet prior, z-scored (Monroe, Colaresi and
// Quinn 2008, "Fightin' Words: Lexical Feature Selection and Evaluation
// for Identifying the Content of Political Conflict"), comparing the
// examples of label i against those of every other label, for the words
// seen at least minCount times in the training split. With y_w^i
// the count of w in label i's examples, n^i the number of words there,
// y_w^r and n^r the same for the other labels, and the prior the whole
// training split, alpha_w = y_w^i + y_w^r and alpha_0 = n^i + n^r:
//
//	delta = log((y_w^i + alpha_w) / (n^i + alpha_0 - y_w^i - alpha_w))
//	      - log((y_w^r + alpha_w) / (n^r + alpha_0 - y_w^r - alpha_w))
//	var   = 1 / (y_w^i + alpha_w) + 1 / (y_w^r + alpha_w)
//	z     = delta / sqrt(var)
//
// A label's key words are those with z > 0, highest first. A label
// whose examples hold every word, or none, of the split has nothing to
// be compared against and no key words.
//
// Tag: the key words of entity type X are the words tagged B-X or I-X
// at least minCount times, most frequent first, under the label index
// of B-X (words of a type without a B-X label are left out).
//
// Other kinds (an image task has no words) have no key words.
func KeyTokens(t *Task, perLabel, minCount int) map[int][]string {
	return KeyTokensAbove(t, perLabel, minCount, 0)
}

// KeyTokensAbove is KeyTokens keeping, in a classify task, only the
// words whose z-score is above minZ (1.96: more frequent in the label's
// examples than in the others' at the 5% level, as Monroe et al. read
// the score). With minZ = 0 a word a little more frequent in one label
// by chance is a key word, as the filler words of a two-label task
// always are in one of them. Tag tasks are unaffected.
func KeyTokensAbove(t *Task, perLabel, minCount int, minZ float64) map[int][]string {
	switch t.Kind {
	case Classify:
		return classifyKeyTokens(t, perLabel, minCount, minZ)
	case Tag:
		return tagKeyTokens(t, perLabel, minCount)
	}
	return map[int][]string{}
}

// scored is a word and its score for one label.
type scored struct {
	word  string
	score float64
}

// classifyKeyTokens ranks words by the z-scored log-odds ratio of each
// label against the rest.
func classifyKeyTokens(t *Task, perLabel, minCount int, minZ float64) map[int][]string {
	// Count words per label, and words per label in all.
	counts := make([]map[string]int, len(t.Labels))
	for i := range counts {
		counts[i] = map[string]int{}
	}
	total := map[string]int{}
	words := make([]int, len(t.Labels))
	var n int
	for _, ex := range t.Train {
		if ex.Label < 0 || ex.Label >= len(t.Labels) {
			continue
		}
		for _, w := range ex.Words {
			w = strings.ToLower(w)
			counts[ex.Label][w]++
			total[w]++
			words[ex.Label]++
			n++
		}
	}

	// Score every frequent word for every label against the rest.
	keys := map[int][]string{}
	for i := range t.Labels {
		ni, nr := words[i], n-words[i]
		if ni == 0 || nr == 0 {
			continue
		}
		var ranked []scored
		for w, yw := range total {
			if yw < minCount {
				continue
			}
			yi := counts[i][w]
			z := logOddsZ(float64(yi), float64(yw-yi), float64(ni), float64(nr),
				float64(yw), float64(n))
			if z > minZ && !math.IsInf(z, 0) {
				ranked = append(ranked, scored{w, z})
			}
		}
		if top := topWords(ranked, perLabel); len(top) > 0 {
			keys[i] = top
		}
	}
	return keys
}

// logOddsZ is the z-score of the log-odds ratio of a word between two
// groups with an informative Dirichlet prior (Monroe et al. 2008): yi
// and yr its counts, ni and nr the groups' word counts, aw and a0 the
// prior's count of the word and of all words. It is NaN or infinite
// when the prior leaves a denominator at 0.
func logOddsZ(yi, yr, ni, nr, aw, a0 float64) float64 {
	delta := math.Log((yi+aw)/(ni+a0-yi-aw)) - math.Log((yr+aw)/(nr+a0-yr-aw))
	variance := 1/(yi+aw) + 1/(yr+aw)
	return delta / math.Sqrt(variance)
}

// tagKeyTokens counts the words inside entities by type.
func tagKeyTokens(t *Task, perLabel, minCount int) map[int][]string {
	// The label index of each type's B- tag.
	begin := map[string]int{}
	for i, l := range t.Labels {
		if p, typ := splitTag(l); p == 'B' {
			begin[typ] = i
		}
	}

	// Count the words tagged B-X or I-X under B-X's index.
	counts := map[int]map[string]int{}
	for _, ex := range t.Train {
		for k, w := range ex.Words {
			if k >= len(ex.Tags) || ex.Tags[k] < 0 || ex.Tags[k] >= len(t.Labels) {
				continue
			}
			p, typ := splitTag(t.Labels[ex.Tags[k]])
			b, ok := begin[typ]
			if p == 'O' || !ok {
				continue
			}
			if counts[b] == nil {
				counts[b] = map[string]int{}
			}
			counts[b][strings.ToLower(w)]++
		}
	}

	// Most frequent first.
	keys := map[int][]string{}
	for b, byWord := range counts {
		var ranked []scored
		for w, c := range byWord {
			if c >= minCount {
				ranked = append(ranked, scored{w, float64(c)})
			}
		}
		if top := topWords(ranked, perLabel); len(top) > 0 {
			keys[b] = top
		}
	}
	return keys
}

// topWords returns the words of ranked by score, highest first, equal
// scores by word, at most limit of them (all when limit <= 0).
func topWords(ranked []scored, limit int) []string {
	sort.Slice(ranked, func(a, b int) bool {
		if ranked[a].score != ranked[b].score {
			return ranked[a].score > ranked[b].score
		}
		return ranked[a].word < ranked[b].word
	})
	if limit > 0 && len(ranked) > limit {
		ranked = ranked[:limit]
	}
	words := make([]string, len(ranked))
	for k, r := range ranked {
		words[k] = r.word
	}
	return words
}
