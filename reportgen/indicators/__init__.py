"""Indicators (SPEC §3): every figure of the report, computed from a clean Dataset.

``compute(ds)`` runs every registered indicator once over shared, cached inputs, compares with a
previous period when given, and collects the findings. ``Indicators`` holds the flat values
(``"members.total" -> 8123``), the nested template context and the JSON; ``explain`` traces one
indicator to its numerator, denominator and rows.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd

from .. import schema, zh
from ..config import DEFAULT, Config
from ..dataset import Dataset
from ..findings import Finding, find
from ..outputs import mask_deep, mask_frame, mask_ids, mask_text
from ..periods import Period
# Importing the modules registers their indicators, in the order of SPEC §3.
from . import orgs, members, development, elections, committee, coverage, quality  # noqa: F401,E401

from .compare import with_previous
from .registry import DERIVED_LABELS, REGISTRY, Inputs, Result, Spec, evaluate, indicator

__all__ = ["compute", "Indicators", "REGISTRY", "explain", "Explanation", "Finding", "Result", "indicator",
           "Spec", "GROUPS"]

GROUPS = ("orgs", "members", "development", "elections", "committee", "coverage", "quality")

# The key figures shown by Indicators._repr_html_ (notebook summary).
SUMMARY = ("orgs.total", "members.total", "members.female_share", "members.age_mean",
           "members.under35_share", "members.college_share", "development.total", "elections.held",
           "elections.overdue_count", "committee.reelected_share", "coverage.org_share", "quality.errors")


def _evaluate_all(inputs: Inputs) -> tuple[dict[str, Any], dict[str, Result]]:
    results = {key: evaluate(spec, inputs) for key, spec in REGISTRY.items()}
    values = {}
    for key, res in results.items():
        if key.endswith("_delta") and res.value is None:
            continue  # a delta with a side missing is absent, not null
        values[key] = res.value
    return values, results


def compute(ds: Dataset, previous: Dataset | None = None, config: Config = DEFAULT,
            election_window: Literal["period", "year"] = "period") -> "Indicators":
    """Every indicator of ``ds`` and its findings, compared with ``previous`` when given.

    ``election_window``: elections and committees of the period (default) or of the year to date.
    """
    inputs = Inputs(ds, config, election_window)
    values, results = _evaluate_all(inputs)
    prev_values = None
    prev_findings: list[Finding] = []
    if previous is not None:
        prev_inputs = Inputs(previous, config, election_window)
        prev_values, _ = _evaluate_all(prev_inputs)
        # the previous period's findings, for what persists (render/judgement.py matches ledgers)
        prev_findings = find(previous, prev_values, config, prev_inputs)
        values = with_previous(values, prev_values)
    findings = find(ds, values, config, inputs)
    return Indicators(ds.period, values, prev_values, findings, ds, config,
                      _results=results, _inputs=inputs, previous_findings=prev_findings)


def _nest(flat: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {g: {} for g in GROUPS}
    for key, value in (flat or {}).items():
        group, name = key.split(".", 1)
        out.setdefault(group, {})[name] = value
    return out


@dataclass
class Indicators:
    """The indicators and findings of one period (SPEC §3)."""

    period: Period
    values: dict[str, Any]
    previous: dict[str, Any] | None
    findings: list[Finding]
    dataset: Dataset
    config: Config = DEFAULT
    _results: dict[str, Result] = field(default_factory=dict, repr=False)
    _inputs: Inputs | None = field(default=None, repr=False)
    previous_findings: list[Finding] = field(default_factory=list, repr=False)

    def __repr__(self) -> str:
        # Short on purpose: the default dataclass repr would print whole tables (and ID numbers).
        prev = "，含上期比较" if self.previous is not None else ""
        return f"<reportgen.Indicators {self.period.label}：{len(self.values)}项指标，{len(self.findings)}个问题{prev}>"

    def get(self, id: str, default: Any = None) -> Any:
        """The value of indicator ``id`` (e.g. "members.total"), or ``default``."""
        return self.values.get(id, default)

    def __getitem__(self, id: str) -> Any:
        return self.values[id]

    def table(self, id: str) -> pd.DataFrame:
        """The table or ledger ``id``; a finding id gives that finding's ledger."""
        value = self.values.get(id)
        if isinstance(value, pd.DataFrame):
            return value
        for f in self.findings:
            if f.id == id:
                return f.ledger
        if id in self.values:
            raise TypeError(f"指标“{id}”是一个数值，不是表格；请用 get(\"{id}\") 取值")
        raise KeyError(f"没有名为“{id}”的表格或台账")

    def period_context(self) -> dict[str, Any]:
        p = self.period
        return {"label": p.label, "zh": p.zh, "year": p.year, "quarter": p.quarter,
                "start": p.start.isoformat(), "end": p.end.isoformat(), "as_of": p.as_of.isoformat(),
                "as_of_zh": zh.date_zh(p.as_of)}

    def context(self) -> dict[str, Any]:
        """The nested values for templates: {"orgs": {"total": …}, …, "previous": {…}, "findings": […],
        "period": {…}, "has_previous": bool}."""
        ctx: dict[str, Any] = _nest(self.values)
        ctx["previous"] = _nest(self.previous) if self.previous is not None else {}
        ctx["has_previous"] = self.previous is not None
        ctx["findings"] = [f.as_dict() for f in self.findings]
        ctx["previous_findings"] = [f.as_dict() for f in self.previous_findings]
        ctx["period"] = self.period_context()
        ctx["election_window"] = self._inputs.election_window if self._inputs else "period"
        return ctx

    def to_json(self) -> str:
        """context() as JSON: tables as lists of records, dates ISO, missing values null; ID and
        mobile numbers in every text masked."""
        return json.dumps(mask_deep(_jsonable(self.context())), ensure_ascii=False, allow_nan=False)

    def _repr_html_(self) -> str:
        rows = []
        for key in SUMMARY:
            spec = REGISTRY[key]
            rows.append(f"<tr><td>{html.escape(spec.label)}</td>"
                        f"<td style='text-align:right'>{html.escape(format_value(spec, self.values.get(key)))}</td>"
                        f"<td>{html.escape(_delta_text(spec, self.values.get(key + '_delta')))}</td></tr>")
        findings = "".join(f"<li>【{html.escape(f.severity)}】{html.escape(mask_text(f.sentence))}</li>"
                           for f in self.findings) or "<li>未发现问题</li>"
        return (f"<div><b>{html.escape(self.period.zh)}指标（截止{html.escape(zh.date_zh(self.period.as_of))}）"
                f"</b><table>{''.join(rows)}</table><b>发现的问题</b><ul>{findings}</ul>"
                f"<small>全部指标：ind.values；表格：ind.table(\"members.age_bands\")；口径：explain(ind, 指标编号)"
                f"</small></div>")


