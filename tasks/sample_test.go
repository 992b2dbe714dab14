package tasks

import (
	"slices"
	"sort"
	"testing"
)

func TestSplitMix64(t *testing.T) {
	// The first outputs of SplitMix64 from state 0, as published with
	// the reference C code (Vigna, splitmix64.c).
	r := &rng{state: 0}
	want := []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f}
	for i, w := range want {
		if got := r.uint64(); got != w {
			t.Errorf("output %d = %#x, want %#x", i, got, w)
		}
	}
}

func TestIntnRange(t *testing.T) {
	r := newRNG(1, "range")
	seen := make([]int, 5)
	for range 5000 {
		v := r.intn(5)
		if v < 0 || v >= 5 {
			t.Fatalf("intn(5) = %d", v)
		}
		seen[v]++
	}
	// Each value expects 1000 draws; 800 is more than 6 standard
	// deviations (sqrt(5000 * 0.2 * 0.8) = 28) below.
	for v, n := range seen {
		if n < 800 {
			t.Errorf("value %d drawn %d times of 5000, want about 1000", v, n)
		}
	}
}

func TestSubset(t *testing.T) {
	tests := []struct {
		name string
		n, k int
		want int // length
	}{
		{"some", 100, 10, 10},
		{"all when k = n", 5, 5, 5},
		{"all when k > n", 5, 9, 5},
		{"none of none", 0, 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := subset(newRNG(7, "x"), tt.n, tt.k)
			b := subset(newRNG(7, "x"), tt.n, tt.k)
			if len(a) != tt.want || !sort.IntsAreSorted(a) || !slices.Equal(a, b) {
				t.Errorf("subset(%d, %d) = %v (again: %v), want %d sorted indices, "+
					"the same each time", tt.n, tt.k, a, b, tt.want)
			}
			for i := 1; i < len(a); i++ {
				if a[i] == a[i-1] || a[i] >= tt.n {
					t.Errorf("subset has a repeated or out-of-range index: %v", a)
				}
			}
		})
	}
	if slices.Equal(subset(newRNG(7, "x"), 100, 10), subset(newRNG(7, "y"), 100, 10)) {
		t.Error("different names drew the same subset")
	}
}

func TestFewShotCoversClasses(t *testing.T) {
	// 98 examples of label 0, then one each of labels 1 and 2.
	var ex []Example
	for i := range 100 {
		label := 0
		switch i {
		case 50:
			label = 1
		case 99:
			label = 2
		}
		ex = append(ex, Example{Words: []string{"w"}, Label: label})
	}
	labels := []string{"a", "b", "c"}
	tests := []struct {
		name       string
		n          int
		wantLen    int
		wantCover  bool
		wantLabels []int // when wantCover
	}{
		{"room for all classes", 3, 3, true, []int{0, 1, 2}},
		{"more than the classes", 10, 10, true, []int{0, 1, 2}},
		{"fewer than the classes", 2, 2, false, nil},
		{"more than there are", 500, 100, true, []int{0, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for seed := range int64(20) {
				got := fewShot(ex, tt.n, Classify, labels, newRNG(seed, "t"))
				if len(got) != tt.wantLen {
					t.Fatalf("seed %d: %d examples, want %d", seed, len(got), tt.wantLen)
				}
				if !tt.wantCover {
					continue
				}
				var have []int
				for _, e := range got {
					if !slices.Contains(have, e.Label) {
						have = append(have, e.Label)
					}
				}
				slices.Sort(have)
				if !slices.Equal(have, tt.wantLabels) {
					t.Errorf("seed %d: labels %v, want all of %v", seed, have, tt.wantLabels)
				}
			}
		})
	}
}

func TestFewShotCoversEntityTypes(t *testing.T) {
	labels := []string{"O", "B-loc", "B-per", "I-loc", "I-per"}
	var ex []Example
	for i := range 40 {
		tags := []int{0, 0}
		switch i {
		case 10:
			tags = []int{1, 3} // one loc
		case 30:
			tags = []int{0, 4} // one per, an I- after O
		}
		ex = append(ex, Example{Words: []string{"a", "b"}, Tags: tags})
	}
	for seed := range int64(20) {
		got := fewShot(ex, 2, Tag, labels, newRNG(seed, "t"))
		// Only examples 10 and 30 hold entities: both must be kept.
		if len(got) != 2 || got[0].Tags[0] != 1 || got[1].Tags[1] != 4 {
			t.Errorf("seed %d: kept %v, want the loc and the per example", seed, got)
		}
	}
}

func TestSplitRecords(t *testing.T) {
	recs := make([]record, 1000)
	for i := range recs {
		recs[i].label = string(rune('a' + i%2))
		recs[i].at = string(rune(i))
	}
	train, test := splitRecords(recs, 0.2, newRNG(1, "split"))
	if len(train) != 800 || len(test) != 200 {
		t.Fatalf("split 1000 at 0.2 into %d and %d, want 800 and 200", len(train), len(test))
	}
	seen := map[string]bool{}
	for _, r := range append(train, test...) {
		if seen[r.at] {
			t.Fatalf("record %q in both splits", r.at)
		}
		seen[r.at] = true
	}
	train2, _ := splitRecords(recs, 0.2, newRNG(1, "split"))
	for i := range train {
		if train[i].at != train2[i].at {
			t.Fatal("the same seed split differently")
		}
	}
	// Two records always give one to each side.
	if tr, te := splitRecords(recs[:2], 0.01, newRNG(1, "s")); len(tr) != 1 || len(te) != 1 {
		t.Errorf("split of 2 at 0.01 gave %d and %d, want 1 and 1", len(tr), len(te))
	}
}
