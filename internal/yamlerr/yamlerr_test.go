package yamlerr

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Each error of yaml.v3 is said in words: the line, what it should hold
// and what it holds, or the unknown key; the library's types, tags and
// prefix are gone. The wanted texts are yaml.v3's messages for these
// documents, rewritten as Plain rewrites them.
func TestPlain(t *testing.T) {
	type doc struct {
		Streams []struct {
			Name string `yaml:"name"`
		} `yaml:"streams"`
		Seeds int `yaml:"seeds"`
	}
	for _, tc := range []struct{ name, text, want string }{
		{"string for a list", "streams: synthetic\n", "line 1: want a list, got a string (synthetic)"},
		{"list for a number", "seeds: [1, 2]\n", "line 1: want a whole number, got a list"},
		{"list for the document", "- a\n", "line 1: want a mapping, got a list"},
		{"unknown key", "seeds: 3\nseed: 4\n", `line 2: unknown key "seed"`},
		{"syntax", "streams: [a\n", "did not find expected ',' or ']'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dec := yaml.NewDecoder(strings.NewReader(tc.text))
			dec.KnownFields(true)
			var d doc
			err := dec.Decode(&d)
			if err == nil {
				t.Fatalf("no error for %q", tc.text)
			}
			got := Plain(err).Error()
			if !strings.Contains(got, tc.want) || strings.Contains(got, "yaml:") ||
				strings.Contains(got, "!!") {
				t.Errorf("Plain(%q) = %q, want %q", err, got, tc.want)
			}
		})
	}
}
