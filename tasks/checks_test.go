package tasks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestShotsMustLeaveAFewShotVariant(t *testing.T) {
	// synthetic's later tasks have 512 training examples: 512 shots
	// would keep all of them.
	_, err := Load("synthetic", Options{Shots: 512, Seed: 1})
	if err == nil || !strings.Contains(err.Error(), "not a few-shot variant") {
		t.Fatalf("err = %v, want a refusal naming the full stream", err)
	}
	if _, err := Load("synthetic", Options{Shots: 511, Seed: 1}); err != nil {
		t.Fatalf("511 shots of 512: %v", err)
	}
}

func TestTagTaskNeedsEntities(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("none.txt", "a\tO\nb\tO\n\nc\tO\n")
	write("some.txt", "ada\tB-person\nsaid\tO\n")
	stream := func(train, test string) string {
		path := filepath.Join(dir, "s-"+train+"-"+test+".yaml")
		write(filepath.Base(path), "name: s\ntasks:\n  - name: ner\n    kind: tag\n    format: conll\n"+
			"    train: "+train+"\n    test: "+test+"\n")
		return path
	}
	for _, tc := range []struct{ train, test, want string }{
		{"none.txt", "none.txt", "training split has no entities"},
		{"some.txt", "none.txt", "test split has no entities"},
	} {
		_, err := LoadFile(stream(tc.train, tc.test), Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("train %s, test %s: err = %v, want %q", tc.train, tc.test, err, tc.want)
		}
	}
}
