package tasks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFDU writes a tiny FDU-MTL folder: four unlabelled files of n
// lines and one test file whose single review is also line 0 of the
// books file, written with other spacing and case.
func writeFDU(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	fdu := filepath.Join(dir, "fdu-mtl")
	if err := os.MkdirAll(fdu, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"books", "dvd", "electronics", "kitchen_housewares"} {
		var b strings.Builder
		for i := 0; i < n; i++ {
			if d == "books" && i == 0 {
				b.WriteString("A Great read, truly!\n")
				continue
			}
			b.WriteString(d + " review number " + strings.Repeat("x", i+1) + "\n")
		}
		if err := os.WriteFile(filepath.Join(fdu, d+".task.unlabel"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(fdu, "books.task.test"), []byte("1\ta great read , truly !\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadCorpus(t *testing.T) {
	// 4 x 200 lines, one of them a test review: 799 usable, 500 held
	// out, 299 to train on.
	dir := writeFDU(t, 200)
	c, err := LoadCorpus(CorpusFDU, dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Dropped != 1 || len(c.HeldOut) != 500 || len(c.Train) != 299 {
		t.Fatalf("dropped %d, held out %d, train %d; want 1, 500, 299", c.Dropped, len(c.HeldOut), len(c.Train))
	}
	for _, words := range append(c.Train, c.HeldOut...) {
		if strings.EqualFold(strings.Join(words, " "), "a great read , truly !") {
			t.Errorf("the test review is in the corpus")
		}
	}
	again, err := LoadCorpus(CorpusFDU, dir)
	if err != nil {
		t.Fatal(err)
	}
	if again.Digest != c.Digest || strings.Join(again.HeldOut[0], " ") != strings.Join(c.HeldOut[0], " ") {
		t.Errorf("loading twice gave another digest or split")
	}

	// One changed line changes the digest.
	path := filepath.Join(dir, "fdu-mtl", "dvd.task.unlabel")
	b, _ := os.ReadFile(path)
	if err := os.WriteFile(path, append(b, "one more\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if changed, err := LoadCorpus(CorpusFDU, dir); err != nil || changed.Digest == c.Digest {
		t.Errorf("a changed file kept the digest (%v)", err)
	}
}

func TestLoadCorpusErrors(t *testing.T) {
	if _, err := LoadCorpus("wiki", t.TempDir()); err == nil || !strings.Contains(err.Error(), `unknown corpus "wiki"`) {
		t.Errorf("unknown corpus: %v", err)
	}
	if _, err := LoadCorpus(CorpusFDU, t.TempDir()); err == nil || !strings.Contains(err.Error(), "fdu-mtl") {
		t.Errorf("missing folder: %v", err)
	}
	dir := writeFDU(t, 100) // 399 usable lines: too few to hold 500 out
	if _, err := LoadCorpus(CorpusFDU, dir); err == nil || !strings.Contains(err.Error(), "399 usable lines") {
		t.Errorf("small corpus: %v", err)
	}
}
