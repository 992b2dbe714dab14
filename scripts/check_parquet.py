#!/usr/bin/env python3
"""Open clbench's Parquet results with pyarrow, an independent reader.

Usage: check_parquet.py DIR

Checks that every *.cells.parquet and *.run.parquet file in DIR opens and
holds the documented columns, and prints one line per file. Exits 1 on
any problem.
"""
import pathlib
import sys

import pyarrow.parquet as pq

CELL_COLUMNS = {"run_id", "stream", "strategy", "seed", "backend", "after_task",
                "eval_task", "eval_task_name", "score"}
RUN_COLUMNS = {"run_id", "stream", "stream_version", "strategy", "strategy_config", "seed",
               "status", "error", "acc", "bwt", "fwt", "forgetting", "intransigence", "la",
               "wall_seconds", "clbench_version", "git_commit", "model_config", "host",
               "start_time", "backend"}


def main(folder):
    problems = 0
    files = sorted(pathlib.Path(folder).rglob("*.parquet"))
    if not files:
        print(f"{folder}: no parquet files", file=sys.stderr)
        return 1
    for path in files:
        want = CELL_COLUMNS if path.name.endswith(".cells.parquet") else RUN_COLUMNS
        table = pq.read_table(path)
        missing = want - set(table.column_names)
        if missing:
            print(f"{path}: missing columns {sorted(missing)}", file=sys.stderr)
            problems += 1
            continue
        print(f"{path.name}: {table.num_rows} rows, {len(table.column_names)} columns")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
