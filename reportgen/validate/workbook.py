"""The validation workbook (校验结果, SPEC §4): 问题清单, 文件汇总, 核对.

Every text is a string cell after :func:`~reportgen.outputs.clean_text` (``write_string`` with
formula, URL and number conversion off in the small sheets; inline strings, built column-wise by
:mod:`reportgen.sheetxml`, for the lines of 问题清单), so nothing a user typed becomes a formula or a
link; the document properties and zip entry dates are fixed so that the same data give the same
bytes.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from ..dataset import Dataset
from ..outputs import OUTPUT_CATEGORY, clean_text
from ..sheetxml import BulkWorkbook, Column, clean_texts
from . import catalog
from .issues import ISSUE_TITLES, RECONCILIATION_TITLES, SUMMARY_COLUMNS, file_summary

SHEET_ISSUES, SHEET_FILES, SHEET_RECONCILIATION = "问题清单", "文件汇总", "核对"
TOTAL = "合计"
RULE_TITLE = "问题"
STATUS = "状态"
FIXED_TIME = datetime(2000, 1, 1)
_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

# (column of ds.issues or RULE_TITLE, width)
_ISSUE_LAYOUT = (("file", 28), ("sheet", 12), ("row", 7), ("column", 16), ("value", 22),
                 ("severity", 9), (RULE_TITLE, 24), ("message", 70), ("rule", 22))


def write_validation_xlsx(ds: Dataset, path: str | Path) -> Path:
    """Write the validation workbook of ``ds`` to ``path`` (atomically) and return the path."""
    book = BulkWorkbook(_OPTIONS)
    wb = book.workbook
    wb.set_properties({"title": "报送数据校验结果", "author": "reportgen", "created": FIXED_TIME,
                       "category": OUTPUT_CATEGORY})
    fmt = _formats(wb)
    _issues_sheet(book, fmt, ds)
    _files_sheet(wb, fmt, ds)
    _reconciliation_sheet(wb, fmt, ds)
    return book.save(path)


def _formats(wb: xlsxwriter.Workbook) -> dict:
    base = {"font_name": "宋体", "font_size": 10, "valign": "top"}
    return {
        "head": wb.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "border": 1,
                               "valign": "vcenter", "text_wrap": True}),
        "text": wb.add_format(base),
        "wrap": wb.add_format({**base, "text_wrap": True}),
        "int": wb.add_format({**base, "num_format": "0"}),
        catalog.ERROR: wb.add_format({**base, "bg_color": "#FFC7CE", "font_color": "#9C0006"}),
        catalog.WARNING: wb.add_format({**base, "bg_color": "#FFEB9C", "font_color": "#9C5700"}),
        "total": wb.add_format({**base, "bold": True, "top": 1}),
        "total_int": wb.add_format({**base, "bold": True, "top": 1, "num_format": "0"}),
    }


def _header(ws, fmt: dict, titles: list[str], widths: list[int], n_rows: int) -> None:
    for col, (title, width) in enumerate(zip(titles, widths)):
        ws.write_string(0, col, clean_text(title), fmt["head"])
        ws.set_column(col, col, width)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(n_rows, 1), len(titles) - 1)


def _cell(ws, row: int, col: int, value, fmt) -> None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, clean_text(value), fmt)


def _issues_sheet(book: BulkWorkbook, fmt: dict, ds: Dataset) -> None:
    """One line per issue, built column-wise; the severity cells coloured per row."""
    ws = book.workbook.add_worksheet(SHEET_ISSUES)
    issues = ds.issues
    titles = [ISSUE_TITLES.get(c, c) for c, _ in _ISSUE_LAYOUT]
    _header(ws, fmt, titles, [w for _, w in _ISSUE_LAYOUT], len(issues))
    if not len(issues):
        return
    text, wrap, whole = book.style(fmt["text"]), book.style(fmt["wrap"]), book.style(fmt["int"])
    severity = issues["severity"].astype("string")
    colours = np.full(len(issues), text, dtype=np.int64)
    for level in (catalog.ERROR, catalog.WARNING):
        colours[(severity == level).fillna(False).to_numpy(dtype=bool)] = book.style(fmt[level])
    columns = []
    for c, _ in _ISSUE_LAYOUT:
        if c == "row":
            columns.append(Column(issues[c], "number", whole))
            continue
        if c == RULE_TITLE:
            values = issues["rule"].map({k: r.title for k, r in catalog.RULES.items()})
        else:
            values = issues[c]
        cells = clean_texts(values.astype("string").fillna(""))
        columns.append(Column(cells, "text", colours if c == "severity" else wrap if c == "message" else text))
    book.append_rows(ws, columns, 1)


def _files_sheet(wb, fmt: dict, ds: Dataset) -> None:
    ws = wb.add_worksheet(SHEET_FILES)
    summary = file_summary(ds)
    status = dict(zip(ds.files["file"].astype("string"), ds.files["status"].astype("string"))) \
        if len(ds.files) else {}
    titles = [SUMMARY_COLUMNS[0], STATUS, *SUMMARY_COLUMNS[1:]]
    _header(ws, fmt, titles, [32, 22, 9, 9, 9, 9, 9], len(summary))
    r = 0
    for r, row in enumerate(summary.itertuples(index=False), start=1):  # one line per file
        _cell(ws, r, 0, row[0], fmt["text"])
        _cell(ws, r, 1, status.get(row[0], ""), fmt["text"])
        for col, value in enumerate(row[1:], start=2):
            _cell(ws, r, col, int(value), fmt["int"])
    totals = summary[list(SUMMARY_COLUMNS[1:])].sum() if len(summary) else [0] * 5
    _cell(ws, r + 1, 0, TOTAL, fmt["total"])
    _cell(ws, r + 1, 1, "", fmt["total"])
    for col, value in enumerate(totals, start=2):
        _cell(ws, r + 1, col, int(value), fmt["total_int"])


def _reconciliation_sheet(wb, fmt: dict, ds: Dataset) -> None:
    ws = wb.add_worksheet(SHEET_RECONCILIATION)
    rec = ds.reconciliation
    keys = list(RECONCILIATION_TITLES)
    _header(ws, fmt, [RECONCILIATION_TITLES[k] for k in keys], [32, 14, 10, 10, 14], len(rec))
    r = 0
    for r, row in enumerate(rec[keys].itertuples(index=False), start=1):  # one line per sheet
        _cell(ws, r, 0, str(row[0]), fmt["text"])
        _cell(ws, r, 1, str(row[1]), fmt["text"])
        for col, value in enumerate(row[2:], start=2):
            _cell(ws, r, col, int(value), fmt["int"])
    _cell(ws, r + 1, 0, TOTAL, fmt["total"])
    _cell(ws, r + 1, 1, "", fmt["total"])
    for col, k in enumerate(keys[2:], start=2):
        _cell(ws, r + 1, col, int(rec[k].sum()) if len(rec) else 0, fmt["total_int"])
