package tasks

import (
	"hash/fnv"
	"slices"
	"strings"
	"testing"
)

// fnvID is the documented formula, computed with hash/fnv rather than
// the tokenizer's own loop.
func fnvID(word string, buckets int) int32 {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(word)))
	return NumReserved + int32(h.Sum64()%uint64(buckets-NumReserved))
}

func TestTokenizerID(t *testing.T) {
	// The want values were computed with a separate Python FNV-1a
	// (offset 14695981039346656037, prime 1099511628211) over the
	// lower-cased UTF-8 bytes: 4 + h mod (buckets - 4). They pin the
	// ids, so a change to the hash shows here.
	tests := []struct {
		name    string
		word    string
		buckets int
		want    int32
	}{
		{"plain word", "movie", 1000, 875},
		{"upper case is lower-cased", "MOVIE", 1000, 875},
		{"hash divisible by buckets-4 gives the first word id", "the", 1000, 4},
		{"non-ASCII lower-casing", "École", 1000, 680},
		{"sharp s has no upper-case change", "Straße", 1000, 340},
		{"larger table", "movie", 32768, 20579},
		{"empty word", "", 1000, UnkID},
		{"no room past the reserved ids", "movie", NumReserved, UnkID},
		{"zero buckets", "movie", 0, UnkID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Tokenizer{Buckets: tt.buckets}.ID(tt.word)
			if got != tt.want {
				t.Errorf("ID(%q) with %d buckets = %d, want %d", tt.word, tt.buckets, got, tt.want)
			}
			if tt.want >= NumReserved {
				if f := fnvID(tt.word, tt.buckets); got != f {
					t.Errorf("ID(%q) = %d, but hash/fnv gives %d", tt.word, got, f)
				}
			}
		})
	}
}

func TestTokenizerIDRange(t *testing.T) {
	words := SplitWords("The quick brown fox jumps over the lazy dog ; it 's 1996-08-22 !")
	for _, buckets := range []int{5, 7, 100, 1 << 15} {
		tok := Tokenizer{Buckets: buckets}
		for _, w := range words {
			id := tok.ID(w)
			if id < NumReserved || int(id) >= buckets {
				t.Errorf("buckets %d: ID(%q) = %d, want in [%d, %d)",
					buckets, w, id, NumReserved, buckets)
			}
			if id != fnvID(w, buckets) {
				t.Errorf("buckets %d: ID(%q) = %d, hash/fnv gives %d",
					buckets, w, id, fnvID(w, buckets))
			}
			if up := tok.ID(strings.ToUpper(w)); up != id {
				t.Errorf("buckets %d: ID(%q) = %d but ID of upper case = %d", buckets, w, id, up)
			}
		}
	}
}

func TestTokenizerEncode(t *testing.T) {
	tok := Tokenizer{Buckets: 1000}
	words := []string{"the", "movie", "The", "MOVIE"}
	// Ids from TestTokenizerID: the = 4, movie = 875.
	tests := []struct {
		name   string
		maxLen int
		want   []int32
	}{
		{"no limit", 0, []int32{4, 875, 4, 875}},
		{"negative is no limit", -1, []int32{4, 875, 4, 875}},
		{"limit above length", 10, []int32{4, 875, 4, 875}},
		{"truncated", 2, []int32{4, 875}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tok.Encode(words, tt.maxLen); !slices.Equal(got, tt.want) {
				t.Errorf("Encode(%q, %d) = %v, want %v", words, tt.maxLen, got, tt.want)
			}
		})
	}
	if got := tok.Encode(nil, 5); len(got) != 0 {
		t.Errorf("Encode(nil) = %v, want empty", got)
	}
}

func TestSplitWords(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"spaces", "a  good\tfilm\n", []string{"a", "good", "film"}},
		{"punctuation split off", "Great phone!!", []string{"Great", "phone", "!", "!"}},
		{"apostrophes stay", "isn't it's ’tis", []string{"isn't", "it's", "’tis"}},
		{"pre-tokenized SST-2 is unchanged", "it 's a charming journey . ",
			[]string{"it", "'s", "a", "charming", "journey", "."}},
		{"hyphen and digits", "slow-moving 1996-08-22",
			[]string{"slow", "-", "moving", "1996", "-", "08", "-", "22"}},
		{"symbols each alone", "$5.99/each", []string{"$", "5", ".", "99", "/", "each"}},
		{"accents and marks", "café naïve", []string{"café", "naïve"}},
		{"byte-order mark is space", "\uFEFFSandra ;", []string{"Sandra", ";"}},
		{"invalid UTF-8 becomes one rune", "a\xffb", []string{"a", "\uFFFD", "b"}},
		{"empty", "", nil},
		{"only space", " \t ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SplitWords(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("SplitWords(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}
