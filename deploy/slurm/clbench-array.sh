#!/usr/bin/env bash
# A clbench suite as a Slurm job array: each array task runs one shard
# (clbench reads SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and
# SLURM_ARRAY_TASK_COUNT), and all shards write into one results folder
# on a shared file system. Resubmitting the array after a failure or a
# preemption skips the runs already complete. Merge with:
#   clbench leaderboard results/
#
# Usage: sbatch deploy/slurm/clbench-array.sh suite.yaml
# Keep the array contiguous (no step), e.g. 0-3 for four shards.
#SBATCH --job-name=clbench
#SBATCH --array=0-3
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=04:00:00
#SBATCH --output=clbench-%A_%a.log
set -euo pipefail
suite=${1:?usage: sbatch clbench-array.sh SUITE.yaml}
exec clbench run --suite "$suite" --out "${CLBENCH_OUT:-results}"
