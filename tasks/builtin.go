package tasks

import (
	"slices"
	"strings"
)

// Default caps of the built-in streams, chosen so that a stream runs
// on two CPU cores in minutes. A cap keeps a random subset drawn with
// builtinDataSeed; changing a cap or the seed changes the data a
// stream sees, so bump the version of every stream that uses it.
const (
	// The flagship's first two tasks are capped at 5,000 training
	// examples so that every strategy with three seeds runs in about
	// an hour on two cores (XLA's CPU plugin); version 1 had 8,000.
	sst2MaxTrain          = 5000
	sst2MaxTest           = 872 // the whole GLUE dev set
	flagshipConllMaxTrain = 5000

	conllMaxTrain = 8000
	conllMaxTest  = 1000

	// FDU-MTL domains have about 1,600 training and 400 test reviews,
	// so these caps keep all of them.
	fduMaxTrain = 1600
	fduMaxTest  = 400

	// The CrossNER domains have 100 to 200 training sentences: their
	// training splits are never capped.
	crossnerMaxTest = 500

	// builtinDataSeed draws every built-in stream's caps and held-out
	// test splits. It is combined with the task's name, so a task that
	// appears in two streams with the same caps (conll2003,
	// electronics) has the same examples in both.
	builtinDataSeed = 20250101
)

// builtins returns the built-in streams, sorted by name.
func builtins() []*streamDef {
	sst2 := TaskSpec{
		Name:        "sst2",
		FileOptions: FileOptions{Format: FormatTSV, Kind: Classify},
		Train:       "sst2/train.tsv",
		Test:        "sst2/test.tsv",
		MaxTrain:    sst2MaxTrain,
		MaxTest:     sst2MaxTest,
	}
	defs := []*streamDef{
		stream("amazon-domains", "1",
			"domain-incremental sentiment over four FDU-MTL product domains",
			fdu("books"), fdu("dvd"), fdu("electronics"), fdu("kitchen_housewares")),
		stream("ner-domains", "1",
			"NER under domain shift with new entity types (CrossNER)",
			crossner("conll2003", conllMaxTrain, conllMaxTest),
			crossner("politics", 0, crossnerMaxTest),
			crossner("science", 0, crossnerMaxTest),
			crossner("music", 0, crossnerMaxTest),
			crossner("literature", 0, crossnerMaxTest),
			crossner("ai", 0, crossnerMaxTest)),
		stream("sentiment-ner-domain", "2",
			"sentiment, then NER, then sentiment in a shifted domain (the flagship)",
			sst2,
			crossner("conll2003", flagshipConllMaxTrain, conllMaxTest),
			fdu("electronics")),
		synthetic(),
		stream("uci-domains", "1",
			"sentiment of single sentences in three domains (UCI)",
			uci("amazon"), uci("imdb"), uci("yelp")),
	}
	defs = append(defs, mnistStreams()...)
	slices.SortFunc(defs, func(a, b *streamDef) int { return strings.Compare(a.info.Name, b.info.Name) })
	return defs
}

// stream makes the definition of a built-in stream.
func stream(name, version, desc string, specs ...TaskSpec) *streamDef {
	info := StreamInfo{
		Name:        name,
		Version:     version,
		Description: desc,
		DataSeed:    builtinDataSeed,
		Specs:       specs,
	}
	for _, s := range specs {
		info.Tasks = append(info.Tasks, s.Name)
		if s.generate == nil {
			info.NeedsData = true
		}
	}
	return &streamDef{info: info}
}

// fdu is an FDU-MTL product domain: label<TAB>text, no header.
func fdu(domain string) TaskSpec {
	return TaskSpec{
		Name:        domain,
		FileOptions: FileOptions{Format: FormatTSV, Kind: Classify, NoHeader: true},
		Train:       "fdu-mtl/" + domain + ".task.train",
		Test:        "fdu-mtl/" + domain + ".task.test",
		MaxTrain:    fduMaxTrain,
		MaxTest:     fduMaxTest,
	}
}

// crossner is a CrossNER domain (conll2003 is one of them).
func crossner(domain string, maxTrain, maxTest int) TaskSpec {
	return TaskSpec{
		Name:        domain,
		FileOptions: FileOptions{Format: FormatCoNLL, Kind: Tag},
		Train:       "crossner/" + domain + "/train.txt",
		Test:        "crossner/" + domain + "/test.txt",
		MaxTrain:    maxTrain,
		MaxTest:     maxTest,
	}
}

// uci is a domain of the UCI sentiment sentences. Each file holds one
// entry with a null class, which is skipped and reported; the test
// split is a fifth of the file, held out.
func uci(domain string) TaskSpec {
	return TaskSpec{
		Name:         domain,
		FileOptions:  FileOptions{Format: FormatJSON, Kind: Classify, SkipInvalid: true},
		Train:        "uci-sentences/" + domain + ".json",
		TestFraction: 0.2,
	}
}
