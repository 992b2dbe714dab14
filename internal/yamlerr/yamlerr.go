// Package yamlerr says the errors of gopkg.in/yaml.v3 in words, for the
// messages about clbench's YAML files (suite files, reproduction
// references).
package yamlerr

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// typeError and unknownField match yaml.TypeError's messages.
var (
	typeError    = regexp.MustCompile("^line ([0-9]+): cannot unmarshal !!([a-z]+)(?: `(.*)`)? into (.+)$")
	unknownField = regexp.MustCompile(`^line ([0-9]+): field (\S+) not found in type \S+$`)
)

// Plain says a YAML library error in words: what a line should hold
// and what it holds, rather than Go's types and YAML's tags ("cannot
// unmarshal !!str `x` into []bench.SuiteStream"), and an unknown key by
// its name ("field foo not found in type results.Reference"). Other
// errors keep their text, without the library's "yaml: " prefix.
func Plain(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	kinds := map[string]string{"str": "a string", "seq": "a list", "map": "a mapping",
		"int": "a number", "float": "a number", "bool": "true or false", "null": "nothing"}
	var msgs []string
	for _, m := range te.Errors {
		if k := unknownField.FindStringSubmatch(m); k != nil {
			msgs = append(msgs, fmt.Sprintf("line %s: unknown key %q", k[1], k[2]))
			continue
		}
		p := typeError.FindStringSubmatch(m)
		if p == nil {
			msgs = append(msgs, m)
			continue
		}
		got := kinds[p[2]]
		if got == "" {
			got = p[2]
		}
		if p[3] != "" {
			got += fmt.Sprintf(" (%s)", p[3])
		}
		msgs = append(msgs, fmt.Sprintf("line %s: want %s, got %s", p[1], typeInWords(p[4]), got))
	}
	return errors.New(strings.Join(msgs, "; "))
}

// typeInWords names a Go type as a YAML file's reader sees it.
func typeInWords(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "a mapping"
	case t == "string":
		return "a string"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a whole number"
	case strings.HasPrefix(t, "float"):
		return "a number"
	}
	return "a mapping" // a struct
}
