package tasks

import (
	"hash/fnv"
	"math/bits"
	"sort"
)

// rng is SplitMix64 (Steele, Lea and Flood 2014). clbench uses its own
// generator, not math/rand, so that the data a stream version selects
// can never change with the Go release.
type rng struct{ state uint64 }

// newRNG returns a generator seeded by seed and the given names, so
// that each task and purpose draws its own sequence.
func newRNG(seed int64, names ...string) *rng {
	h := fnv.New64a()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
	}
	return &rng{state: uint64(seed) ^ h.Sum64()}
}

func (r *rng) uint64() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n) (Lemire's multiply-shift; its bias
// is below 2^-32 for the sizes used here). n must be positive.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.uint64(), uint64(n))
	return int(hi)
}

// perm returns a random permutation of [0, n) (Fisher-Yates).
func (r *rng) perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// subset returns k of the n indices [0, n), drawn at random and then
// put back in ascending order, so a subset keeps the file's order.
// All of them when k >= n.
func subset(r *rng, n, k int) []int {
	p := r.perm(n)
	if k < n {
		p = p[:k]
	}
	sort.Ints(p)
	return p
}

// capExamples keeps a random k of ex (all when k <= 0 or k >= len).
func capExamples(ex []Example, k int, r *rng) []Example {
	if k <= 0 || k >= len(ex) {
		return ex
	}
	return pick(ex, subset(r, len(ex), k))
}

// pick returns ex[i] for each i in idx.
func pick[T any](ex []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = ex[j]
	}
	return out
}

// fewShot keeps n examples of ex, drawn by r. When n is at least the
// number of classes (labels of a classify task, entity types of a tag
// task) each class present in ex is kept at least once: for each
// class in turn, the first example in the random order that has it;
// then the rest in that order. The examples keep their order in ex.
func fewShot(ex []Example, n int, kind Kind, labels []string, r *rng) []Example {
	if n >= len(ex) {
		return ex
	}
	order := r.perm(len(ex))
	taken := make([]bool, len(ex))
	var keep []int

	// Cover every class first, when there is room for all of them.
	classes := exampleClasses(ex, kind, labels)
	if n >= len(classes.names) {
		for _, c := range classes.names {
			for _, i := range order {
				if !taken[i] && classes.has(i, c) {
					taken[i] = true
					keep = append(keep, i)
					break
				}
			}
		}
	}

	// Fill up in the random order.
	for _, i := range order {
		if len(keep) >= n {
			break
		}
		if !taken[i] {
			taken[i] = true
			keep = append(keep, i)
		}
	}
	sort.Ints(keep)
	return pick(ex, keep)
}

// classSet says which classes each example has.
type classSet struct {
	names []string // sorted
	of    []map[string]bool
}

func (c classSet) has(i int, name string) bool { return c.of[i][name] }

// exampleClasses lists the classes present in ex: labels for classify,
// entity types for tag.
func exampleClasses(ex []Example, kind Kind, labels []string) classSet {
	c := classSet{of: make([]map[string]bool, len(ex))}
	all := map[string]bool{}
	for i, e := range ex {
		c.of[i] = map[string]bool{}
		if kind == Classify {
			c.of[i][labels[e.Label]] = true
			all[labels[e.Label]] = true
			continue
		}
		for _, t := range e.Tags {
			if p, typ := splitTag(labels[t]); p != 'O' {
				c.of[i][typ] = true
				all[typ] = true
			}
		}
	}
	for name := range all {
		c.names = append(c.names, name)
	}
	sort.Strings(c.names)
	return c
}

// splitRecords holds out a share frac of recs as a test split, drawn
// by r; both parts keep the file's order. At least one record goes to
// each part when there are two or more.
func splitRecords(recs []record, frac float64, r *rng) (train, test []record) {
	nTest := int(float64(len(recs))*frac + 0.5)
	nTest = max(1, min(nTest, len(recs)-1))
	testIdx := subset(r, len(recs), nTest)
	inTest := make([]bool, len(recs))
	for _, i := range testIdx {
		inTest[i] = true
	}
	for i, rec := range recs {
		if inTest[i] {
			test = append(test, rec)
		} else {
			train = append(train, rec)
		}
	}
	return train, test
}
