package tasks

import (
	"strings"
	"unicode"
)

// Reserved token ids. Every word id is at least NumReserved.
const (
	// PadID fills positions past the end of a sequence.
	PadID int32 = 0
	// ClsID marks the start of a sequence, for models that pool there.
	ClsID int32 = 1
	// MaskID replaces a word in masked-token pre-training.
	MaskID int32 = 2
	// UnkID stands for a word that cannot be hashed (the empty word,
	// or any word when Buckets leaves no room past the reserved ids).
	UnkID int32 = 3
	// NumReserved is the number of reserved ids, the first word id.
	NumReserved = 4
)

// FNV-1a 64-bit parameters (http://www.isthe.com/chongo/tech/comp/fnv/).
const (
	fnvOffset64 uint64 = 14695981039346656037
	fnvPrime64  uint64 = 1099511628211
)

// Tokenizer maps words to ids by a stable hash, so that no
// vocabulary depends on the data, and a task seen later cannot change
// the ids of an earlier one.
//
// A word's id is NumReserved + h mod (Buckets - NumReserved), where h
// is the FNV-1a 64-bit hash of the word lower-cased (strings.ToLower)
// and encoded in UTF-8. Ids lie in [0, Buckets): Buckets is the size
// of the model's embedding table.
type Tokenizer struct {
	Buckets int
}

// ID returns the id of word. Words that differ only in case share an
// id. The empty word, and every word when Buckets <= NumReserved, is
// UnkID.
func (t Tokenizer) ID(word string) int32 {
	if word == "" || t.Buckets <= NumReserved {
		return UnkID
	}
	h := fnvOffset64
	for _, b := range []byte(strings.ToLower(word)) {
		h ^= uint64(b)
		h *= fnvPrime64
	}
	return NumReserved + int32(h%uint64(t.Buckets-NumReserved))
}

// Encode returns one id per word, in order, for at most maxLen words
// (all of them when maxLen <= 0). It adds no ClsID and no padding, so
// the ids line up with Example.Words and Example.Tags; a model that
// wants a start token or a fixed width adds them itself.
func (t Tokenizer) Encode(words []string, maxLen int) []int32 {
	n := len(words)
	if maxLen > 0 && n > maxLen {
		n = maxLen
	}
	ids := make([]int32, n)
	for i := range ids {
		ids[i] = t.ID(words[i])
	}
	return ids
}

// SplitWords splits raw text into words: first at white space, then
// each run of letters, digits and apostrophes stays one word and
// every other rune (punctuation, symbols) becomes a word of its own.
// "Great phone!!" gives "Great", "phone", "!", "!"; "isn't" stays
// whole. Text that is already tokenized with spaces (SST-2, FDU-MTL)
// comes back as its tokens, except that tokens mixing letters and
// punctuation ("slow-moving") are split. A byte-order mark counts as
// white space.
func SplitWords(text string) []string {
	var words []string
	start := -1 // start of the current run of word runes, or -1
	for i, r := range text {
		switch {
		case isWordRune(r):
			if start < 0 {
				start = i
			}
			continue
		case start >= 0:
			words = append(words, text[start:i])
			start = -1
		}
		if unicode.IsSpace(r) || r == '\uFEFF' {
			continue
		}
		words = append(words, string(r))
	}
	if start >= 0 {
		words = append(words, text[start:])
	}
	return words
}

// isWordRune reports whether r belongs in a run that SplitWords keeps
// together: letters (with their combining marks), digits and
// apostrophes.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) ||
		r == '\'' || r == '\u2019'
}
