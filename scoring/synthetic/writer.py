"""Fast, deterministic CSV writing in Kaggle's number format.

Integers are written without decimals, floats by their shortest round-trip text with a
decimal point (``112500.0``, ``0.018634``), missing values as empty fields, and text
fields are quoted only when they contain a comma or a quote. Columns are formatted with
pyarrow compute kernels and written with ``pyarrow.csv`` (no per-value Python work).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..schema import TABLES, columns
from .common import Cat

# pyarrow refuses structural characters with quoting_style="none": quoted levels are
# written with two placeholder bytes that are translated back after formatting.
_QUOTE, _COMMA = "\x1e", "\x1f"
_RESTORE = bytes.maketrans(_QUOTE.encode() + _COMMA.encode(), b'",')
_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=1 << 16)
COMPRESSLEVEL = 1  # fast; the output is identical for identical input at any level


def _level_text(level: str) -> str:
    if "," in level or '"' in level:
        return _QUOTE + level.replace('"', _QUOTE * 2).replace(",", _COMMA) + _QUOTE
    return level


_FRACTIONS = {d: pa.array([str(i).rjust(d, "0").rstrip("0") or "0" for i in range(10**d)] if d else ["0"])
              for d in range(5)}


def _decimal_text(x: np.ndarray, digits: int) -> pa.Array:
    """Text of finite floats that are exact ``digits``-decimal numbers (integer arithmetic)."""
    scale = 10**digits
    k = np.round(x * scale).astype(np.int64)
    negative = k < 0
    whole, frac = np.divmod(np.abs(k), scale)
    head = pa.array(whole).cast(pa.string())
    if negative.any():
        head = pc.if_else(pa.array(negative), pc.binary_join_element_wise("-", head, ""), head)
    if not digits:
        return pc.binary_join_element_wise(head, ".0", "")
    return pc.binary_join_element_wise(head, _FRACTIONS[digits].take(pa.array(frac)), ".")


def _float_text(x: np.ndarray) -> pa.Array:
    """Shortest round-trip text of each float, with '.0' on whole numbers; NaN -> null.

    Columns whose values all have at most four decimals are formatted with integer
    arithmetic (faster than float formatting, same text).
    """
    x = np.asarray(x, dtype=np.float64) + 0.0  # no "-0.0"
    finite = np.isfinite(x)
    xs = x if finite.all() else np.where(finite, x, 0.0)
    top = float(np.abs(xs).max(initial=0.0))
    for digits in range(5):
        scale = 10.0**digits
        if top * scale < 2**53 and np.array_equal(np.round(xs * scale) / scale, xs):
            text = _decimal_text(xs, digits)
            break
    else:
        text = pa.array(xs).cast(pa.string())
        whole = (xs == np.trunc(xs)) & (np.abs(xs) < 1e15)
        if whole.any():
            text = pc.replace_with_mask(text, pa.array(whole), _decimal_text(xs[whole], 0))
    if not finite.all():
        text = pc.if_else(pa.array(finite), text, pa.scalar(None, pa.string()))
    return text


def column_text(values, kind: str) -> pa.Array:
    """One column as a pyarrow string array (null = missing) ready for CSV."""
    if isinstance(values, Cat):
        if kind != "cat":
            raise TypeError(f"categorical values for a {kind!r} column")
        codes = np.asarray(values.codes, dtype=np.int32)
        levels = pa.array([_level_text(s) for s in values.levels], pa.string())
        return levels.take(pa.array(codes, mask=codes < 0))
    x = np.asarray(values)
    if kind == "float":
        return _float_text(x)
    if kind in ("id", "target", "int") and x.dtype.kind in "iub":
        return pa.array(x.astype(np.int64, copy=False)).cast(pa.string())
    raise TypeError(f"cannot write {x.dtype} values as a {kind!r} column")


def format_rows(table: str, cols: dict) -> bytes:
    """CSV text (no header) of ``cols``, which must hold exactly the schema columns of ``table``."""
    names = columns(table)
    if set(cols) != set(names):
        raise KeyError(f"{table}: columns differ from the schema: {sorted(set(cols) ^ set(names))}")
    arrays = [column_text(cols[name], kind) for name, kind in TABLES[table]]
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"{table}: columns of different lengths {lengths}")
    if not lengths.pop():
        return b""
    sink = pa.BufferOutputStream()
    pacsv.write_csv(pa.Table.from_arrays(arrays, names=names), sink, _OPTIONS)
    data = sink.getvalue()
    if any(isinstance(v, Cat) and any(_QUOTE in _level_text(s) for s in v.levels) for v in cols.values()):
        return data.to_pybytes().translate(_RESTORE)
    return data


class TableWriter:
    """Appends row blocks of one table to ``path`` (gzip with a fixed header when compressing)."""

    def __init__(self, path: Path, table: str, compress: bool):
        self.table, self.path = table, Path(path)
        self._raw = open(self.path, "wb")
        self._out = (
            gzip.GzipFile(filename="", fileobj=self._raw, mode="wb", mtime=0, compresslevel=COMPRESSLEVEL)
            if compress
            else self._raw
        )
        self._out.write((",".join(columns(table)) + "\n").encode())
        self.rows = 0

    def write(self, data, rows: int) -> None:
        """Append formatted rows (the result of :func:`format_rows`)."""
        self._out.write(data)
        self.rows += rows

    def close(self) -> None:
        if self._out is not self._raw:
            self._out.close()
        self._raw.close()
