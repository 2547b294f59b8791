"""Training time on the real sample: wall and CPU seconds, peak RSS, per-step durations.

    PYTHONPATH=. .venv/bin/python bench/training.py                       # fast profile
    PYTHONPATH=. .venv/bin/python bench/training.py --profile full        # the full run (search included)
    PYTHONPATH=. .venv/bin/python bench/training.py --data DIR --json out.json

Each run happens in a fresh child process writing to a temporary models root and MLflow store
(deleted afterwards). Goals on the 2-core machine: fast <= 120 s, full <= 900 s; the exit code
is 1 when a goal is missed. Other processes competing for the two cores stretch wall time: the
load average and CPU seconds are printed next to it (CPU seconds / 2 approximates an idle machine).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOALS = {"fast": 120.0, "full": 900.0}

_CHILD = """
import json, logging, resource, sys, time
logging.basicConfig(level=logging.WARNING)
t0 = time.perf_counter()
from training.pipeline import train
r = train(sys.argv[1], sys.argv[2], profile=sys.argv[3], tracking_uri=sys.argv[4], seed=42)
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": u.ru_utime + u.ru_stime,
                  "peak_rss_mb": u.ru_maxrss / 1024, "durations": r.metadata.get("durations"),
                  "cv_auc": r.metrics["cv_auc"], "threshold": r.metrics["threshold"],
                  "business_cost": r.metrics["business_cost"], "version": r.version}))
"""


def run(data: Path, profile: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(REPO), "DO_NOT_TRACK": "true"}
        load = os.getloadavg()
        proc = subprocess.run([sys.executable, "-c", _CHILD, str(data), f"{tmp}/models", profile,
                               f"sqlite:///{tmp}/mlflow.db"], capture_output=True, text=True, env=env, cwd=tmp)
        if proc.returncode != 0:
            raise SystemExit(f"training failed:\n{proc.stderr[-3000:]}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    result.update({"profile": profile, "load_before": [round(x, 2) for x in load],
                   "load_after": [round(x, 2) for x in os.getloadavg()], "goal_seconds": GOALS[profile]})
    result["met"] = result["seconds"] <= GOALS[profile]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.environ.get("HOME_CREDIT_DATA", str(REPO.parent / "shared/data/home-credit")))
    parser.add_argument("--profile", choices=sorted(GOALS), default="fast")
    parser.add_argument("--json", default=None, help="also write the result here")
    args = parser.parse_args(argv)
    result = run(Path(args.data).resolve(), args.profile)
    print(f"{args.profile}: {result['seconds']:.0f} s wall (goal {result['goal_seconds']:.0f} s), "
          f"{result['cpu']:.0f} s CPU, peak RSS {result['peak_rss_mb']:.0f} MB, load {result['load_before']} -> "
          f"{result['load_after']}; CV AUC {result['cv_auc']:.4f}")
    for step, seconds in (result.get("durations") or {}).items():
        print(f"  {step:<24} {seconds:7.1f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
