"""Data-drift report: training applicants (reference) vs current applicants, with evidently.

Usage (from the repository root)::

    python -m reports.drift [--reference DIR_OR_FILE] [--current DIR_OR_FILE|log] [--log PATH]
                            [--database-url URL] [--since TIME] [--until TIME]
                            [--out reports/drift.html] [--summary PATH] [--bundle PATH | --no-bundle]
                            [--top 80 | --columns A,B,...] [--max-rows 50000] [--seed 42]
                            [--drift-share 0.5] [--fail-on-psi 0.25]

The method is documented next to the code that implements it, one module per job:

* :mod:`reports.drift.populations` -- inputs: the reference and current sets (data
  directory, CSV/Parquet file, prediction log); an empty set is an error (exit 2);
* :mod:`reports.drift.columns` -- the columns compared (bundle importance, else the
  application columns) and their labels;
* :mod:`reports.drift.scores` -- the score PSI (every score, never sampled);
* :mod:`reports.drift.stattests` -- the per-column test (distance or Bonferroni-corrected
  test) and the two-sample chi-square test registered with evidently;
* :mod:`reports.drift.comparison` -- sampling of large data and the evidently run;
* :mod:`reports.drift.ranking` -- ranking of the compared columns and the verdict;
* :mod:`reports.drift.html` -- the HTML report and its banner;
* :mod:`reports.drift.cli` -- options, orchestration, the outputs (HTML report and the
  ``drift_summary.json`` shape) and the exit status;
* :mod:`reports.drift.errors` -- :class:`DriftInputError` (bad or empty input).

The public names of all of them are re-exported here (``from reports import drift``).
See reports/README.md for the full description.

Exit status: 0 report written; 2 bad or empty input (message names the file);
3 report written but the score PSI exceeds ``--fail-on-psi``.
"""

from __future__ import annotations

import logging

from reports.drift.cli import (
    DEFAULT_BUNDLE,
    DEFAULT_LOG,
    DEFAULT_MAX_ROWS,
    DEFAULT_OUT,
    DEFAULT_SEED,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_PSI,
    REPO_ROOT,
    SCHEMA_VERSION,
    SUMMARY_NAME,
    Options,
    load_populations,
    main,
    open_bundle,
    parse_args,
    run,
)
from reports.drift.columns import (
    DEFAULT_TOP,
    ColumnPlan,
    application_columns,
    categorical_columns,
    plan_columns,
    restrict,
)
from reports.drift.comparison import (
    DEFAULT_DRIFT_SHARE,
    METHOD_NAMES,
    P_VALUE_METHODS,
    compare,
    read_snapshot,
    sample_rows,
)
from reports.drift.errors import (
    DriftInputError,
)
from reports.drift.html import (
    banner_html,
    write_html,
)
from reports.drift.populations import (
    TEST,
    TRAIN,
    Population,
    has_data_rows,
    load_dir,
    load_file,
    load_log,
    rows_to_features,
    table_file,
)
from reports.drift.ranking import (
    ACT,
    MISSING_SHIFT,
    STABLE,
    WATCH,
    missing_shifts,
    rank,
    strength,
    verdict,
)
from reports.drift.scores import (
    PSI_BINS,
    model_scores,
    reference_scores,
    score_psi,
)
from reports.drift.stattests import (
    ALPHA,
    CHI2_TWO_SAMPLE,
    DISTANCE_THRESHOLD,
    FEW_VALUES,
    LARGE_SAMPLE,
    MIN_EXPECTED,
    MISSING_LEVEL,
    OTHER_LEVEL,
    ROWS_PER_LEVEL,
    ColumnTest,
    chi2_two_sample,
    choose_tests,
    effective_n,
    pool_rare_levels,
)

log = logging.getLogger("reports.drift")

__all__ = [
    "ACT", "ALPHA", "CHI2_TWO_SAMPLE", "ColumnPlan", "ColumnTest", "DEFAULT_BUNDLE", "DEFAULT_DRIFT_SHARE",
    "DEFAULT_LOG", "DEFAULT_MAX_ROWS", "DEFAULT_OUT", "DEFAULT_SEED", "DEFAULT_TOP", "DISTANCE_THRESHOLD",
    "DriftInputError", "EXIT_INPUT", "EXIT_OK", "EXIT_PSI", "FEW_VALUES", "LARGE_SAMPLE", "METHOD_NAMES",
    "MIN_EXPECTED", "MISSING_LEVEL", "MISSING_SHIFT", "OTHER_LEVEL", "Options", "PSI_BINS", "P_VALUE_METHODS",
    "Population", "REPO_ROOT", "ROWS_PER_LEVEL", "SCHEMA_VERSION", "STABLE", "SUMMARY_NAME", "TEST", "TRAIN", "WATCH",
    "application_columns", "banner_html", "categorical_columns", "chi2_two_sample", "choose_tests", "compare",
    "effective_n", "has_data_rows", "load_dir", "load_file", "load_log", "load_populations", "main", "missing_shifts",
    "model_scores", "open_bundle", "parse_args", "plan_columns", "pool_rare_levels", "rank", "read_snapshot",
    "reference_scores", "restrict", "rows_to_features", "run", "sample_rows", "score_psi", "strength", "table_file",
    "verdict", "write_html",
]
