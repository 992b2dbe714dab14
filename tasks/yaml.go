package tasks

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Keys of a stream file, in the order the package documentation gives.
var (
	streamKeys = []string{"name", "version", "description", "data_seed", "tasks"}
	taskKeys   = []string{"name", "kind", "format", "train", "test",
		"header", "text_column", "label_column", "delimiter",
		"text_field", "label_field", "tokens_column", "tags_column",
		"skip_invalid", "max_train", "max_test", "test_fraction"}
	// formatKeys lists the keys that apply to each format only.
	formatKeys = map[string][]Format{
		"header":        {FormatTSV},
		"delimiter":     {FormatTSV},
		"text_column":   {FormatTSV, FormatParquet},
		"label_column":  {FormatTSV, FormatParquet},
		"text_field":    {FormatJSON, FormatJSONL},
		"label_field":   {FormatJSON, FormatJSONL},
		"tokens_column": {FormatParquet},
		"tags_column":   {FormatParquet},
	}
)

// LoadFile loads the stream defined by the YAML file at path (the
// format is in the package documentation). Data files are relative to
// the YAML file's folder. Every mistake in the file is an error that
// names the file and the line.
func LoadFile(path string, o Options) (*Stream, error) {
	d, err := parseStreamFile(path)
	if err != nil {
		return nil, err
	}
	return d.load(o)
}

// parseStreamFile reads a stream file into a definition.
func parseStreamFile(path string) (*streamDef, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: file is empty", path)
	}
	p := yamlParser{path: path}
	root := doc.Content[0]
	fields, err := p.mapping(root, streamKeys, "a stream")
	if err != nil {
		return nil, err
	}

	// The stream's own keys.
	info := StreamInfo{Version: "1", NeedsData: true}
	if info.Name, err = p.requiredString(root, fields, "name"); err != nil {
		return nil, err
	}
	for _, d := range builtins() {
		// Results name a stream by its name and version: a file's stream
		// under a built-in's name would be ranked and checked as that
		// stream.
		if d.info.Name == info.Name {
			return nil, p.errorf(fields["name"], "%q is a built-in stream's name; give this "+
				"stream a name of its own", info.Name)
		}
	}
	if n := fields["version"]; n != nil {
		if info.Version, err = p.str(n, "version"); err != nil {
			return nil, err
		}
	}
	if n := fields["description"]; n != nil {
		if info.Description, err = p.str(n, "description"); err != nil {
			return nil, err
		}
	}
	if n := fields["data_seed"]; n != nil {
		if err := p.decode(n, &info.DataSeed, "data_seed", "an integer"); err != nil {
			return nil, err
		}
	}

	// The tasks.
	list := fields["tasks"]
	if list == nil {
		return nil, p.errorf(root, "missing key %q", "tasks")
	}
	if list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		return nil, p.errorf(list, "%q must be a list of one or more tasks", "tasks")
	}
	firstLine := map[string]int{}
	for _, n := range list.Content {
		spec, err := p.task(n)
		if err != nil {
			return nil, err
		}
		if line, dup := firstLine[spec.Name]; dup {
			return nil, p.errorf(n, "task name %q is used twice (first at line %d)",
				spec.Name, line)
		}
		firstLine[spec.Name] = n.Line
		info.Tasks = append(info.Tasks, spec.Name)
		info.Specs = append(info.Specs, spec)
	}
	return &streamDef{
		info: info,
		dir:  filepath.Dir(path),
		hint: fmt.Sprintf("paths in %s are relative to its folder", path),
	}, nil
}

// yamlParser reads the nodes of one stream file; its errors name the
// file and the line.
type yamlParser struct{ path string }

func (p yamlParser) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.path, n.Line, fmt.Sprintf(format, args...))
}

// mapping checks that n is a mapping whose keys are all in known and
// none repeated, and returns each key's value node.
func (p yamlParser) mapping(n *yaml.Node, known []string,
	what string) (map[string]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errorf(n, "want %s (a mapping of keys to values)", what)
	}
	fields := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !slices.Contains(known, k.Value):
			return nil, p.errorf(k, "unknown key %q in %s (known keys: %s)",
				k.Value, what, strings.Join(known, ", "))
		case fields[k.Value] != nil:
			return nil, p.errorf(k, "key %q is given twice", k.Value)
		}
		fields[k.Value] = v
	}
	return fields, nil
}

