"""The issue table and the reconciliation (SPEC §2).

An issue is one row: file, sheet, row (the Excel row number a user sees; blank for a whole file
or sheet), column (the header as the user wrote it), value, rule, severity, message (Chinese: what
is wrong and how to fix it); ID and mobile numbers are masked in column, value and message here,
and in file and sheet names where they are written out. A data row is left out of the statistics
iff it has at least one issue whose rule drops the row (``catalog.Rule.drops_row``: it cannot be
attributed, or it is a second copy); other 错误 make one field unknown and the row is counted. A
row that is not data (a total, a section title, a note, a signature line, a filled-in example) is
skipped with a line of severity 已跳过. So per file and sheet
``rows_read = rows_used + rows_left_out + rows_skipped``. A value repeated down a column (an
unknown option, an unreadable date) is one issue line on its first row, naming the others.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..dataset import FILE_COLUMNS, ISSUE_COLUMNS, RECONCILIATION_COLUMNS
from ..outputs import mask_texts
from . import catalog

STRING = pd.StringDtype()

# Chinese column titles of the issue table and the per-file summary (workbook and terminal).
ISSUE_TITLES = {"file": "文件", "sheet": "工作表", "row": "行号", "column": "列", "value": "值",
                "rule": "规则", "severity": "严重程度", "message": "说明"}
SUMMARY_COLUMNS = ("文件", "行数", "计入", "未计入", "错误", "警告", "已跳过")
RECONCILIATION_TITLES = {"file": "文件", "sheet": "工作表", "rows_read": "读取行数",
                         "rows_used": "计入统计", "rows_left_out": "未计入（无法确定归属或重复）",
                         "rows_skipped": "已跳过（非数据行）"}

def empty_issues() -> pd.DataFrame:
    """An issue table with no rows and the canonical dtypes."""
    return conform_issues(pd.DataFrame({c: [] for c in ISSUE_COLUMNS}))


def conform_issues(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical columns and dtypes: ``row`` Int64, every other column text ("" when blank)."""
    out = {}
    for col in ISSUE_COLUMNS:
        s = frame[col] if col in frame else pd.Series([None] * len(frame), index=frame.index)
        if col == "row":
            out[col] = pd.to_numeric(s, errors="coerce").astype("Int64")
        else:
            out[col] = s.astype(STRING).fillna("")
    return pd.DataFrame(out).reset_index(drop=True)


def mask_text(s: pd.Series) -> pd.Series:
    """Mask every ID-like number (``110105********1234``) and mobile number (``138****5678``)
    inside a text column (:func:`reportgen.outputs.mask_texts`)."""
    return mask_texts(s.astype(STRING))


def finish(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """One issue table from parts: conformed, ID numbers masked in values and messages, sorted
    by file, sheet, row (file and sheet lines first), rule, column."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_issues()
    issues = conform_issues(pd.concat([conform_issues(f) for f in frames], ignore_index=True))
    for col in ("column", "value", "message"):  # file and sheet stay as named: they key the
        issues[col] = mask_text(issues[col])     # reconciliation; every output masks them
    issues = issues.sort_values(["file", "sheet", "row", "rule", "column"], na_position="first",
                                kind="stable")
    return issues.reset_index(drop=True)


def reconcile(read: pd.DataFrame, left_out: pd.DataFrame) -> pd.DataFrame:
    """Per file and sheet: rows read, used, left out, skipped.

    ``read`` has file, sheet, rows_read and (optionally) rows_skipped — the rows of rows_read that
    are not data; ``left_out`` has file, sheet, rows_left_out."""
    if not len(read):
        return pd.DataFrame({c: pd.Series(dtype="Int64" if c.startswith("rows") else STRING)
                             for c in RECONCILIATION_COLUMNS})
    if "rows_skipped" not in read:
        read = read.assign(rows_skipped=0)
    read = read.assign(rows_skipped=read["rows_skipped"].fillna(0))
    rec = read.groupby(["file", "sheet"], sort=False, as_index=False)[["rows_read", "rows_skipped"]].sum()
    if len(left_out):
        lo = left_out.groupby(["file", "sheet"], sort=False, as_index=False)["rows_left_out"].sum()
        rec = rec.merge(lo, on=["file", "sheet"], how="left")
    else:
        rec["rows_left_out"] = 0
    rec["rows_left_out"] = rec["rows_left_out"].fillna(0).astype("int64")
    rec["rows_skipped"] = rec["rows_skipped"].astype("int64")
    rec["rows_used"] = rec["rows_read"] - rec["rows_left_out"] - rec["rows_skipped"]
    rec = rec[list(RECONCILIATION_COLUMNS)]
    for c in ("file", "sheet"):
        rec[c] = rec[c].astype(STRING)
    return rec.astype({c: "Int64" for c in RECONCILIATION_COLUMNS[2:]}).reset_index(drop=True)


def file_summary(ds) -> pd.DataFrame:
    """Per submitted file: 文件, 行数 (rows read), 计入 (used), 未计入 (left out), 错误, 警告,
    已跳过 (lines of severity 已跳过: rows and sheets that are not data; counted apart from both)."""
    files = ds.files["file"].astype(STRING) if len(ds.files) else pd.Series([], dtype=STRING)
    rec = ds.reconciliation
    by_file = (rec.groupby("file", sort=False)[["rows_read", "rows_used", "rows_left_out"]].sum()
               if len(rec) else pd.DataFrame(columns=["rows_read", "rows_used", "rows_left_out"]))
    issues = ds.issues
    counts = pd.DataFrame(index=pd.Index([], dtype=STRING))
    if len(issues):
        counts = pd.crosstab(issues["file"], issues["severity"])
    order = list(dict.fromkeys([*files, *by_file.index, *counts.index]))
    out = pd.DataFrame(index=pd.Index(order, dtype=STRING))
    out[SUMMARY_COLUMNS[1]] = by_file["rows_read"].reindex(out.index)
    out[SUMMARY_COLUMNS[2]] = by_file["rows_used"].reindex(out.index)
    out[SUMMARY_COLUMNS[3]] = by_file["rows_left_out"].reindex(out.index)
    out[SUMMARY_COLUMNS[4]] = (counts[catalog.ERROR].reindex(out.index)
                               if catalog.ERROR in counts else np.nan)
    out[SUMMARY_COLUMNS[5]] = (counts[catalog.WARNING].reindex(out.index)
                               if catalog.WARNING in counts else np.nan)
    out[SUMMARY_COLUMNS[6]] = (counts[catalog.SKIPPED].reindex(out.index)
                               if catalog.SKIPPED in counts else np.nan)
    out = out.fillna(0).astype("int64")
    out.insert(0, SUMMARY_COLUMNS[0], out.index.astype(STRING))
    return out.reset_index(drop=True)


def empty_files() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "rows" else STRING)
                         for c in FILE_COLUMNS})
