package tasks

import (
	"fmt"
	"math"
	"strings"
)

// Accuracy is the share of positions where pred equals gold, the
// score of a classify task. It is NaN when there is nothing to score
// (a loaded task never has an empty test set). gold and pred must
// have the same length; a mismatch is a caller's mistake and panics.
func Accuracy(gold, pred []int) float64 {
	if len(gold) != len(pred) {
		panic(fmt.Sprintf("tasks.Accuracy: %d gold labels but %d predictions",
			len(gold), len(pred)))
	}
	if len(gold) == 0 {
		return math.NaN()
	}
	right := 0
	for i := range gold {
		if gold[i] == pred[i] {
			right++
		}
	}
	return float64(right) / float64(len(gold))
}

// Entity is one labelled span of a sentence: words [Start, End) of
// type Type.
type Entity struct {
	Start, End int
	Type       string
}

// Entities returns the entities of one sentence's BIO tags by the
// CoNLL-2000 conlleval rule: an entity starts at B-X, or at I-X when
// the previous tag is O, of another type, or absent (sentence start);
// it continues over the following I-X of the same type. A tag that is
// neither B-X nor I-X counts as O.
func Entities(tags []string) []Entity {
	var ents []Entity
	cur := Entity{Start: -1}
	for i, tag := range tags {
		prefix, typ := splitTag(tag)
		continues := prefix == 'I' && cur.Start >= 0 && typ == cur.Type

		// Close the open entity unless this tag continues it.
		if cur.Start >= 0 && !continues {
			cur.End = i
			ents = append(ents, cur)
			cur = Entity{Start: -1}
		}

		// Open a new one at B-X, or at an I-X that does not continue.
		if prefix != 'O' && !continues {
			cur = Entity{Start: i, Type: typ}
		}
	}
	if cur.Start >= 0 {
		cur.End = len(tags)
		ents = append(ents, cur)
	}
	return ents
}

// splitTag returns 'B' or 'I' and the type of a B-X or I-X tag, and
// 'O' for anything else.
func splitTag(tag string) (prefix byte, typ string) {
	if len(tag) > 2 && (tag[0] == 'B' || tag[0] == 'I') && tag[1] == '-' {
		return tag[0], tag[2:]
	}
	return 'O', ""
}

// isBIO reports whether tag is "O", "B-X" or "I-X" with X not empty.
func isBIO(tag string) bool {
	if tag == "O" {
		return true
	}
	p, typ := splitTag(tag)
	return p != 'O' && strings.TrimSpace(typ) == typ
}

// EntityF1 is the score of a tag task: entity-level micro F1 over all
// sentences, where a predicted entity is right only when a gold entity
// has the same sentence, span and type (see Entities for where
// entities start and end, the conlleval rule).
//
// precision = right / predicted entities, recall = right / gold
// entities, F1 = 2 precision recall / (precision + recall); each is 0
// when its denominator is 0, and F1 is 0 when nothing is right.
//
// gold and pred hold one sentence each, in the same order. A predicted
// sentence shorter than its gold sentence (the model saw a truncated
// input) is read as if padded with O. Different numbers of sentences,
// or a predicted sentence longer than its gold one, are a caller's
// mistake and panic.
func EntityF1(gold, pred [][]string) (f1, precision, recall float64) {
	if len(gold) != len(pred) {
		panic(fmt.Sprintf("tasks.EntityF1: %d gold sentences but %d predicted",
			len(gold), len(pred)))
	}
	var right, nGold, nPred int
	for s := range gold {
		if len(pred[s]) > len(gold[s]) {
			panic(fmt.Sprintf("tasks.EntityF1: sentence %d has %d gold tags "+
				"but %d predicted", s, len(gold[s]), len(pred[s])))
		}
		g := Entities(gold[s])
		p := Entities(pred[s])
		nGold += len(g)
		nPred += len(p)

		// Both lists are in order of start, and spans within one list
		// never overlap, so one merge pass finds the exact matches.
		i, j := 0, 0
		for i < len(g) && j < len(p) {
			switch {
			case g[i] == p[j]:
				right++
				i++
				j++
			case g[i].Start < p[j].Start ||
				(g[i].Start == p[j].Start && g[i].End < p[j].End):
				i++
			default:
				j++
			}
		}
	}
	if right == 0 {
		return 0, ratio(right, nPred), ratio(right, nGold)
	}
	precision = ratio(right, nPred)
	recall = ratio(right, nGold)
	return 2 * precision * recall / (precision + recall), precision, recall
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// LabelNames returns the names of label ids (indices into t.Labels),
// for example to turn predicted tag ids into the strings EntityF1
// reads. An id outside t.Labels becomes "O".
func (t *Task) LabelNames(ids []int) []string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = "O"
		if id >= 0 && id < len(t.Labels) {
			names[i] = t.Labels[id]
		}
	}
	return names
}