// str returns the text of a scalar node.
func (p yamlParser) str(n *yaml.Node, key string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", p.errorf(n, "%q must be a value, not a list, mapping or null", key)
	}
	return n.Value, nil
}

// requiredString returns the non-empty scalar under key of the
// mapping m, whose fields are given.
func (p yamlParser) requiredString(m *yaml.Node, fields map[string]*yaml.Node,
	key string) (string, error) {
	n := fields[key]
	if n == nil {
		return "", p.errorf(m, "missing key %q", key)
	}
	s, err := p.str(n, key)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(s) == "" {
		return "", p.errorf(n, "%q is empty", key)
	}
	return s, nil
}

// decode decodes a scalar node into v, which wants what.
func (p yamlParser) decode(n *yaml.Node, v any, key, what string) error {
	if n.Kind != yaml.ScalarNode || n.Decode(v) != nil {
		return p.errorf(n, "%q must be %s", key, what)
	}
	return nil
}

// task reads one entry of the tasks list.
func (p yamlParser) task(n *yaml.Node) (TaskSpec, error) {
	fields, err := p.mapping(n, taskKeys, "a task")
	if err != nil {
		return TaskSpec{}, err
	}
	var spec TaskSpec

	// Required keys.
	if spec.Name, err = p.requiredString(n, fields, "name"); err != nil {
		return spec, err
	}
	kind, err := p.requiredString(n, fields, "kind")
	if err != nil {
		return spec, err
	}
	if spec.Kind, err = ParseKind(kind); err != nil {
		return spec, p.errorf(fields["kind"], "%v", err)
	}
	format, err := p.requiredString(n, fields, "format")
	if err != nil {
		return spec, err
	}
	if spec.Format, err = ParseFormat(format); err != nil {
		return spec, p.errorf(fields["format"], "%v", err)
	}
	if err := checkKind("task "+spec.Name, spec.Format, spec.Kind); err != nil {
		return spec, p.errorf(fields["format"], "%v", err)
	}
	if spec.Train, err = p.requiredString(n, fields, "train"); err != nil {
		return spec, err
	}

	// Keys that apply to some formats only.
	for _, key := range taskKeys {
		formats, some := formatKeys[key]
		if v := fields[key]; v != nil && some && !slices.Contains(formats, spec.Format) {
			return spec, p.errorf(v, "%q does not apply to %s files", key, spec.Format)
		}
	}

	// Optional strings.
	strs := []struct {
		key string
		dst *string
	}{
		{"test", &spec.Test},
		{"text_column", &spec.TextColumn},
		{"label_column", &spec.LabelColumn},
		{"delimiter", &spec.Delimiter},
		{"text_field", &spec.TextField},
		{"label_field", &spec.LabelField},
		{"tokens_column", &spec.TokensColumn},
		{"tags_column", &spec.TagsColumn},
	}
	for _, s := range strs {
		if v := fields[s.key]; v != nil {
			if *s.dst, err = p.str(v, s.key); err != nil {
				return spec, err
			}
		}
	}

	// Optional booleans and numbers.
	if v := fields["header"]; v != nil {
		header := true
		if err := p.decode(v, &header, "header", "true or false"); err != nil {
			return spec, err
		}
		spec.NoHeader = !header
	}
	if v := fields["skip_invalid"]; v != nil {
		if err := p.decode(v, &spec.SkipInvalid, "skip_invalid", "true or false"); err != nil {
			return spec, err
		}
	}
	for _, key := range []string{"max_train", "max_test"} {
		dst := &spec.MaxTrain
		if key == "max_test" {
			dst = &spec.MaxTest
		}
		if v := fields[key]; v != nil {
			if err := p.decode(v, dst, key, ""); err != nil || *dst < 0 {
				return spec, p.errorf(v, "%q must be an integer, 0 (no cap) or more", key)
			}
		}
	}
	if v := fields["test_fraction"]; v != nil {
		if fields["test"] != nil {
			return spec, p.errorf(v, "%q applies only when %q is omitted", "test_fraction", "test")
		}
		f, err := strconv.ParseFloat(v.Value, 64)
		if v.Kind != yaml.ScalarNode || err != nil || !(f > 0 && f < 1) {
			return spec, p.errorf(v, "%q must be a number between 0 and 1", "test_fraction")
		}
		spec.TestFraction = f
	}
	return spec, nil
}
