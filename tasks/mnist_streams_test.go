package tasks

import (
	"bytes"
	"slices"
	"testing"
)

// TestSplitMNISTScenarios checks the three scenarios of split MNIST
// against MNIST's published per-digit counts (see TestLoadMNIST): task
// k holds every image of digits 2k and 2k+1, labelled by the
// scenario's head.
func TestSplitMNISTScenarios(t *testing.T) {
	t.Setenv(DataEnv, t.TempDir()) // the module cache
	trainCounts := []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}
	testCounts := []int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}
	for _, sc := range Scenarios {
		t.Run(string(sc), func(t *testing.T) {
			s, err := Load("split-mnist-"+string(sc), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Tasks) != 5 {
				t.Fatalf("%d tasks, want 5", len(s.Tasks))
			}
			for k, task := range s.Tasks {
				a, b := 2*k, 2*k+1
				if len(task.Train) != trainCounts[a]+trainCounts[b] || len(task.Test) != testCounts[a]+testCounts[b] {
					t.Errorf("task %d: %d/%d examples, want %d/%d", k, len(task.Train), len(task.Test),
						trainCounts[a]+trainCounts[b], testCounts[a]+testCounts[b])
				}
				if task.ImageSize != 784 || len(task.Train[0].Pixels) != 784 || len(task.Train[0].Words) != 0 {
					t.Errorf("task %d: image size %d, first example %d pixels and %d words",
						k, task.ImageSize, len(task.Train[0].Pixels), len(task.Train[0].Words))
				}
				var wantLabels []int // the labels the head sees, in the scenario's terms
				switch sc {
				case TaskIL:
					wantLabels = []int{0, 1}
					if task.Head != "" || task.ActiveClasses != 0 || !slices.Equal(task.Labels, []string{itoa(a), itoa(b)}) {
						t.Errorf("task %d: head %q, active %d, labels %q", k, task.Head, task.ActiveClasses, task.Labels)
					}
				case DomainIL:
					wantLabels = []int{0, 1}
					if task.Head != "pair" || task.ActiveClasses != 0 || len(task.Labels) != 2 {
						t.Errorf("task %d: head %q, active %d, labels %q", k, task.Head, task.ActiveClasses, task.Labels)
					}
				case ClassIL:
					wantLabels = []int{a, b}
					if task.Head != "digits" || task.ActiveClasses != 2*(k+1) || len(task.Labels) != 10 {
						t.Errorf("task %d: head %q, active %d, labels %q", k, task.Head, task.ActiveClasses, task.Labels)
					}
				}
				seen := map[int]int{}
				for _, e := range task.Train {
					seen[e.Label]++
				}
				if len(seen) != 2 || seen[wantLabels[0]] != trainCounts[a] || seen[wantLabels[1]] != trainCounts[b] {
					t.Errorf("task %d: label counts %v, want %d of %d and %d of %d",
						k, seen, trainCounts[a], wantLabels[0], trainCounts[b], wantLabels[1])
				}
			}
		})
	}
}

// TestPermutedMNIST checks that each permuted task holds the same
// images as the first, padded to 32 x 32, with only the pixels'
// order changed, by a permutation that differs between tasks and is
// the same on every load.
func TestPermutedMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("loads ten copies of MNIST")
	}
	t.Setenv(DataEnv, t.TempDir())
	s, err := Load("permuted-mnist-class", Options{MaxTrain: 200, MaxTest: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Tasks) != 10 {
		t.Fatalf("%d tasks, want 10", len(s.Tasks))
	}
	first := s.Tasks[0].Test[0].Pixels
	if len(first) != 1024 {
		t.Fatalf("%d pixels, want 32 x 32", len(first))
	}
	// The 2-pixel border of the first (unpermuted) task is background.
	for r := 0; r < 32; r++ {
		for c := 0; c < 32; c++ {
			if (r < 2 || r >= 30 || c < 2 || c >= 30) && first[r*32+c] != 0 {
				t.Fatalf("pixel (%d,%d) of the padding is %d", r, c, first[r*32+c])
			}
		}
	}
	for k, task := range s.Tasks {
		if task.ActiveClasses != 10*(k+1) || len(task.Labels) != 100 {
			t.Errorf("task %d: %d active of %d classes", k, task.ActiveClasses, len(task.Labels))
		}
		for _, e := range task.Test {
			if e.Label < 10*k || e.Label >= 10*(k+1) {
				t.Fatalf("task %d: label %d outside its classes", k, e.Label)
			}
		}
		if k > 0 && bytes.Equal(task.Test[0].Pixels, s.Tasks[k-1].Test[0].Pixels) {
			t.Errorf("tasks %d and %d hold the same first image with the same order", k-1, k)
		}
	}
	again, err := Load("permuted-mnist-class", Options{MaxTrain: 200, MaxTest: 50})
	if err != nil {
		t.Fatal(err)
	}
	if s.Digest != again.Digest {
		t.Error("two loads gave two digests")
	}
}

// TestDigitExamplesPadsThenPermutes works a 2 x 2 image through by
// hand: padded to 4 x 4 it has its pixels at 5, 6, 9 and 10; the
// permutation then moves pixel perm[i] to i.
func TestDigitExamplesPadsThenPermutes(t *testing.T) {
	d := &Digits{Rows: 2, Cols: 2, Pixels: []byte{1, 2, 3, 4, 9, 9, 9, 9}, Labels: []byte{7, 3}}
	perm := make([]int, 16)
	for i := range perm {
		perm[i] = 15 - i // reverse
	}
	got := digitExamples(d, func(b byte) bool { return b == 7 }, func(b byte) int { return int(b) - 5 }, perm, 4)
	want := make([]byte, 16)
	want[15-5], want[15-6], want[15-9], want[15-10] = 1, 2, 3, 4
	if len(got) != 1 || got[0].Label != 2 || !bytes.Equal(got[0].Pixels, want) {
		t.Errorf("got %+v, want one example, label 2, pixels %v", got, want)
	}
}

func itoa(i int) string { return string(rune('0' + i)) }
