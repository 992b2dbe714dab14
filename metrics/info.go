package metrics

// Info describes one metric for `clbench list metrics` and for tools
// that compare result sets and need each metric's direction.
type Info struct {
	Name           string // as the papers name it
	Key            string // column and JSON key in results files
	Formula        string // in the papers' 1-based notation
	Source         string // the paper that defines it
	HigherIsBetter bool
}

// All lists every metric of clbench, scores first and cost last, in the
// order of the design's table. Keys are the Parquet column names of a
// results.Run.
func All() []Info {
	return []Info{
		{
			Name:           "Average accuracy",
			Key:            "acc",
			Formula:        "(1/T) sum_j R[T][j]",
			Source:         "Lopez-Paz and Ranzato 2017 (GEM)",
			HigherIsBetter: true,
		},
		{
			Name:           "Backward transfer",
			Key:            "bwt",
			Formula:        "(1/(T-1)) sum_{j<T} (R[T][j] - R[j][j])",
			Source:         "Lopez-Paz and Ranzato 2017 (GEM)",
			HigherIsBetter: true,
		},
		{
			Name:           "Forward transfer",
			Key:            "fwt",
			Formula:        "(1/(T-1)) sum_{j>=2} (R[j-1][j] - b_j), b_j the untrained score",
			Source:         "Lopez-Paz and Ranzato 2017 (GEM)",
			HigherIsBetter: true,
		},
		{
			Name:    "Forgetting",
			Key:     "forgetting",
			Formula: "(1/(T-1)) sum_{j<T} (max_{l=j..T-1} R[l][j] - R[T][j])",
			Source:  "Chaudhry et al. 2018 (RWalk)",
		},
		{
			Name:    "Intransigence",
			Key:     "intransigence",
			Formula: "(1/T) sum_k (a*_k - R[k][k]), a*_k the cumulative run's R[k][k]",
			Source:  "Chaudhry et al. 2018 (RWalk)",
		},
		{
			Name:           "Learning accuracy (plasticity)",
			Key:            "la",
			Formula:        "(1/T) sum_j R[j][j]",
			Source:         "Riemer et al. 2019 (MER)",
			HigherIsBetter: true,
		},
		{
			Name:    "Few-shot amplification",
			Key:     "fewshot_amplification",
			Formula: "F_fewshot / F_full - 1, same stream and strategy; undefined when F_full <= 0",
			Source:  "tests the claim that forgetting grows by about 40% under 1,000 examples",
		},
		{
			Name:    "Wall time",
			Key:     "wall_seconds",
			Formula: "seconds from the run's start to its end",
			Source:  "Diaz-Rodriguez et al. 2018",
		},
		{
			Name:           "Throughput",
			Key:            "examples_per_second",
			Formula:        "training examples processed per second of training",
			Source:         "Diaz-Rodriguez et al. 2018",
			HigherIsBetter: true,
		},
		{
			Name:    "Peak memory",
			Key:     "peak_memory_bytes",
			Formula: "largest memory in use during the run, bytes",
			Source:  "Diaz-Rodriguez et al. 2018",
		},
		{
			Name:    "Trainable parameters",
			Key:     "trainable_params",
			Formula: "parameters updated by training",
			Source:  "Diaz-Rodriguez et al. 2018",
		},
		{
			Name:    "Parameters added",
			Key:     "params_added_pct",
			Formula: "100 * (parameters at the end - base parameters) / base parameters",
			Source:  "Diaz-Rodriguez et al. 2018",
		},
		{
			Name:    "Examples stored",
			Key:     "examples_stored",
			Formula: "examples kept in memory after the last task",
			Source:  "Diaz-Rodriguez et al. 2018",
		},
	}
}

// Lookup returns the Info of the metric whose Key is key.
func Lookup(key string) (Info, bool) {
	for _, m := range All() {
		if m.Key == key {
			return m, true
		}
	}
	return Info{}, false
}
