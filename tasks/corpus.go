package tasks

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
)

// Corpus is unlabelled text for masked-token pre-training: Train to
// learn from, HeldOut to score what the model still knows of it.
type Corpus struct {
	Name string
	// Digest is the SHA-256 of the files read, in order, and of the
	// split: it names the text a base was pre-trained on.
	Digest  string
	Train   [][]string // one review per entry, as words
	HeldOut [][]string
	// Dropped is how many lines were left out as the text of a test
	// example (or empty).
	Dropped int
}

// CorpusFDU is the built-in corpus: the unlabelled reviews of FDU-MTL's
// four classic domains (fdu-mtl/<domain>.task.unlabel, 2,000 lines
// each).
const CorpusFDU = "fdu-mtl"

// corpusHeldOut is how many lines of a corpus are held out for scoring.
const corpusHeldOut = 500

// Corpora lists the built-in corpora.
func Corpora() []string { return []string{CorpusFDU} }

// LoadCorpus reads a built-in corpus from the data folder. Lines whose
// text is that of a test example of any FDU-MTL domain (compared on
// their letters and digits, lower-cased) are left out, so that no
// stream's test text is pre-trained on; so are empty lines. The held-out
// lines are drawn with the built-in data seed.
func LoadCorpus(name, dataDir string) (*Corpus, error) {
	if name != CorpusFDU {
		return nil, fmt.Errorf("unknown corpus %q (known: %s)", name, strings.Join(Corpora(), ", "))
	}
	// The test texts of every FDU-MTL domain.
	tests, err := filepath.Glob(filepath.Join(dataDir, "fdu-mtl", "*.task.test"))
	if err != nil {
		return nil, err
	}
	if len(tests) == 0 {
		return nil, &MissingFileError{File: "fdu-mtl/*.task.test", Dir: dataDir, Hint: dataHint}
	}
	slices.Sort(tests)
	testText := map[string]bool{}
	for _, path := range tests {
		if err := eachLine(path, func(line string) {
			if _, text, ok := strings.Cut(line, "\t"); ok {
				testText[textKey(text)] = true
			}
		}); err != nil {
			return nil, err
		}
	}

	c := &Corpus{Name: name}
	h := sha256.New()
	var all [][]string
	for _, domain := range []string{"books", "dvd", "electronics", "kitchen_housewares"} {
		rel := filepath.Join("fdu-mtl", domain+".task.unlabel")
		path, err := resolve(dataDir, rel, dataHint)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(h, "%s\x00", rel)
		if err := eachLine(path, func(line string) {
			h.Write([]byte(line))
			h.Write([]byte{'\n'})
			key := textKey(line)
			if key == "" || testText[key] {
				c.Dropped++
				return
			}
			all = append(all, SplitWords(line))
		}); err != nil {
			return nil, err
		}
	}
	if len(all) <= corpusHeldOut {
		return nil, fmt.Errorf("corpus %s: %d usable lines, want more than %d", name, len(all), corpusHeldOut)
	}
	r := rand.New(rand.NewPCG(builtinDataSeed, uint64(len(all))))
	perm := r.Perm(len(all))
	held := slices.Clone(perm[:corpusHeldOut])
	slices.Sort(held)
	isHeld := map[int]bool{}
	for _, i := range held {
		isHeld[i] = true
		c.HeldOut = append(c.HeldOut, all[i])
	}
	for i, words := range all {
		if !isHeld[i] {
			c.Train = append(c.Train, words)
		}
	}
	fmt.Fprintf(h, "\x00held out %d with seed %d", corpusHeldOut, builtinDataSeed)
	c.Digest = hex.EncodeToString(h.Sum(nil))
	return c, nil
}

// textKey is a text's letters and digits, lower-cased: two tokenizations
// of the same review share it.
func textKey(text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// eachLine calls fn with every line of the file at path.
func eachLine(path string, fn func(string)) error {
	l, err := openLines(path)
	if err != nil {
		return err
	}
	defer l.Close()
	for {
		line, ok, err := l.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		fn(line)
	}
}
