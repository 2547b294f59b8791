"""Benchmark of ``python -m reports.drift`` at Kaggle size: seconds and peak RSS.

    python bench/drift.py [--train 307511] [--test 48744] [--columns N] [--max-rows 50000] [--keep DIR]

The synthetic generator writes all eight tables (no application-only mode), so it is run
once for ``--seed-clients`` applicants (default 20,000: one generator block) and its
application rows are replicated, with fresh SK_ID_CURR values, up to the Kaggle row
counts (307,511 application_train + 48,744 application_test, 122/121 columns). Only the
two application tables are written: without a model bundle the report reads nothing else.

The report then runs as a child process exactly as a user would start it (reference =
application_train, current = application_test, default sampling of each side to
``--max-rows`` rows), and the bench prints its wall-clock seconds, CPU seconds and peak
resident memory (``getrusage(RUSAGE_CHILDREN)``), plus the phase timings from the
summary. The machine's load average is printed too: wall time on a shared machine
includes waiting for the CPU.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

KAGGLE_TRAIN, KAGGLE_TEST = 307_511, 48_744


def _lines(path: Path) -> tuple[str, list[str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        header = handle.readline()
        rows = [line for line in handle if line.strip()]
    return header, rows


def replicate(source: Path, target: Path, rows: int, first_id: int) -> None:
    """Write ``rows`` lines cycling over ``source``'s rows, SK_ID_CURR (first field) renumbered."""
    header, lines = _lines(source)
    if not header.startswith("SK_ID_CURR,"):
        raise SystemExit(f"{source}: SK_ID_CURR is not the first column")
    bodies = [line.split(",", 1)[1] for line in lines]
    with open(target, "w", encoding="utf-8", newline="") as out:
        out.write(header)
        n = len(bodies)
        chunk = []
        for i in range(rows):
            chunk.append(f"{first_id + i},{bodies[i % n]}")
            if len(chunk) == 50_000:
                out.write("".join(chunk))
                chunk = []
        out.write("".join(chunk))


def build_data(directory: Path, n_train: int, n_test: int, seed_clients: int, seed: int) -> float:
    from scoring.synthetic import generate

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="drift-bench-gen-") as tmp:
        n_seed_test = max(1, round(seed_clients * KAGGLE_TEST / KAGGLE_TRAIN))
        paths = generate(tmp, n_clients=seed_clients, seed=seed, n_test=n_seed_test)
        directory.mkdir(parents=True, exist_ok=True)
        replicate(paths["application_train"], directory / "application_train.csv", n_train, 100_002)
        replicate(paths["application_test"], directory / "application_test.csv", n_test, 10_000_002)
    (directory / "SYNTHETIC").write_text(json.dumps({"generator": "bench/drift.py", "seed_clients": seed_clients,
                                                     "seed": seed, "train": n_train, "test": n_test}) + "\n")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--train", type=int, default=KAGGLE_TRAIN)
    p.add_argument("--test", type=int, default=KAGGLE_TEST)
    p.add_argument("--seed-clients", type=int, default=20_000, help="applicants actually generated")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--columns", type=int, default=0,
                   help="compare only the first N application columns (default: all 145 the report uses)")
    p.add_argument("--max-rows", type=int, default=None, help="passed to the report (default: its own, 50,000)")
    p.add_argument("--keep", type=Path, help="keep data and outputs in this directory")
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    a = p.parse_args(argv)

    work = a.keep or Path(tempfile.mkdtemp(prefix="drift-bench-"))
    data, out = work / "data", work / "out"
    try:
        if (data / "application_train.csv").exists() and (data / "application_test.csv").exists():
            gen_s = 0.0
            print(f"data: reusing {data}")
        else:
            gen_s = build_data(data, a.train, a.test, a.seed_clients, a.seed)
            print(f"data: {a.train:,} + {a.test:,} application rows written in {gen_s:.1f} s ({data})")

        cmd = [sys.executable, "-m", "reports.drift", "--reference", str(data), "--no-bundle",
               "--out", str(out / "drift.html")]
        if a.max_rows is not None:
            cmd += ["--max-rows", str(a.max_rows)]
        if a.columns:
            from reports.drift import application_columns

            cmd += ["--columns", ",".join(application_columns()[: a.columns])]
        env = {**os.environ, "PYTHONPATH": str(REPO), "DO_NOT_TRACK": "1"}
        load_before = os.getloadavg()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        run = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        load_after = os.getloadavg()
        if run.returncode != 0:
            print(run.stdout + run.stderr, file=sys.stderr)
            print(f"report failed with exit {run.returncode}", file=sys.stderr)
            return 1
        summary = json.loads((out / "drift_summary.json").read_text())
        cpu = (usage.ru_utime - before.ru_utime) + (usage.ru_stime - before.ru_stime)
        figures = {
            "reference_rows": summary["reference"]["rows"], "current_rows": summary["current"]["rows"],
            "rows_compared": [summary["sampling"]["reference_rows"], summary["sampling"]["current_rows"]],
            "sampled": summary["sampled"], "columns": summary["n_columns"],
            "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024, 0),
            "phases_s": summary["timings"], "html_mb": round((out / "drift.html").stat().st_size / 2**20, 1),
            "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
            "cpus": os.cpu_count(),
        }
        print(f"report: {figures['reference_rows']:,} x {figures['current_rows']:,} rows "
              f"(compared {figures['rows_compared'][0]:,} x {figures['rows_compared'][1]:,}, sampled: "
              f"{figures['sampled']}), {figures['columns']} columns")
        print(f"seconds: {figures['wall_s']} wall, {figures['cpu_s']} CPU; phases {figures['phases_s']}")
        print(f"peak RSS: {figures['peak_rss_mb']:.0f} MB; HTML {figures['html_mb']} MB")
        print(f"load average (1 min) before/after: {figures['load_average_before_after']} on "
              f"{figures['cpus']} CPUs")
        if a.json:
            a.json.write_text(json.dumps(figures, indent=2) + "\n")
        return 0
    finally:
        if a.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
