"""Comparison with the previous period: ``*_delta`` values and 上期 columns of tables.

Committee indicators compare terms (本届 − 上届) inside ``committee.py``; quality indicators describe
the submission, not the organizations; neither gets a period delta.
"""

from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np
import pandas as pd

from .registry import REGISTRY, Spec

PREFIX = "上期"


def delta(current: Any, previous: Any) -> float | int | None:
    """current − previous for two numbers (shares give a difference of shares); None otherwise."""
    if not _number(current) or not _number(previous):
        return None
    d = current - previous
    if isinstance(d, (bool, np.bool_)):
        return None
    if isinstance(d, (int, np.integer)):
        return int(d)
    return round(float(d), 12)


def _number(x: Any) -> bool:
    return isinstance(x, Number) and not isinstance(x, bool) and not (isinstance(x, float) and np.isnan(x))


def with_previous(values: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """``values`` with ``X_delta`` inserted after every comparable scalar X (absent when either side is
    None) and the 上期 columns added to comparable tables."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        spec = REGISTRY.get(key)
        if spec is not None and spec.is_table and spec.compare and isinstance(value, pd.DataFrame):
            prev = previous.get(key)
            out[key] = add_previous_columns(value, prev, spec) if isinstance(prev, pd.DataFrame) else value
            continue
        out[key] = value
        if spec is not None and spec.compare and not spec.is_table:
            d = delta(value, previous.get(key))
            if d is not None:
                out[f"{key}_delta"] = d
    return out


def add_previous_columns(table: pd.DataFrame, prev: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """Previous-period columns (上期人数, 上期占比 …) matched on the first (category) column.

    A category missing from the previous table had no rows then: count 0, share 0 (or None when
    the previous table was empty).
    """
    label = table.columns[0]
    if len(prev.columns) == 0 or prev.columns[0] != label:
        return table
    cols = [c for c in spec.compare_columns if c in table.columns and c in prev.columns]
    if not cols:
        return table
    p = prev.drop_duplicates(label).set_index(label)
    out = table.copy()
    any_prev = len(prev) > 0 and bool(pd.to_numeric(prev[cols[0]], errors="coerce").fillna(0).sum() > 0)
    for c in cols:
        mapped = out[label].map(p[c])
        if pd.api.types.is_integer_dtype(prev[c].dtype):
            out[PREFIX + c] = mapped.fillna(0).astype("int64")
        else:
            fill = 0.0 if any_prev else np.nan
            known = out[label].isin(p.index)
            out[PREFIX + c] = mapped.astype("float64").where(known, fill)
    return out