def _delta_text(spec: Spec, d: Any) -> str:
    if d is None:
        return ""
    if spec.is_share:
        return zh.pp_change(d, "上期")
    if spec.unit == "岁":
        return zh.age_change(d, "上期")
    return zh.change(d, "上期", spec.unit)


def format_value(spec: Spec, value: Any) -> str:
    """A value as a reader sees it: 57.1%, 44.2岁, 1.85万名, or a table's size."""
    if value is None:
        return "无法计算"
    if isinstance(value, pd.DataFrame):
        return f"{'台账' if spec.unit == '台账' else '表格'}，{len(value)}行"
    if spec.is_share:
        return zh.pct(value)
    if spec.unit == "岁":
        return f"{zh.num(value)}岁"
    return f"{zh.wan(value)}{spec.unit}"


# --------------------------------------------------------------------------- JSON


def _scalar(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(v, (pd.Timestamp, datetime)):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return v


def _column(s: pd.Series) -> list:
    """One column as JSON-ready Python values (converted per column, not per cell, where possible)."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.strftime("%Y-%m-%d").astype(object).where(s.notna(), None).tolist()
    if pd.api.types.is_bool_dtype(s) and s.dtype == bool:
        return s.tolist()
    if pd.api.types.is_integer_dtype(s) and s.dtype.kind == "i":
        return s.tolist()
    if pd.api.types.is_float_dtype(s) and s.dtype.kind == "f":
        a = s.to_numpy()
        return [None if not math.isfinite(x) else x for x in a.tolist()]
    return [_scalar(x) for x in s.astype(object).tolist()]


def _jsonable(v: Any) -> Any:
    if isinstance(v, pd.DataFrame):
        cols = [str(c) for c in v.columns]
        data = [_column(v.iloc[:, i]) for i in range(v.shape[1])]
        return [dict(zip(cols, row)) for row in zip(*data)]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return _scalar(v)


# --------------------------------------------------------------------------- explain


@dataclass
class Explanation:
    """How one indicator was obtained (``reportgen explain ID``)."""

    id: str
    label: str
    definition: str
    unit: str
    value: Any
    numerator: float | int | None
    denominator: float | int | None
    numerator_words: str
    denominator_words: str
    rows: pd.DataFrame
    total_rows: int
    parts: dict[str, Any] = field(default_factory=dict)  # e.g. {"本届": 46.1, "上届": 43.3} for a term delta

    def __str__(self) -> str:
        spec = REGISTRY[self.id]
        lines = [f"指标：{self.id}　{self.label}", f"口径：{self.definition}",
                 f"数值：{format_value(spec, self.value)}"]
        lines += [f"{name}：{format_value(spec, v)}" for name, v in self.parts.items()]
        if self.numerator is not None and self.numerator_words:
            lines.append(f"分子：{self.numerator_words} = {zh.num(self.numerator, 2)}")
        if self.denominator is not None and self.denominator_words:
            lines.append(f"分母：{self.denominator_words} = {zh.num(self.denominator, 2)}")
        if isinstance(self.value, pd.DataFrame) and len(self.value):
            lines += ["", _frame_text(self.value)]
        if len(self.rows):
            lines += ["", f"明细（前{len(self.rows)}行，共{self.total_rows}行；_file 文件，_sheet 工作表，_row 行号）：",
                      _frame_text(self.rows)]
        else:
            lines += ["", "明细：没有对应的数据行。"]
        return "\n".join(lines)


def _frame_text(frame: pd.DataFrame) -> str:
    shown = frame.copy()
    for c in shown.columns:
        if str(c).endswith(("占比", "比例", "率")) and pd.api.types.is_float_dtype(shown[c]):
            shown[c] = shown[c].map(lambda x: zh.pct(x) if x == x else "")
    shown = shown.astype(object)
    return shown.where(shown.notna(), "").to_string(index=False)


def _readable(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows for a person: schema fields under their Chinese headers, derived columns labelled,
    ID numbers masked (in every column), phone numbers dropped, provenance kept."""
    cols = set(rows.columns)
    sheet = next((s for s in schema.DATA_SHEETS if set(s.keys) <= cols), None)
    if sheet is None:
        out = rows.copy()
    else:
        keep = [k for k in sheet.keys if k != "phone"]
        keep += [c for c in DERIVED_LABELS if c in cols and c not in keep]
        keep += [c for c in schema.PROVENANCE if c in cols]
        out = rows[keep].copy()
        if "id_number" in out:
            out["id_number"] = mask_ids(out["id_number"])
        for c in ("age", "age_at_join"):
            if c in out:
                out[c] = out[c].round().astype("Int64")
        names = {k: sheet.header(k) for k in sheet.keys if k in out}
        taken = set(names.values())
        for k, v in DERIVED_LABELS.items():
            if k in out and k not in names:
                if v in taken:  # e.g. the area label of an organization row: its 所属片区 is shown
                    out = out.drop(columns=k)
                else:
                    names[k] = v
                    taken.add(v)
        out = out.rename(columns=names)
    for c in out.columns:
        s = out[c]
        if s.dtype == bool:
            out[c] = np.where(s.to_numpy(), schema.YES, schema.NO).astype(object)
        elif pd.api.types.is_datetime64_any_dtype(s):
            out[c] = s.dt.date.astype(object).where(s.notna(), None)
        elif isinstance(s.dtype, pd.CategoricalDtype):
            out[c] = s.astype(object)
    return mask_frame(out.reset_index(drop=True))  # an ID typed into a name column, too


def explain(indicators_or_ds: "Indicators | Dataset", id: str, n: int = 10) -> Explanation:
    """Label, definition, numerator and denominator of indicator ``id`` with the first ``n`` rows
    behind it (provenance kept, ID numbers masked)."""
    if id not in REGISTRY:
        import difflib

        close = difflib.get_close_matches(id, list(REGISTRY), n=5, cutoff=0.4)
        hint = f"，是不是：{'、'.join(close)}" if close else ""
        raise KeyError(f"没有编号为“{id}”的指标{hint}")
    spec = REGISTRY[id]
    if isinstance(indicators_or_ds, Indicators):
        res = indicators_or_ds._results.get(id)
        if res is None:
            res = evaluate(spec, indicators_or_ds._inputs or Inputs(indicators_or_ds.dataset,
                                                                    indicators_or_ds.config))
        value = indicators_or_ds.values.get(id, res.value)
    else:
        res = evaluate(spec, Inputs(indicators_or_ds))
        value = res.value
    parts: dict[str, Any] = {}
    base, prev = id[: -len("_delta")], id[: -len("_delta")] + "_previous"
    if id.endswith("_delta") and base in REGISTRY and prev in REGISTRY:  # a term delta (committee.*)
        source = indicators_or_ds if isinstance(indicators_or_ds, Indicators) else compute(indicators_or_ds)
        parts = {schema.CURRENT_TERM: source.values.get(base), schema.PREVIOUS_TERM: source.values.get(prev)}
        if res.rows is None:
            res = source._results.get(base, res)
    behind = res.behind()
    total = 0 if behind is None else len(behind)
    rows = _readable(behind.head(n)) if behind is not None else pd.DataFrame()
    numerator, denominator = (None, None) if parts else (res.numerator, res.denominator)
    return Explanation(id, spec.label, spec.definition, spec.unit, value, numerator, denominator,
                       spec.numerator, spec.denominator, rows, total, parts)
