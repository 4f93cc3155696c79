"""tables.xlsx: every table of the report and every ledger, one formatted sheet each.

Numbers stay numbers (shares with a percent format, counts with thousands separators), text is
always a string cell (``write_string`` for titles and headers, inline strings for the data rows,
which :mod:`reportgen.sheetxml` builds column-wise) so that a name beginning with "=" stays text and
never becomes a formula, strings pass through ``clean_text`` with ID numbers masked, and the
workbook properties and zip entry dates are fixed so that two runs give identical bytes.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter

from ..arrowtext import string_buffers
from ..outputs import OUTPUT_CATEGORY
from ..sheetxml import BulkWorkbook, Column, clean_texts
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


def _text_column(series: pd.Series) -> tuple[pa.Array, float]:
    """A text column as :func:`text` makes each cell (null where blank), as an Arrow array, and
    the printed width of its widest cell, computed column-wise; only cells holding a run of 15
    digits (a possible ID number to mask) go through :func:`text` one by one."""
    arr = clean_texts(series)
    # 15 ASCII digits in a row, or any other decimal digit (Python's \d, which text() masks by)
    ids = pc.fill_null(pc.match_substring_regex(arr, r"\d{15}|[^\P{Nd}0-9]"), False)
    if pc.any(ids).as_py():
        masked = [text(v) for v in pc.filter(arr, ids).to_pylist()]
        arr = pc.replace_with_mask(arr, ids, pa.array(masked, type=arr.type))
    width = pc.max(pc.add(pc.multiply(pc.utf8_length(arr), 0.55), pc.multiply(_wide(arr), 0.45))).as_py()
    return arr, float(width or 0.0)


def _wide(arr: pa.Array) -> pa.Array:
    """Characters above U+2E7F per cell (the ones :func:`_width` counts as a full CJK width), read
    off the UTF-8 bytes: every 4-byte sequence, and 3-byte ones led by E3–EF or by E2 BA–BF."""
    arr = pc.cast(arr, pa.large_string())
    if not len(arr):
        return pa.array([], type=pa.int64())
    offsets, data = string_buffers(arr)
    data = data[:int(offsets[-1])]
    second = np.append(data[1:], np.uint8(0))
    flag = (data >= 0xE3) | ((data == 0xE2) & (second >= 0xBA))  # 0xF0+ leads included; no 0xF8+ in UTF-8
    total = np.concatenate(([0], np.cumsum(flag, dtype=np.int64)))
    return pa.array(total[offsets[1:]] - total[offsets[:-1]], mask=~arr.is_valid().to_numpy(zero_copy_only=False))


def _write_sheet(book: BulkWorkbook, ws, spec: TableSpec, fmt: _Formats) -> None:
    """Title and header rows through xlsxwriter; the data rows as one block built column-wise."""
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

    columns = []
    for j in range(ncols):
        series = frame.iloc[:, j]
        kind = column_kind(series, frame.columns[j])
        cell_fmt = {"share": fmt.share, "count": fmt.count, "number": fmt.number,
                    "date": fmt.date}.get(kind, fmt.text)
        widest = _width(labels[j]) * 2
        if kind == "text":
            strings, width = _text_column(series)
            widest = max(widest, width * 2)
            columns.append(Column(strings, "text", book.style(cell_fmt)))
        else:
            widest = max(widest, 10)
            columns.append(Column(series, "date" if kind == "date" else "number", book.style(cell_fmt)))
        ws.set_column(j, j, min(max(widest + 2, 8), 60))
    book.append_rows(ws, columns, data_row)
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
    book = BulkWorkbook(OPTIONS)
    wb = book.workbook
    wb.set_properties({"title": text(ctx.get("title", "统计表")), "author": "reportgen",
                       "company": "", "created": FIXED, "comments": "", "category": OUTPUT_CATEGORY})
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
        _write_sheet(book, wb.add_worksheet(name), spec, fmt)
    return book.save(path)
