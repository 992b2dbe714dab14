package metrics

// Summary holds every metric of one run that its accuracy matrix and
// reference scores define.
type Summary struct {
	ACC           Value `json:"acc"`
	BWT           Value `json:"bwt"`
	FWT           Value `json:"fwt"`
	Forgetting    Value `json:"forgetting"`
	Intransigence Value `json:"intransigence"`
	LA            Value `json:"la"`
}

// Compute returns the metrics of R. untrained is the untrained model's
// score on each task (the b of [FWT]); reference is the reference run's
// diagonal (the a* of [Intransigence]). A nil slice means not available,
// and the metric that needs it is undefined; so is every metric when R
// does not pass [Matrix.Validate].
func Compute(r Matrix, untrained, reference []float64) Summary {
	s := Summary{
		ACC:        ACC(r),
		BWT:        BWT(r),
		Forgetting: Forgetting(r),
		LA:         LA(r),
	}
	if untrained != nil {
		s.FWT = FWT(r, untrained)
	}
	if reference != nil {
		s.Intransigence = Intransigence(r, reference)
	}
	return s
}
