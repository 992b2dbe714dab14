// Package metrics defines clbench's continual-learning metrics as pure
// functions of an accuracy matrix and of reference scores. It imports
// no training code: everything here can be recomputed from a results
// file, which is what `clbench validate` does.
//
// # The accuracy matrix
//
// A run trains on tasks 1..T in order and, after each task, evaluates
// every task. The papers write R_{i,j} for the score on task j after
// training through task i, with i, j = 1..T. In Go the matrix is 0-based:
//
//	R[i][j] (Go)  =  R_{i+1, j+1} (papers)
//
// so the paper's last row R_{T,j} is R[T-1][j] here, and the paper's
// diagonal R_{j,j} is R[j][j]. A cell that was not measured is NaN: cells
// above the diagonal when a file leaves them empty, or the rows that a
// `joint` run never produces. The score of the untrained model on task j
// (the paper's b_j) is kept apart, in a vector b with b[j] = b_{j+1}.
//
// # Metrics
//
// Each formula below is written in the papers' 1-based notation; the
// functions apply it through the mapping above.
//
// Average accuracy (Lopez-Paz and Ranzato 2017, "Gradient Episodic
// Memory for Continual Learning", GEM):
//
//	ACC = (1/T) sum_{j=1..T} R_{T,j}
//
// Backward transfer (GEM); negative values are forgetting:
//
//	BWT = (1/(T-1)) sum_{j=1..T-1} (R_{T,j} - R_{j,j})
//
// Forward transfer (GEM), b_j the untrained model's score on task j:
//
//	FWT = (1/(T-1)) sum_{j=2..T} (R_{j-1,j} - b_j)
//
// Forgetting (Chaudhry et al. 2018, "Riemannian Walk for Incremental
// Learning: Understanding Forgetting and Intransigence", RWalk):
//
//	F = (1/(T-1)) sum_{j=1..T-1} ( max_{l=j..T-1} R_{l,j} - R_{T,j} )
//
// RWalk takes the maximum over l = 1..T-1; clbench's design fixes
// l = j..T-1, the scores obtained once task j has been trained. When some
// R_{l,j} in the maximum were not measured, the maximum is taken over the
// measured ones; the task's term, and so F, is undefined only when none
// of them was measured.
//
// Intransigence (Chaudhry et al. 2018), a*_k the reference run's score on
// task k after training through task k; clbench's reference is the
// `cumulative` strategy (retrain on tasks 1..k at task k):
//
//	I = (1/T) sum_{k=1..T} (a*_k - R_{k,k})
//
// Learning accuracy, a measure of plasticity (Riemer et al. 2019,
// "Learning to Learn without Forgetting by Maximizing Transfer and
// Minimizing Interference", MER):
//
//	LA = (1/T) sum_{j=1..T} R_{j,j}
//
// Few-shot amplification, for the claim clbench was built to test, that
// forgetting grows by about 40% when later tasks have under 1,000
// examples; F_fewshot and F_full are the forgetting of the same stream
// and strategy with and without the few-shot cap:
//
//	A = F_fewshot / F_full - 1
//
// Cost (Diaz-Rodriguez et al. 2018, "Don't forget, there is more than
// forgetting: new metrics for Continual Learning") is reported as
// measured: wall seconds, examples per second, peak memory, trainable
// parameters, parameters added (% of the base model) and examples stored.
// [All] lists every metric with its direction.
//
// # Undefined values
//
// A metric that a matrix cannot define is undefined, never 0: BWT, FWT
// and F when T = 1 (they divide by T-1), any metric one of whose needed
// cells or reference scores is NaN or missing, and any metric whose
// reference vector's length is not T. A [Value] carries this: JSON null,
// "n/a" in text, a nil pointer in Parquet.
//
// # Over seeds
//
// Seeds are the repeats of an experiment. [MeanCI] and [MeanCIValues]
// give the mean and a 95% Student-t interval,
//
//	mean ± t_{0.975, n-1} · s / sqrt(n),
//
// s the sample standard deviation (n-1 in the denominator); with one
// seed the mean is given and the interval is not.
//
// # Forgetting diagnostics
//
// [LinearCKA], [MeanKL], [MassOn], [ParamDistance] and [InactiveShare]
// explain forgetting from what a run records before and after a task
// (representations, predictions, attention, parameters, activations);
// each doc comment states its formula and source.
package metrics
