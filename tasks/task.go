package tasks

import "fmt"

// Kind says what a task predicts and how it is scored.
type Kind string

const (
	// Classify predicts one label per sequence; its score is accuracy.
	Classify Kind = "classify"
	// Tag predicts one BIO tag per word; its score is entity-level
	// micro F1 (see EntityF1).
	Tag Kind = "tag"
)

// ParseKind returns the Kind named s, or an error.
func ParseKind(s string) (Kind, error) {
	switch Kind(s) {
	case Classify, Tag:
		return Kind(s), nil
	}
	return "", fmt.Errorf("unknown task kind %q (want %q or %q)", s, Classify, Tag)
}

// Example is one labelled sequence of words.
type Example struct {
	// Words are the sequence's words as read from the file (not yet
	// lower-cased or hashed; see Tokenizer).
	Words []string
	// Label is the index in Task.Labels of a classify example's label.
	Label int
	// Tags holds, for a tag example, the index in Task.Labels of each
	// word's tag; len(Tags) == len(Words).
	Tags []int
	// Pixels holds an image example's grey levels (0 background, 255
	// ink), row by row; Words is then empty. See Task.ImageSize.
	Pixels []byte
}

// Task is one step of a stream: a kind, a label set and two splits.
type Task struct {
	// Name is unique within its stream, e.g. "sst2" or "conll2003".
	Name string
	Kind Kind
	// Labels names each class (classify) or each BIO tag (tag). For tag
	// tasks Labels[0] is "O". Indices into Labels are the model's
	// output classes.
	Labels []string
	Train  []Example
	Test   []Example
	// Source says where the examples came from (files or generator),
	// for provenance.
	Source string
	// Skipped holds one message for each invalid example that was
	// skipped (only with skip_invalid), naming its file and line or
	// entry.
	Skipped []string

	// ImageSize is the number of pixels of every example of an image
	// task (784 for MNIST's 28 x 28), 0 for a text task.
	ImageSize int
	// Head names the output layer the task predicts with when tasks
	// share one (the domain- and class-incremental scenarios); tasks of
	// a stream with the same Head share it, and then the same Labels.
	// Empty: the task has a head of its own.
	Head string
	// ActiveClasses, when positive, is how many of the head's classes
	// (the first ones of Labels) can be predicted once this task has
	// been trained: in the class-incremental scenario, the classes of
	// this task and of every earlier one. 0: all of them.
	ActiveClasses int
}

// NumClasses is the width of the task's output head.
func (t *Task) NumClasses() int { return len(t.Labels) }

// Stream is an ordered list of tasks, named and versioned. Changing
// the content of a stream (files, caps, order) changes its version.
type Stream struct {
	Name    string
	Version string
	Tasks   []*Task
	// Digest is a hex SHA-256 over every task's name, kind, labels and
	// examples as loaded (after caps and few-shot sampling), so two
	// results can be checked to come from the same data.
	Digest string
}
