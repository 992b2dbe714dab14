package tasks

import (
	"fmt"
	"strings"
)

// The synthetic stream is generated, needs no files, and is the same
// on every machine. Its three tasks are small (syntheticTrain and
// syntheticTest examples of 6 to 16 words) and learnable from single
// words, so a tiny Transformer learns each in a few hundred steps,
// while chance stays far from perfect: 50% accuracy for the two
// classify tasks, F1 0 for a tagger that says O everywhere.
const (
	syntheticTrain  = 512
	syntheticTest   = 128
	syntheticMinLen = 6
	syntheticMaxLen = 16
	// syntheticSeed draws every word of the stream.
	syntheticSeed = 7
)

// Word lists of the synthetic stream. The two sentiment tasks share
// no cue words and few filler words, so the third task is a domain
// shift from the first.
var (
	movieFiller = strings.Fields(`the a film movie plot actor scene story
		director camera it was and with this that of in ending music script
		cast very quite really character we saw last night about two hours
		long screen audience dialogue sequel theatre popcorn`)
	moviePositive = strings.Fields("great wonderful superb moving brilliant delightful")
	movieNegative = strings.Fields("awful boring dull terrible clumsy tedious")

	productFiller = strings.Fields(`battery charger screen kettle blender
		cable box arrived package price seller order my after week use phone
		lid handle button has is for kitchen laptop speaker sound delivery
		plug warranty model size colour brand days month fits works daily`)
	productPositive = strings.Fields("sturdy reliable flawless handy sleek solid")
	productNegative = strings.Fields("broken flimsy defective leaky faulty useless")

	nerFiller = strings.Fields(`met visited in at the with and yesterday
		from to travelled spoke lives near old friend city went saw after
		before meeting office trip said that was home week during called
		wrote a letter left arrived later team house road`)
	firstNames = strings.Fields("alice bruno chen dara elena farid greta hiro ines jonas kofi lena")
	lastNames  = strings.Fields("smith okafor tanaka novak silva haddad berg moreau")
	// Places of one word and of two.
	places = []string{"paris", "lagos", "osaka", "lima", "oslo", "cairo", "denver",
		"madrid", "new york", "buenos aires", "hong kong", "cape town", "san diego"}
)

// synthetic defines the synthetic stream.
func synthetic() *streamDef {
	d := stream("synthetic", "1",
		"generated: cue-word sentiment, people and places, shifted sentiment",
		TaskSpec{
			Name:        "movie-sentiment",
			FileOptions: FileOptions{Kind: Classify},
			generate:    cueTask("movie-sentiment", movieFiller, movieNegative, moviePositive),
		},
		TaskSpec{
			Name:        "people-places",
			FileOptions: FileOptions{Kind: Tag},
			generate:    entityTask,
		},
		TaskSpec{
			Name:        "product-sentiment",
			FileOptions: FileOptions{Kind: Classify},
			generate: cueTask("product-sentiment",
				productFiller, productNegative, productPositive),
		})
	d.info.DataSeed = syntheticSeed
	return d
}

// cueTask generates sentiment sentences: filler words with one or two
// cue words from neg or pos, labelled "negative" or "positive" by the
// cue set (each with probability 1/2).
func cueTask(name string, filler, neg, pos []string) func(r *rng) (train, test []record) {
	return func(r *rng) (train, test []record) {
		gen := func(n int) []record {
			recs := make([]record, n)
			for i := range recs {
				label, cues := "negative", neg
				if r.intn(2) == 1 {
					label, cues = "positive", pos
				}
				words := fillerWords(r, filler)
				for range 1 + r.intn(2) {
					words[r.intn(len(words))] = cues[r.intn(len(cues))]
				}
				recs[i] = record{words: words, label: label,
					at: fmt.Sprintf("synthetic %s: example %d", name, i)}
			}
			return recs
		}
		return gen(syntheticTrain), gen(syntheticTest)
	}
}

// entityTask generates tagging sentences: filler words around one to
// three entities, each a person (a first name, half the time followed
// by a last name) or a place (of one or two words), tagged B-person,
// I-person, B-location, I-location and O.
func entityTask(r *rng) (train, test []record) {
	gen := func(n int) []record {
		recs := make([]record, n)
		for i := range recs {
			recs[i] = entitySentence(r)
			recs[i].at = fmt.Sprintf("synthetic people-places: example %d", i)
		}
		return recs
	}
	return gen(syntheticTrain), gen(syntheticTest)
}

// entitySentence draws one sentence of entityTask.
func entitySentence(r *rng) record {
	// Draw the entities.
	type entity struct {
		words []string
		typ   string
	}
	var ents []entity
	nWords := 0
	for range 1 + r.intn(3) {
		e := entity{typ: "location"}
		if r.intn(2) == 0 {
			e = entity{words: []string{firstNames[r.intn(len(firstNames))]}, typ: "person"}
			if r.intn(2) == 0 {
				e.words = append(e.words, lastNames[r.intn(len(lastNames))])
			}
		} else {
			e.words = strings.Fields(places[r.intn(len(places))])
		}
		ents = append(ents, e)
		nWords += len(e.words)
	}

	// Fill the sentence up to its length, and put each entity before
	// a random filler word (or at the end).
	filler := fillerWords(r, nerFiller)
	filler = filler[:max(len(filler)-nWords, 0)]
	before := make([][]entity, len(filler)+1)
	for _, e := range ents {
		p := r.intn(len(filler) + 1)
		before[p] = append(before[p], e)
	}
	var rec record
	for p := range before {
		for _, e := range before[p] {
			for j, w := range e.words {
				tag := "I-" + e.typ
				if j == 0 {
					tag = "B-" + e.typ
				}
				rec.words = append(rec.words, w)
				rec.tags = append(rec.tags, tag)
			}
		}
		if p < len(filler) {
			rec.words = append(rec.words, filler[p])
			rec.tags = append(rec.tags, "O")
		}
	}
	return rec
}

// fillerWords returns a sentence of syntheticMinLen to syntheticMaxLen
// words drawn from filler.
func fillerWords(r *rng, filler []string) []string {
	n := syntheticMinLen + r.intn(syntheticMaxLen-syntheticMinLen+1)
	words := make([]string, n)
	for i := range words {
		words[i] = filler[r.intn(len(filler))]
	}
	return words
}
