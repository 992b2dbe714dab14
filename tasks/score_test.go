package tasks

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestAccuracy(t *testing.T) {
	tests := []struct {
		name       string
		gold, pred []int
		want       float64
	}{
		{"all right", []int{0, 1, 1}, []int{0, 1, 1}, 1},
		{"one of four right", []int{0, 1, 1, 0}, []int{1, 1, 0, 1}, 0.25},
		{"none right", []int{0}, []int{1}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Accuracy(tt.gold, tt.pred); got != tt.want {
				t.Errorf("Accuracy = %v, want %v", got, tt.want)
			}
		})
	}
	if got := Accuracy(nil, nil); !math.IsNaN(got) {
		t.Errorf("Accuracy of nothing = %v, want NaN", got)
	}
}

func TestAccuracyLengthMismatchPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Accuracy with 2 gold and 1 prediction did not panic")
		}
	}()
	Accuracy([]int{0, 1}, []int{0})
}

// tags splits a space-separated tag sequence.
func tags(s string) []string { return strings.Fields(s) }

func TestEntities(t *testing.T) {
	tests := []struct {
		name string
		tags string
		want []Entity
	}{
		{"B then I", "B-PER I-PER O", []Entity{{0, 2, "PER"}}},
		{"I at sentence start opens", "I-PER I-PER", []Entity{{0, 2, "PER"}}},
		{"I after O opens", "O I-LOC O", []Entity{{1, 2, "LOC"}}},
		{"B after B is a new entity", "B-PER B-PER", []Entity{{0, 1, "PER"}, {1, 2, "PER"}}},
		{"type change in a run of I", "I-PER I-LOC I-LOC",
			[]Entity{{0, 1, "PER"}, {1, 3, "LOC"}}},
		{"I of another type after B", "B-ORG I-PER", []Entity{{0, 1, "ORG"}, {1, 2, "PER"}}},
		{"runs to the end", "O B-MISC I-MISC", []Entity{{1, 3, "MISC"}}},
		{"lower-case types", "B-person I-person", []Entity{{0, 2, "person"}}},
		{"non-BIO tag counts as O", "B-PER X I-PER", []Entity{{0, 1, "PER"}, {2, 3, "PER"}}},
		{"all O", "O O", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Entities(tags(tt.tags)); !slices.Equal(got, tt.want) {
				t.Errorf("Entities(%s) = %v, want %v", tt.tags, got, tt.want)
			}
		})
	}
}

func TestEntityF1(t *testing.T) {
	tests := []struct {
		name          string
		gold, pred    []string // one sentence each, tags space-separated
		f1, prec, rec float64
	}{
		{
			name: "perfect",
			gold: []string{"B-PER I-PER O B-LOC"},
			pred: []string{"B-PER I-PER O B-LOC"},
			// 2 right of 2 predicted and 2 gold.
			f1: 1, prec: 1, rec: 1,
		},
		{
			name: "I after O is an entity in both",
			gold: []string{"O I-PER I-PER"},
			pred: []string{"O B-PER I-PER"},
			// Gold reads I-PER after O as PER [1,3), same as pred.
			f1: 1, prec: 1, rec: 1,
		},
		{
			name: "wrong span",
			gold: []string{"B-PER I-PER O"},
			pred: []string{"B-PER O O"},
			// PER [0,1) is not PER [0,2): nothing right.
			f1: 0, prec: 0, rec: 0,
		},
		{
			name: "wrong type",
			gold: []string{"B-PER O"},
			pred: []string{"B-LOC O"},
			f1:   0, prec: 0, rec: 0,
		},
		{
			name: "type change in a run of I tags",
			gold: []string{"B-PER I-PER I-LOC"},
			pred: []string{"I-PER I-PER I-PER"},
			// Gold: PER [0,2), LOC [2,3). Pred: PER [0,3). 0 right.
			f1: 0, prec: 0, rec: 0,
		},
		{
			name: "half the gold found, nothing extra",
			gold: []string{"B-PER O B-LOC", "B-ORG"},
			pred: []string{"B-PER O O", "B-ORG"},
			// 2 right, 2 predicted, 3 gold: P = 1, R = 2/3,
			// F1 = 2 (1)(2/3) / (1 + 2/3) = 0.8.
			f1: 0.8, prec: 1, rec: 2.0 / 3,
		},
		{
			name: "one right, one spurious, one missed",
			gold: []string{"B-PER O B-LOC O"},
			pred: []string{"B-PER O O B-ORG"},
			// 1 right of 2 predicted and 2 gold: P = R = F1 = 0.5.
			f1: 0.5, prec: 0.5, rec: 0.5,
		},
		{
			name: "empty predictions",
			gold: []string{"B-PER O", "O B-LOC"},
			pred: []string{"O O", "O O"},
			// No entity predicted: P = 0 (0/0 read as 0), R = 0/2.
			f1: 0, prec: 0, rec: 0,
		},
		{
			name: "truncated prediction reads as O",
			gold: []string{"B-PER O B-LOC I-LOC"},
			pred: []string{"B-PER O B-LOC"},
			// Pred LOC [2,3) against gold LOC [2,4): 1 right (PER) of
			// 2 predicted and 2 gold.
			f1: 0.5, prec: 0.5, rec: 0.5,
		},
		{
			name: "no entities anywhere",
			gold: []string{"O O"},
			pred: []string{"O O"},
			f1:   0, prec: 0, rec: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gold, pred [][]string
			for i := range tt.gold {
				gold = append(gold, tags(tt.gold[i]))
				pred = append(pred, tags(tt.pred[i]))
			}
			f1, p, r := EntityF1(gold, pred)
			const eps = 1e-12
			if math.Abs(f1-tt.f1) > eps || math.Abs(p-tt.prec) > eps || math.Abs(r-tt.rec) > eps {
				t.Errorf("EntityF1 = (F1 %v, P %v, R %v), want (%v, %v, %v)",
					f1, p, r, tt.f1, tt.prec, tt.rec)
			}
		})
	}
}

func TestEntityF1CallerMistakesPanic(t *testing.T) {
	tests := []struct {
		name       string
		gold, pred [][]string
	}{
		{"different sentence counts", [][]string{{"O"}}, nil},
		{"prediction longer than gold", [][]string{{"O"}}, [][]string{{"O", "B-PER"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("EntityF1 did not panic")
				}
			}()
			EntityF1(tt.gold, tt.pred)
		})
	}
}

func TestLabelNames(t *testing.T) {
	task := &Task{Labels: []string{"O", "B-PER", "I-PER"}}
	got := task.LabelNames([]int{1, 2, 0, 7, -1})
	want := []string{"B-PER", "I-PER", "O", "O", "O"}
	if !slices.Equal(got, want) {
		t.Errorf("LabelNames = %q, want %q", got, want)
	}
}
