"""Seeded, schema-faithful synthetic Home Credit data (the eight Kaggle tables).

Used by the product when no real data are configured and by the benchmark at full
Kaggle size. Files have the Kaggle names, headers, column order and number format
(see :mod:`scoring.schema`). Every applicant gets a latent risk first; history rows are
drawn consistently with it and TARGET depends on features of all tables.

Clients are generated and written in fixed blocks of :data:`BLOCK` applicants, each
with its own random stream, so memory stays flat and output is byte-identical for the
same arguments.

API::

    generate(out_dir, n_clients=5000, seed=42, n_test=None, compress=True) -> {table: path}
    ensure_synthetic(directory, n_clients=5000, seed=42) -> directory

CLI: ``python -m scoring.synthetic --out DIR --clients N --seed S [--test-clients M] [--no-compress]``
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ..schema import TABLE_NAMES, columns
from .application import draw_target, make_applications
from .bureau import make_bureau
from .common import Cat
from .previous import make_previous
from .writer import TableWriter, format_rows

__all__ = ["generate", "ensure_synthetic", "default_test_clients", "MARKER", "BLOCK"]

#: Applicants per generation block (fixed: part of the output definition).
BLOCK = 20_000
#: Marker file written next to generated data (JSON with the generator arguments).
MARKER = "SYNTHETIC"
FIRST_CLIENT_ID, FIRST_BUREAU_ID, FIRST_PREV_ID = 100002, 5000000, 1000001
KAGGLE_TRAIN, KAGGLE_TEST = 307_511, 48_744
#: Largest tables first, so the two writer threads finish a block at about the same time.
WRITE_ORDER = ("bureau_balance", "installments_payments", "POS_CASH_balance", "credit_card_balance",
               "previous_application", "application_train", "bureau", "application_test")
VERSION = 1


def default_test_clients(n_clients: int) -> int:
    """Test applicants in Kaggle's train/test proportion."""
    return round(n_clients * KAGGLE_TEST / KAGGLE_TRAIN)


def file_name(table: str, compress: bool = True) -> str:
    return f"{table}.csv.gz" if compress else f"{table}.csv"


def generate(out_dir, n_clients: int = 5000, seed: int = 42, n_test: int | None = None,
             compress: bool = True) -> dict[str, Path]:
    """Write the eight tables for ``n_clients`` training and ``n_test`` test applicants."""
    if n_clients < 1:
        raise ValueError("n_clients must be >= 1")
    n_test = default_test_clients(n_clients) if n_test is None else int(n_test)
    if n_test < 0:
        raise ValueError("n_test must be >= 0")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    total = n_clients + n_test
    if int(seed) < 0:
        raise ValueError("seed must be >= 0")
    is_test = np.zeros(total, dtype=bool)
    layout = np.random.default_rng(np.random.SeedSequence([VERSION, int(seed), 0]))
    is_test[layout.choice(total, size=n_test, replace=False)] = True
    ids = FIRST_CLIENT_ID + np.arange(total, dtype=np.int64)

    paths = {t: out / file_name(t, compress) for t in TABLE_NAMES}
    writers = {t: TableWriter(p, t, compress) for t, p in paths.items()}
    next_bureau, next_prev = FIRST_BUREAU_ID, FIRST_PREV_ID
    # Block k is formatted and written by two worker threads (pyarrow and zlib release
    # the GIL) while the main thread generates block k + 1; per-table order is kept by
    # waiting for block k's jobs before submitting block k + 1's.
    pending: list[Future] = []
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="synthetic-writer") as pool:
        try:
            for block, start in enumerate(range(0, total, BLOCK)):
                part = slice(start, min(start + BLOCK, total))
                streams = [np.random.default_rng(s) for s in
                           np.random.SeedSequence([VERSION, int(seed), 1, block]).spawn(4)]
                tables = _block(streams, ids[part], next_bureau, next_prev)
                next_bureau += len(tables["bureau"]["SK_ID_BUREAU"])
                next_prev += len(tables["previous_application"]["SK_ID_PREV"])
                test = is_test[part]
                app = tables.pop("application")
                tables["application_test"] = _rows({k: v for k, v in app.items() if k != "TARGET"}, test)
                tables["application_train"] = _rows(app, ~test)
                _wait(pending)
                pending = [pool.submit(_write, writers[t], tables[t]) for t in WRITE_ORDER]
            _wait(pending)
        finally:
            for future in pending:
                future.cancel()
            pool.shutdown(wait=True)
            for w in writers.values():
                w.close()
    return paths


def _write(writer: TableWriter, cols: dict) -> None:
    first = cols[columns(writer.table)[0]]
    writer.write(format_rows(writer.table, cols), len(first))


def _wait(futures: list[Future]) -> None:
    for future in futures:
        future.result()


def _block(streams, ids, first_bureau: int, first_prev: int) -> dict:
    """All tables of one block of applicants (applications still hold train and test rows)."""
    app_rng, bureau_rng, prev_rng, target_rng = streams
    app, clients, drivers = make_applications(app_rng, ids)
    bureau, balance, bureau_agg = make_bureau(bureau_rng, clients, first_bureau)
    prev, pos, inst, cards, prev_agg = make_previous(prev_rng, clients, first_prev)
    app["TARGET"] = draw_target(target_rng, drivers, {**bureau_agg, **prev_agg})
    return {"application": app, "bureau": bureau, "bureau_balance": balance, "previous_application": prev,
            "POS_CASH_balance": pos, "installments_payments": inst, "credit_card_balance": cards}


def _rows(cols: dict, mask: np.ndarray) -> dict:
    return {k: Cat(v.codes[mask], v.levels) if isinstance(v, Cat) else v[mask] for k, v in cols.items()}


def ensure_synthetic(directory, n_clients: int = 5000, seed: int = 42) -> Path:
    """Generate synthetic data into ``directory`` unless all eight tables are already there.

    A table counts as present as ``.csv.gz`` or ``.csv``; complete directories (real or
    synthetic) are returned untouched. A directory holding only some tables and no
    :data:`MARKER` is refused (``FileExistsError``) rather than mixed with synthetic rows.
    Data are generated in a temporary subdirectory and moved in; the marker (JSON with
    the generator arguments) is moved first, so tables are never seen without it.
    """
    directory = Path(directory)
    present = [t for t in TABLE_NAMES if (directory / file_name(t)).exists()
               or (directory / file_name(t, compress=False)).exists()]
    if len(present) == len(TABLE_NAMES):
        return directory
    if present and not (directory / MARKER).exists():
        raise FileExistsError(f"{directory} holds only some Home Credit tables ({', '.join(present)}); "
                              "refusing to complete them with synthetic data")
    directory.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".synthetic-", dir=directory))
    try:
        generate(tmp, n_clients=n_clients, seed=seed)
        info = {"generator": "scoring.synthetic", "version": VERSION, "n_clients": n_clients,
                "n_test": default_test_clients(n_clients), "seed": seed, "compress": True}
        (tmp / MARKER).write_text(json.dumps(info, sort_keys=True) + "\n")
        os.replace(tmp / MARKER, directory / MARKER)
        for t in TABLE_NAMES:
            os.replace(tmp / file_name(t), directory / file_name(t))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return directory
