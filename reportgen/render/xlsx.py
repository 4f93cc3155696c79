"""tables.xlsx: every table of the report and every ledger, one formatted sheet each.

Numbers stay numbers (shares with a percent format, counts with thousands separators), text is
always written with ``write_string`` so that a name beginning with "=" stays text and never
becomes a formula, strings pass through ``clean_text`` with ID numbers masked, and the workbook
properties are fixed so that two runs give identical bytes.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

import pandas as pd
import xlsxwriter

from ..outputs import atomic_write
from .ooxml import text
from .tables import ORDER, TableSpec, _header_levels, _width, column_kind, lookup, title_of

OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
           "nan_inf_to_errors": False}
FIXED = datetime(2000, 1, 1)
_SHEET_BAD = re.compile(r"[\[\]:*?/\\']")


def _sheet_name(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", text(name)).strip() or "表"
    base = base[:31]
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f"({n})"
        candidate = base[:31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


def _plain_context(source: Any) -> dict:
    if isinstance(source, dict) and "members" in source and isinstance(source.get("findings"), list) \
            and "tables" in source:
        return source
    from .context import report_context

    return report_context(source)


def report_tables(ctx: dict) -> list[TableSpec]:
    """The indicator tables in the order of the default reports' appendix, numbered 1…n."""
    specs = []
    for key in ORDER:
        frame = ctx["tables"].get("committee_compare") if key == "committee.compare" else lookup(ctx, key)
        if isinstance(frame, pd.DataFrame) and len(frame) and len(frame.columns):
            specs.append(TableSpec(key, title_of(key), frame))
    for n, spec in enumerate(specs, 1):
        spec.number = n
    return specs


def ledgers(ctx: dict, skip: set[str]) -> list[TableSpec]:
    """Ledgers (lists of organizations) not already among the report's tables."""
    out = []
    for key in ("elections.overdue", "elections.due_soon"):
        frame = lookup(ctx, key)
        if key not in skip and isinstance(frame, pd.DataFrame) and len(frame):
            out.append(TableSpec(key, title_of(key), frame, ledger=True))
    for group in ("orgs", "members", "development", "elections", "committee", "coverage"):
        for name, frame in (ctx.get(group) or {}).items():
            key = f"{group}.{name}"
            if name.endswith("_list") and key not in skip and isinstance(frame, pd.DataFrame) \
                    and len(frame):
                out.append(TableSpec(key, title_of(key), frame, ledger=True))
    for f in ctx.get("findings", []):
        frame = f.get("ledger")
        key = f"findings.{f.get('id')}"
        if key not in skip and isinstance(frame, pd.DataFrame) and len(frame):
            out.append(TableSpec(key, f"{f.get('title', '')}名单", frame, ledger=True))
    return out


def _distinct(items: list[TableSpec]) -> tuple[list[TableSpec], dict[int, list[str]]]:
    """One sheet per distinct table: a ledger equal to a table already listed (a finding's list of
    organizations is often an indicator's own ledger) is not written twice; the 目录 names it
    beside the sheet that holds it (the titles it also stands for, by ``id`` of the kept spec)."""
    out: list[TableSpec] = []
    same_as: dict[int, list[str]] = {}
    for spec in items:
        twin = next((o for o in out if o.frame.shape == spec.frame.shape
                     and list(o.frame.columns) == list(spec.frame.columns) and o.frame.equals(spec.frame)),
                    None) if spec.ledger else None
        if twin is None:
            out.append(spec)
        elif spec.title != twin.title:
            same_as.setdefault(id(twin), []).append(f"“{spec.title}”")
    return out, same_as


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook):
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        self.header = wb.add_format({**base, "bold": True, "align": "center", "text_wrap": True,
                                     "bg_color": "#E7E6E6", "border": 1})
        self.text = wb.add_format(base)
        self.count = wb.add_format({**base, "num_format": "#,##0"})
        self.number = wb.add_format({**base, "num_format": "0.0"})
        self.share = wb.add_format({**base, "num_format": "0.0%"})
        self.date = wb.add_format({**base, "num_format": "yyyy-mm-dd"})
        self.title = wb.add_format({**base, "bold": True, "font_size": 12})
        self.link = wb.add_format({**base, "font_color": "#1F4E79", "underline": 1})


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


_XML_INVALID_ARROW = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"  # Arrow text holds no surrogates


def _texts(series: pd.Series) -> tuple[list[str | None], float]:
    """A text column as :func:`text` makes each cell (None where blank), and the printed width of
    its widest cell, computed column-wise; only cells holding a 15-digit run (a possible ID
    number to mask) go through :func:`text` one by one."""
    missing = series.isna().to_numpy()
    try:
        s = series.astype(object).where(~missing, None).astype(pd.StringDtype("pyarrow"))
    except (ValueError, TypeError, UnicodeError, ArithmeticError):  # lone surrogates and the like
        cells = [None if m else text(v) for v, m in zip(series.astype(object).tolist(), missing)]
        return cells, max((_width(c) for c in cells if c), default=0.0)
    s = s.str.replace(_XML_INVALID_ARROW, "", regex=True)
    ids = s.str.contains(r"\d{15}", regex=True).fillna(False).to_numpy(dtype=bool)
    if ids.any():
        s[ids] = [text(v) for v in series[ids].tolist()]
    wide = s.str.count("[^\x00-\u2e7f]")
    width = float((0.55 * s.str.len() + 0.45 * wide).max()) if len(s) and not missing.all() else 0.0
    return s.astype(object).where(~missing, None).tolist(), width


