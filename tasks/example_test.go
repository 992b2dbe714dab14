package tasks_test

import (
	"fmt"

	"github.com/clbench/clbench/tasks"
)

func ExampleLoad() {
	s, err := tasks.Load("synthetic", tasks.Options{Shots: 64, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range s.Tasks {
		fmt.Printf("%-17s %-8s train %3d  test %3d  labels %q\n",
			t.Name, t.Kind, len(t.Train), len(t.Test), t.Labels)
	}
	// Output:
	// movie-sentiment   classify train 512  test 128  labels ["negative" "positive"]
	// people-places     tag      train  64  test 128  labels ["O" "B-location" "B-person" "I-location" "I-person"]
	// product-sentiment classify train  64  test 128  labels ["negative" "positive"]
}

func ExampleEntityF1() {
	gold := [][]string{{"B-PER", "I-PER", "O", "B-LOC"}}
	pred := [][]string{{"B-PER", "I-PER", "O", "B-ORG"}}
	f1, p, r := tasks.EntityF1(gold, pred)
	fmt.Printf("F1 %.2f, precision %.2f, recall %.2f\n", f1, p, r)
	// Output:
	// F1 0.50, precision 0.50, recall 0.50
}

func ExampleTokenizer_Encode() {
	tok := tasks.Tokenizer{Buckets: 1000}
	words := tasks.SplitWords("The movie, the MOVIE!")
	fmt.Println(words)
	fmt.Println(tok.Encode(words, 4))
	// Output:
	// [The movie , the MOVIE !]
	// [4 875 579 4]
}
