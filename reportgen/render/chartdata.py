"""What each chart shows, worked out from the report context with pandas only (no matplotlib).

A :class:`Plan` holds a chart's numbers and labels and its height; None means the data for it is
missing and the chart is left out. charts.py draws a Plan. The report needs only the plans to
place its figures (whether a chart exists, how tall it is), so it can be written while the
charts are still being drawn elsewhere (chartset.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from .tables import SHARE_SUFFIXES, _num, count_column as _count_column, lookup

WIDTH_IN = 6.0
HEIGHT_IN = 2.6


@dataclass
class Plan:
    """One chart's data: ``key`` names the drawing, ``height`` is in inches (the width is
    WIDTH_IN), ``data`` holds what the drawing needs."""

    key: str
    height: float
    data: dict[str, Any] = field(default_factory=dict)


def context(source: Any) -> dict:
    if hasattr(source, "context") and callable(source.context):
        return source.context()
    return source if isinstance(source, dict) else {}


def _frame(value: Any) -> pd.DataFrame | None:
    return value if isinstance(value, pd.DataFrame) and len(value) and len(value.columns) else None


def _share_column(frame: pd.DataFrame, prefer: tuple[str, ...] = ()) -> Any:
    for name in prefer:
        if name in frame.columns:
            return name
    for col in frame.columns[1:]:
        label = col[-1] if isinstance(col, tuple) else str(col)
        if label.endswith(SHARE_SUFFIXES) and not str(label).startswith(("上期", "上届")):
            return col
    return None


def _shares(frame: pd.DataFrame, share_col: Any = None, count_col: Any = None) -> pd.Series | None:
    """Shares per category (as numbers in [0, 1]), from a share column or from counts."""
    if share_col is not None and share_col in frame.columns:
        return pd.to_numeric(frame[share_col], errors="coerce").astype("float64")
    count_col = count_col if count_col is not None else _count_column(frame)
    if count_col is None:
        return None
    counts = pd.to_numeric(frame[count_col], errors="coerce").astype("float64")
    total = counts.sum()
    return counts / total if total else None


def _category_labels(frame: pd.DataFrame) -> list[str]:
    return [str(v) for v in frame.iloc[:, 0].tolist()]


def _with_previous(ctx: dict, dotted: str, frame: pd.DataFrame) -> tuple[list[float], list[float] | None]:
    current = _shares(frame, _share_column(frame, ("占比",)))
    if current is None:
        return [], None
    prev = None
    if "上期占比" in frame.columns:
        prev = pd.to_numeric(frame["上期占比"], errors="coerce").astype("float64")
    elif "上期人数" in frame.columns:
        prev = _shares(frame, count_col="上期人数")
    else:
        pframe = _frame(lookup(ctx, f"previous.{dotted}"))
        if pframe is not None:
            pshare = _shares(pframe, _share_column(pframe, ("占比",)))
            if pshare is not None:
                mapping = dict(zip(_category_labels(pframe), pshare.tolist()))
                prev = pd.Series([mapping.get(k) for k in _category_labels(frame)], dtype="float64")
    prev_list = None if prev is None or prev.isna().all() else prev.fillna(0.0).tolist()
    return current.fillna(0.0).tolist(), prev_list


def _shares_plan(key: str, ctx: dict, dotted: str) -> Plan | None:
    frame = _frame(lookup(ctx, dotted))
    if frame is None:
        return None
    current, previous = _with_previous(ctx, dotted, frame)
    if not current:
        return None
    return Plan(key, HEIGHT_IN, {"labels": _category_labels(frame), "current": current, "previous": previous})


def age_bands(ctx: dict) -> Plan | None:
    """Members by age band (shares), against the previous period when there is one."""
    return _shares_plan("age_bands", ctx, "members.age_bands")


def education(ctx: dict) -> Plan | None:
    """Members by education level (shares), against the previous period when there is one."""
    return _shares_plan("education", ctx, "members.education")


def committee(ctx: dict) -> Plan | None:
    """The new committees against the previous ones: mean age, 大专及以上 share, women's share."""
    c = lookup(ctx, "committee") or {}
    age, age_prev = _num(c.get("age_mean")), _num(c.get("age_mean_previous"))
    col, col_prev = _num(c.get("college_share")), _num(c.get("college_share_previous"))
    fem = _num(c.get("female_share"))
    fem_prev = None
    if _num(c.get("female_share_delta")) is not None and fem is not None:
        fem_prev = fem - _num(c.get("female_share_delta"))
    elif _num(c.get("female_previous")) is not None and _num(c.get("size_previous")):
        fem_prev = _num(c.get("female_previous")) / _num(c.get("size_previous"))
    if age is None and col is None and fem is None:
        return None
    # (title, current, previous, format: "num" or "pct")
    panels = [("平均年龄（岁）", age, age_prev, "num"), ("大专及以上学历占比", col, col_prev, "pct"),
              ("女性占比", fem, fem_prev, "pct")]
    return Plan("committee", HEIGHT_IN * 0.95, {"panels": panels})


def coverage_by_size(ctx: dict) -> Plan | None:
    """Party-organization coverage of 两新组织 by employee size band."""
    frame = _frame(lookup(ctx, "coverage.by_size"))
    if frame is None:
        return None
    col = _share_column(frame)
    if col is None:
        return None
    shares_s = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    count = _count_column(frame)
    if count is not None:  # a band without units has no coverage (the table shows "—"), not 0%
        shares_s = shares_s.where(pd.to_numeric(frame[count], errors="coerce").fillna(0) > 0)
    if shares_s.isna().all():
        return None
    shares = [None if pd.isna(v) else float(v) for v in shares_s]
    label = col[-1] if isinstance(col, tuple) else str(col)
    return Plan("coverage_by_size", HEIGHT_IN,
                {"labels": _category_labels(frame), "shares": shares, "ylabel": label})


def overdue_by_area(ctx: dict) -> Plan | None:
    """Organizations whose term has ended without an election, by area (片区)."""
    frame = _frame(lookup(ctx, "elections.overdue_by_area"))
    if frame is None:
        return None
    named = [c for c in frame.columns[1:] if "未换届" in str(c) and not str(c).startswith("上期")
             and not str(c).endswith(SHARE_SUFFIXES)]
    col = named[0] if named else _count_column(frame)
    if col is None:
        return None
    data = pd.DataFrame({"area": _category_labels(frame),
                         "n": pd.to_numeric(frame[col], errors="coerce").fillna(0).astype("float64")})
    data = data[data["n"] > 0].sort_values(["n", "area"], ascending=[True, False], kind="stable")
    if data.empty:
        return None
    height = min(max(1.4, 0.28 * len(data) + 0.7), 6.0)
    widest = max(sum(1.0 if ord(c) > 0x2E7F else 0.55 for c in a) for a in data["area"])
    return Plan("overdue_by_area", height, {"areas": data["area"].tolist(), "n": data["n"].tolist(),
                                            "widest": widest})


# key -> plan function, in CHART_TITLES order
PLANS: dict[str, Callable[[dict], Plan | None]] = {
    "age_bands": age_bands, "education": education, "committee": committee,
    "coverage_by_size": coverage_by_size, "overdue_by_area": overdue_by_area}


def plan(source: Any, key: str) -> Plan | None:
    """The plan of chart ``key`` for a context (or an Indicators object); None without data."""
    return PLANS[key](context(source))
