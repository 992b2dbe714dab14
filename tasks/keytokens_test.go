package tasks

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

// sentimentTask is a tiny classify task worked by hand below:
//
//	positive (label 1): "a Great film", "great fun"
//	negative (label 0): "an awful film", "Awful plot"
//
// Lower-cased, each label has 5 words, so n^i = n^r = 5 and the prior
// is alpha_0 = 10, alpha_w = the word's count in both.
func sentimentTask() *Task {
	ex := func(text string, label int) Example {
		return Example{Words: strings.Fields(text), Label: label}
	}
	return &Task{
		Name:   "tiny-sentiment",
		Kind:   Classify,
		Labels: []string{"negative", "positive"},
		Train: []Example{
			ex("a Great film", 1),
			ex("an awful film", 0),
			ex("great fun", 1),
			ex("Awful plot", 0),
		},
	}
}

func TestLogOddsZ(t *testing.T) {
	// "great" for positive: y^i = 2, y^r = 0, alpha_w = 2:
	// delta = log(4 / (5+10-2-2)) - log(2 / (5+10-0-2)) = log(26/11),
	// var = 1/4 + 1/2 = 3/4, z = log(26/11) / sqrt(3/4) = 0.99327.
	// "a" or "fun": y^i = 1, y^r = 0, alpha_w = 1:
	// delta = log(2/13) - log(1/14) = log(28/13), var = 1/2 + 1 = 3/2,
	// z = 0.62646. "film": y^i = y^r = 1, delta = 0, z = 0.
	tests := []struct {
		name                   string
		yi, yr, ni, nr, aw, a0 float64
		want                   float64
	}{
		{"great", 2, 0, 5, 5, 2, 10, math.Log(26.0/11) / math.Sqrt(0.75)},
		{"fun", 1, 0, 5, 5, 1, 10, math.Log(28.0/13) / math.Sqrt(1.5)},
		{"film", 1, 1, 5, 5, 2, 10, 0},
		// "great" for negative: the same with the groups swapped.
		{"great against", 0, 2, 5, 5, 2, 10, -math.Log(26.0/11) / math.Sqrt(0.75)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := logOddsZ(tt.yi, tt.yr, tt.ni, tt.nr, tt.aw, tt.a0)
			if math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("got %.15g, want %.15g", got, tt.want)
			}
		})
	}
}

func TestKeyTokensClassify(t *testing.T) {
	// From TestLogOddsZ: positive ranks great (0.993), then a and fun
	// (0.626, tied, so by word); film has z = 0 and is not a key word.
	// Negative mirrors it: awful, then an and plot. Without the
	// lower-casing "Great" and "great" would be two words of count 1,
	// tied with "a", and "Great" would sort first; without the prior,
	// great's delta would be infinite.
	tests := []struct {
		name               string
		perLabel, minCount int
		want               map[int][]string
	}{
		{"top word", 1, 1, map[int][]string{1: {"great"}, 0: {"awful"}}},
		{"ties by word", 2, 1, map[int][]string{1: {"great", "a"}, 0: {"awful", "an"}}},
		{"all", 0, 1, map[int][]string{
			1: {"great", "a", "fun"},
			0: {"awful", "an", "plot"},
		}},
		// Seen twice: great, awful, film; film is tied (z = 0).
		{"min count 2", 0, 2, map[int][]string{1: {"great"}, 0: {"awful"}}},
		{"min count 3", 0, 3, map[int][]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := KeyTokens(sentimentTask(), tt.perLabel, tt.minCount)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestKeyTokensAbove(t *testing.T) {
	// The z-scores of TestLogOddsZ: great and awful 0.993, a, an, fun
	// and plot 0.626. Above 0.8 only the first stay; above 1 none.
	tests := []struct {
		minZ float64
		want map[int][]string
	}{
		{0, map[int][]string{1: {"great", "a", "fun"}, 0: {"awful", "an", "plot"}}},
		{0.8, map[int][]string{1: {"great"}, 0: {"awful"}}},
		{1, map[int][]string{}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.minZ), func(t *testing.T) {
			got := KeyTokensAbove(sentimentTask(), 0, 1, tt.minZ)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestKeyTokensDeterministic(t *testing.T) {
	// The same task with its examples in reverse order, asked many
	// times (map iteration order changes between runs), gives the same
	// answer, ties included.
	want := KeyTokens(sentimentTask(), 0, 1)
	reversed := sentimentTask()
	for i, j := 0, len(reversed.Train)-1; i < j; i, j = i+1, j-1 {
		reversed.Train[i], reversed.Train[j] = reversed.Train[j], reversed.Train[i]
	}
	for k := 0; k < 20; k++ {
		if got := KeyTokens(reversed, 0, 1); !reflect.DeepEqual(got, want) {
			t.Fatalf("call %d: got %v, want %v", k, got, want)
		}
	}
}

func TestKeyTokensOneLabel(t *testing.T) {
	// Every example positive: nothing to compare against.
	task := sentimentTask()
	task.Train = task.Train[:1]
	task.Train = append(task.Train, Example{Words: []string{"fun"}, Label: 1})
	if got := KeyTokens(task, 0, 1); len(got) != 0 {
		t.Errorf("got %v, want no key words", got)
	}
}

func TestKeyTokensTag(t *testing.T) {
	// Entity words by type, lower-cased:
	//   person (B-person, index 1): ann twice, lee once;
	//   location (B-location, index 3): paris, new, york once each,
	//   tied, so by word.
	// "Acme" is tagged I-misc, a type with no B- label: left out.
	task := &Task{
		Name:   "tiny-ner",
		Kind:   Tag,
		Labels: []string{"O", "B-person", "I-person", "B-location", "I-location", "I-misc"},
		Train: []Example{
			{Words: strings.Fields("Ann Lee visited Paris"), Tags: []int{1, 2, 0, 3}},
			{Words: strings.Fields("ann went to New York"), Tags: []int{1, 0, 0, 3, 4}},
			{Words: strings.Fields("Acme sells"), Tags: []int{5, 0}},
		},
	}
	tests := []struct {
		name               string
		perLabel, minCount int
		want               map[int][]string
	}{
		{"all", 0, 1, map[int][]string{1: {"ann", "lee"}, 3: {"new", "paris", "york"}}},
		{"two per type", 2, 1, map[int][]string{1: {"ann", "lee"}, 3: {"new", "paris"}}},
		{"min count 2", 0, 2, map[int][]string{1: {"ann"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := KeyTokens(task, tt.perLabel, tt.minCount)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