def _write_sheet(wb: xlsxwriter.Workbook, ws, spec: TableSpec, fmt: _Formats) -> None:
    frame = spec.frame.reset_index(drop=True)
    ncols = len(frame.columns)
    levels = _header_levels(frame.columns)
    ws.write_string(0, 0, text(spec.caption), fmt.title)
    first = 1
    if levels:
        j = 0
        while j < ncols:
            top, sub = levels[j]
            if not sub:
                ws.merge_range(first, j, first + 1, j, text(top), fmt.header)
                j += 1
                continue
            k = j
            while k + 1 < ncols and levels[k + 1][0] == top and levels[k + 1][1]:
                k += 1
            if k > j:
                ws.merge_range(first, j, first, k, text(top), fmt.header)
            else:
                ws.write_string(first, j, text(top), fmt.header)
            for m in range(j, k + 1):
                ws.write_string(first + 1, m, text(levels[m][1]), fmt.header)
            j = k + 1
        labels = [lab or top for top, lab in levels]
        data_row = first + 2
    else:
        labels = [text(c) for c in frame.columns]
        for j, lab in enumerate(labels):
            ws.write_string(first, j, lab, fmt.header)
        data_row = first + 1

    for j in range(ncols):
        col = frame.columns[j]
        series = frame.iloc[:, j]
        kind = column_kind(series, col)
        cell_fmt = {"share": fmt.share, "count": fmt.count, "number": fmt.number,
                    "date": fmt.date}.get(kind, fmt.text)
        widest = _width(labels[j]) * 2
        if kind == "text":
            strings, width = _texts(series)
            widest = max(widest, width * 2)
            for i, s in enumerate(strings):
                if s is None:
                    ws.write_blank(data_row + i, j, None, cell_fmt)
                else:
                    ws.write_string(data_row + i, j, s, cell_fmt)
            ws.set_column(j, j, min(max(widest + 2, 8), 60))
            continue
        values = series.astype(object).tolist()
        for i, v in enumerate(values):
            r = data_row + i
            if _missing(v):
                ws.write_blank(r, j, None, cell_fmt)
            elif kind in ("share", "count", "number"):
                ws.write_number(r, j, float(v), cell_fmt)
            else:
                ws.write_datetime(r, j, pd.Timestamp(v).to_pydatetime(), cell_fmt)
        if kind != "text":
            widest = max(widest, 10)
        ws.set_column(j, j, min(max(widest + 2, 8), 60))
    ws.freeze_panes(data_row, 0)
    if spec.ledger and len(frame):
        ws.autofilter(data_row - 1, 0, data_row - 1 + len(frame), ncols - 1)


def write_tables_xlsx(source: Any, path: str | Path,
                      rendered: Sequence[TableSpec] | None = None) -> Path:
    """Write the tables workbook: a 目录 sheet, then one sheet per report table (numbered as in the
    report; all indicator tables when ``rendered`` is None) and one per ledger."""
    ctx = _plain_context(source)
    tables = list(rendered) if rendered is not None else report_tables(ctx)
    skip = {t.key for t in tables}
    items, same_as = _distinct(tables + ledgers(ctx, skip))
    target = Path(path)
    with atomic_write(target) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), OPTIONS)
        wb.set_properties({"title": text(ctx.get("title", "统计表")), "author": "reportgen",
                           "company": "", "created": FIXED, "comments": ""})
        fmt = _Formats(wb)
        used = {"目录"}
        index = wb.add_worksheet("目录")
        names = []
        for spec in items:
            label = spec.caption if spec.number else f"清单 {spec.title}"
            names.append(_sheet_name(label, used))
        index.write_string(0, 0, text(ctx.get("title", "")), fmt.title)
        for j, head in enumerate(("序号", "工作表", "内容", "行数")):
            index.write_string(1, j, head, fmt.header)
        for i, (spec, name) in enumerate(zip(items, names), 1):
            index.write_number(i + 1, 0, i, fmt.count)
            index.write_url(i + 1, 1, f"internal:'{name}'!A1", fmt.link, string=name)
            also = "、".join(same_as.get(id(spec), ()))
            index.write_string(i + 1, 2, text(spec.title + (f"（也是{also}）" if also else "")), fmt.text)
            index.write_number(i + 1, 3, len(spec.frame), fmt.count)
        index.set_column(0, 0, 6)
        index.set_column(1, 1, 34)
        index.set_column(2, 2, 50)
        index.set_column(3, 3, 8)
        index.freeze_panes(2, 0)
        for spec, name in zip(items, names):
            _write_sheet(wb, wb.add_worksheet(name), spec, fmt)
        wb.close()
    return target
